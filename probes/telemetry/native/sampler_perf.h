/* perf_event_open(2) counters for the sampler: events grouped per PMU, CPU and task, one read per
 * group and tick. Python-free, like sampler_core. */
#ifndef HWINSPECTOR_SAMPLER_PERF_H
#define HWINSPECTOR_SAMPLER_PERF_H

#include <stddef.h>
#include <stdint.h>

enum {
    PERF_MODE_TOTAL = 0, /* the running count (scaled up where the PMU multiplexed it) */
    PERF_MODE_DELTA = 1, /* the increase since the previous read: xe's GT frequency adds its
                          * instantaneous MHz at every read (xe_pmu.c, xe_pmu_event_update) */
    PERF_MODE_RATIO = 2, /* accumulated ns of config's share of config2's increase: xe's
                          * engine-active-ticks over engine-total-ticks, read in one group */
};

typedef struct {
    /* Fixed after perf_chan_set. */
    char *type_path; /* the PMU's sysfs "type": re-read at every (re)open and check */
    uint64_t config[2];
    int nev; /* events: 1, or 2 for RATIO */
    int cpu, pid, mode;
    /* Open state. */
    int group; /* index into perf_set.g; -1 while not open */
    int fd[2];
    int pos[2]; /* the events' places in the group's read */
    int err;    /* errno of the last failed open (EACCES: perf_event_paranoid), 0 when open */
    int have_prev;
    uint64_t prev[2], prev_enabled;
    double acc; /* RATIO: ns, monotonic across reopens */
    /* This tick. */
    double value;
    uint64_t raw;
    int failed; /* this tick's value is an error (a NaN that is not only "no value yet") */
} perf_chan;

typedef struct {
    int used;
    int type; /* the PMU type number the group was opened with */
    const char *type_path;
    int cpu, pid;
    int leader; /* fd */
    int n;      /* events in the group, leader included */
    int full;   /* refused another member: later channels of its key start a new group */
    int failed; /* a read failed: reopen its key at the next check */
} perf_group;

typedef struct {
    perf_chan **ch; /* the perf channels, in channel order */
    size_t n;
    perf_group *g; /* at most one group per event */
    size_t ng;
    uint64_t *buf; /* one group read: nr, time_enabled, time_running, values */
} perf_set;

/* Fill one channel's spec; -1 on ENOMEM. */
int perf_chan_set(perf_chan *p, const char *type_path, uint64_t config, uint64_t config2, int cpu,
                  int pid, int mode);
void perf_chan_free(perf_chan *p);
/* Take the n channels (pointers stay owned by the caller); -1 on ENOMEM. */
int perf_set_init(perf_set *s, perf_chan **ch, size_t n);
void perf_set_free(perf_set *s);
void perf_open_all(perf_set *s);
void perf_close_all(perf_set *s);
/* Read every group once; each channel's value, raw and failed are then this tick's. */
void perf_read_all(perf_set *s);
/* Channel i (an index into s->ch): reopen what failed or what a PMU that came back needs. */
void perf_check(perf_set *s, size_t i);

#endif

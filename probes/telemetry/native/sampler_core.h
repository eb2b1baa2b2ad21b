/* Python-free core of the native sampler: channels, the ring buffer and the sampling thread. */
#ifndef HWINSPECTOR_SAMPLER_CORE_H
#define HWINSPECTOR_SAMPLER_CORE_H

#include <semaphore.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "sampler_perf.h"

#define LATENCY_WINDOW 65536 /* lateness samples kept for the p50/p99 */
#define READ_BUF 64          /* a file this long holds no single counter */

enum {
    CH_TEXT = 0, /* a decimal text counter at offset 0 */
    CH_U64 = 1,  /* a little-endian u64 at offset */
    CH_PERF = 2, /* a perf_event_open(2) counter (sampler_perf.c) */
};

typedef struct {
    char *path; /* CH_PERF: the PMU's sysfs type file */
    int fd;     /* -1 while the path cannot be opened */
    dev_t dev;
    ino_t ino;
    int failed; /* a read failed since the last check: reopen at the next check */
    int kind;
    off_t offset;
    int err; /* errno of the last failed open, 0 while open */
    perf_chan perf;
    size_t pidx; /* CH_PERF: its index in the core's perf set */
} channel_t;

typedef struct {
    /* Fixed after core_init. */
    channel_t *ch;
    size_t nch;
    int64_t period_ns;
    uint64_t cap;
    /* Ring: row r lives in slot r % cap; head counts rows ever written (the thread only). */
    int64_t *ts;
    double *vals;
    uint64_t *raw; /* exact u64 values, cap * nch; NULL unless some channel is u64 or perf */
    perf_set perf;
    perf_chan **perf_ptrs;
    _Atomic uint64_t head;
    /* Consumer state: the caller serialises drains (the binding holds the GIL). */
    uint64_t rd;
    uint64_t overwritten;
    /* Written by the thread, read by anyone. */
    _Atomic uint64_t ticks;
    _Atomic uint64_t late_ticks;
    _Atomic uint64_t missed_ticks;
    _Atomic uint64_t read_errors;
    _Atomic uint64_t cpu_ns;
    _Atomic uint64_t *ch_errors;
    _Atomic int64_t *lateness;
    _Atomic long tid;
    _Atomic int stop;
    sem_t started; /* posted by the thread once tid is set */
} sampler_core;

/* The C locale for strtod_l; call once before parsing. Returns -1 on failure. */
int core_global_init(void);
/* Parse one counter (see the .c file for the accepted forms). Returns -1 if invalid. */
int core_parse(const char *s, const char *end, double *out);

/* Allocate for nch channels (set afterwards with core_set_channel); -1 on ENOMEM. */
int core_init(sampler_core *c, size_t nch, int64_t period_ns, uint64_t cap);
/* Channel i reads a decimal text counter (binary 0) or a little-endian u64 at offset, as
 * /dev/cpu/N/msr gives registers (binary 1). Set every channel before core_open_all; -1 on
 * ENOMEM. */
int core_set_channel(sampler_core *c, size_t i, const char *path, int binary, off_t offset);
/* Channel i counts a perf event (or a RATIO pair) of the PMU whose sysfs type file is type_path;
 * mode is a PERF_MODE_*. -1 on ENOMEM. */
int core_set_perf(sampler_core *c, size_t i, const char *type_path, uint64_t config,
                  uint64_t config2, int cpu, int pid, int mode);
/* Open every path and perf event; one that cannot be opened reads as NaN and is retried by the
 * thread. -1 on ENOMEM. */
int core_open_all(sampler_core *c);
void core_close_all(sampler_core *c);
/* Open or close the perf events only (the thread must be stopped): an open counter keeps its PMU
 * working (i915's sampling timer, xe's forcewake), so a stopped sampler holds none. */
void core_open_perf(sampler_core *c);
void core_close_perf(sampler_core *c);
/* errno of channel i's last failed open, 0 while open. */
int core_open_error(sampler_core *c, size_t i);
/* Free everything core_init allocated (the thread must be stopped); safe on a zeroed core. */
void core_free(sampler_core *c);

/* The sampling thread; clear c->stop before starting it, set it and join to stop it. */
void *core_thread(void *arg);

/* Rows to drain now (rows already overwritten are skipped and counted); *head receives the
 * head they end at, to pass to core_copy. */
uint64_t core_pending(sampler_core *c, uint64_t *head);
/* Copy rows [c->rd, head) out; returns how many remain valid (any overwritten during the copy
 * are dropped from the front and counted) and moves c->rd to head. raw (may be NULL) receives
 * the exact u64 values when c->raw exists (0 for text channels and failed reads). */
uint64_t core_copy(sampler_core *c, uint64_t head, int64_t *ts, double *vals, uint64_t *raw);
/* Overwritten rows, counting those lost but not yet noticed by a drain. */
uint64_t core_overwritten(sampler_core *c);
/* Copy up to LATENCY_WINDOW recent lateness samples (ns) into dst; returns how many. */
uint64_t core_lateness(sampler_core *c, int64_t *dst);

#endif

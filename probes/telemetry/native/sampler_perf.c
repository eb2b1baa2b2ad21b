/* perf counters for the sampler thread: perf_event_open(2) per event, grouped per PMU, CPU and task
 * (PERF_FORMAT_GROUP) so one read(2) returns every member: an uncore PMU such as i915's is bound to
 * the CPU in its cpumask, and reading it from another CPU costs an IPI per read (PERFORMANCE.md).
 */
#define _GNU_SOURCE
#include "sampler_perf.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/perf_event.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define READ_FORMAT                                                                                \
    (PERF_FORMAT_GROUP | PERF_FORMAT_TOTAL_TIME_ENABLED | PERF_FORMAT_TOTAL_TIME_RUNNING)
#define HEADER 3 /* nr, time_enabled, time_running */
/* err is read by Python while the thread runs (core_open_error): relaxed atomic stores. */
#define SET_ERR(p, e) __atomic_store_n(&(p)->err, (e), __ATOMIC_RELAXED)

int perf_chan_set(perf_chan *p, const char *type_path, uint64_t config, uint64_t config2, int cpu,
                  int pid, int mode)
{
    memset(p, 0, sizeof *p);
    p->config[0] = config;
    p->config[1] = config2;
    p->nev = mode == PERF_MODE_RATIO ? 2 : 1;
    p->cpu = cpu;
    p->pid = pid;
    p->mode = mode;
    p->group = -1;
    p->fd[0] = p->fd[1] = -1;
    SET_ERR(p, ENOENT);
    p->value = NAN;
    return (p->type_path = strdup(type_path)) ? 0 : -1;
}

void perf_chan_free(perf_chan *p)
{
    free(p->type_path);
    p->type_path = NULL;
}

int perf_set_init(perf_set *s, perf_chan **ch, size_t n)
{
    s->ch = ch;
    s->n = n;
    s->ng = 2 * n; /* a group holds at least one event */
    s->g = calloc(s->ng ? s->ng : 1, sizeof *s->g);
    s->buf = calloc(HEADER + 2 * n, sizeof *s->buf);
    return s->g && s->buf ? 0 : -1;
}

void perf_set_free(perf_set *s)
{
    perf_close_all(s);
    free(s->g);
    free(s->buf);
    s->g = NULL;
    s->buf = NULL;
    s->n = s->ng = 0;
}

/* The PMU's type number from sysfs (dynamic for driver PMUs: an unbind and rebind renumbers it), or
 * -errno. */
static int read_type(const char *path)
{
    char b[32];
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0)
        return -errno;
    ssize_t n = read(fd, b, sizeof b - 1);
    int e = errno;
    close(fd);
    if (n < 0)
        return -e;
    long v = 0;
    ssize_t i = 0;
    for (; i < n && b[i] >= '0' && b[i] <= '9' && v < 1 << 24; i++)
        v = v * 10 + (b[i] - '0');
    if (i == 0 || (i < n && b[i] != '\n'))
        return -EINVAL;
    return (int)v;
}

static int same_key(const perf_chan *p, const perf_group *g)
{
    return g->used && g->cpu == p->cpu && g->pid == p->pid && !strcmp(g->type_path, p->type_path);
}

static void close_group(perf_set *s, size_t gi)
{
    for (size_t i = 0; i < s->n; i++) {
        perf_chan *p = s->ch[i];
        if (p->group != (int)gi)
            continue;
        for (int k = p->nev - 1; k >= 0; k--) {
            if (p->fd[k] >= 0)
                close(p->fd[k]);
            p->fd[k] = -1;
        }
        p->group = -1;
        p->have_prev = 0;
    }
    memset(&s->g[gi], 0, sizeof s->g[gi]);
    s->g[gi].leader = -1;
}

/* Open the channel's events into group gi (the first becomes its leader when it is empty); on
 * failure close what was opened here and return the errno. */
static int add_events(perf_group *g, perf_chan *p)
{
    for (int k = 0; k < p->nev; k++) {
        struct perf_event_attr a;
        memset(&a, 0, sizeof a);
        a.type = (uint32_t)g->type;
        a.size = sizeof a;
        a.config = p->config[k];
        a.read_format = READ_FORMAT;
        /* A task's own counters need no privilege when they leave the kernel out (paranoid 2);
         * uncore PMUs count the whole system and some (RAPL) refuse any exclude flag. */
        a.exclude_kernel = a.exclude_hv = p->pid >= 0;
        int fd = (int)syscall(SYS_perf_event_open, &a, p->pid, p->cpu, g->n ? g->leader : -1,
                              PERF_FLAG_FD_CLOEXEC);
        if (fd < 0) {
            int e = errno;
            for (int j = k - 1; j >= 0; j--) {
                close(p->fd[j]);
                p->fd[j] = -1;
                if (--g->n == 0)
                    g->leader = -1;
            }
            return e;
        }
        if (g->n == 0)
            g->leader = fd;
        p->fd[k] = fd;
        p->pos[k] = g->n++;
    }
    return 0;
}

static void open_chan(perf_set *s, perf_chan *p, int type)
{
    for (;;) {
        size_t gi = s->ng, free_slot = s->ng;
        for (size_t j = 0; j < s->ng; j++) {
            if (same_key(p, &s->g[j]) && !s->g[j].full && s->g[j].type == type)
                gi = j;
            else if (!s->g[j].used && free_slot == s->ng)
                free_slot = j;
        }
        int fresh = gi == s->ng;
        if (fresh) {
            if (free_slot == s->ng) {
                SET_ERR(p, ENOMEM);
                return;
            }
            gi = free_slot;
            perf_group *g = &s->g[gi];
            memset(g, 0, sizeof *g);
            g->used = 1;
            g->type = type;
            g->type_path = p->type_path;
            g->cpu = p->cpu;
            g->pid = p->pid;
            g->leader = -1;
        }
        int e = add_events(&s->g[gi], p);
        if (e == 0) {
            SET_ERR(p, 0);
            p->group = (int)gi;
            p->have_prev = 0;
            return;
        }
        /* EINVAL or ENOSPC from a group that already has members: the PMU will not schedule
         * this event with them; it gets a group of its own. */
        if (!fresh && (e == EINVAL || e == ENOSPC)) {
            s->g[gi].full = 1;
            continue;
        }
        if (fresh)
            close_group(s, gi);
        SET_ERR(p, e);
        return;
    }
}

/* Close every group of channel i's PMU, CPU and task, and open all of its channels again. */
static void reopen_key(perf_set *s, size_t i)
{
    perf_chan *key = s->ch[i];
    for (size_t gi = 0; gi < s->ng; gi++) {
        if (same_key(key, &s->g[gi]))
            close_group(s, gi);
    }
    int type = read_type(key->type_path);
    for (size_t j = 0; j < s->n; j++) {
        perf_chan *p = s->ch[j];
        if (p->cpu != key->cpu || p->pid != key->pid || strcmp(p->type_path, key->type_path))
            continue;
        if (type < 0)
            SET_ERR(p, -type);
        else
            open_chan(s, p, type);
    }
}

void perf_open_all(perf_set *s)
{
    for (size_t i = 0; i < s->n; i++) {
        if (s->ch[i]->group < 0)
            reopen_key(s, i);
    }
}

void perf_close_all(perf_set *s)
{
    for (size_t gi = 0; s->g && gi < s->ng; gi++) {
        if (s->g[gi].used)
            close_group(s, gi);
    }
}

static void compute(perf_chan *p, const uint64_t *b)
{
    uint64_t enabled = b[1], running = b[2], v0 = b[HEADER + p->pos[0]];
    uint64_t v1 = p->nev > 1 ? b[HEADER + p->pos[1]] : 0;
    p->failed = 0;
    p->raw = 0;
    p->value = NAN;
    if (p->mode == PERF_MODE_TOTAL) {
        p->raw = v0;
        if (running == 0 && enabled > 0) /* never scheduled: no count to give */
            p->failed = 1;
        else if (running < enabled) /* multiplexed: scale up as perf stat does */
            p->value = (double)v0 * ((double)enabled / (double)running);
        else
            p->value = (double)v0;
    } else if (p->mode == PERF_MODE_DELTA) {
        if (p->have_prev) {
            p->raw = v0 - p->prev[0];
            p->value = (double)p->raw;
        }
    } else {
        uint64_t da = v0 - p->prev[0], dt = v1 - p->prev[1];
        p->value = p->acc;
        p->raw = (uint64_t)p->acc;
        /* The denominator did not move (its source not updated since): keep the baseline, so the
         * next share covers both intervals instead of counting this one as idle. */
        if (p->have_prev && dt == 0)
            return;
        if (p->have_prev) {
            double share = (double)da / (double)dt;
            p->acc += (share > 1 ? 1 : share) * (double)(enabled - p->prev_enabled);
            p->value = p->acc;
            p->raw = (uint64_t)p->acc;
        }
    }
    p->prev[0] = v0;
    p->prev[1] = v1;
    p->prev_enabled = enabled;
    p->have_prev = 1;
}

void perf_read_all(perf_set *s)
{
    for (size_t i = 0; i < s->n; i++) {
        perf_chan *p = s->ch[i];
        if (p->group < 0) {
            p->value = NAN;
            p->raw = 0;
            p->failed = 1;
        }
    }
    for (size_t gi = 0; gi < s->ng; gi++) {
        perf_group *g = &s->g[gi];
        if (!g->used)
            continue;
        size_t want = (HEADER + (size_t)g->n) * sizeof *s->buf;
        /* ENODEV once the PMU is unregistered (events revoked, Linux 6.15+), 0 for an event in
         * error state (kernel/events/core.c, __perf_read): both fail the whole group. */
        ssize_t got = g->failed ? -1 : read(g->leader, s->buf, want);
        int ok = got == (ssize_t)want && s->buf[0] == (uint64_t)g->n;
        if (!ok)
            g->failed = 1;
        for (size_t i = 0; i < s->n; i++) {
            perf_chan *p = s->ch[i];
            if (p->group != (int)gi)
                continue;
            if (ok) {
                compute(p, s->buf);
            } else {
                p->value = NAN;
                p->raw = 0;
                p->failed = 1;
                p->have_prev = 0;
            }
        }
    }
}

void perf_check(perf_set *s, size_t i)
{
    perf_chan *p = s->ch[i];
    int type = read_type(p->type_path);
    if (p->group >= 0) {
        perf_group *g = &s->g[p->group];
        if (g->failed || type != g->type)
            reopen_key(s, i); /* gone (closed, err set), renumbered, or revoked */
        return;
    }
    if (type < 0) {
        SET_ERR(p, -type);
        return;
    }
    for (size_t gi = 0; gi < s->ng; gi++) {
        if (same_key(p, &s->g[gi]) && s->g[gi].type != type) {
            reopen_key(s, i);
            return;
        }
    }
    open_chan(s, p, type); /* joins its key's group: the others keep counting */
}

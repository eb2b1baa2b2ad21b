/* Sampler core: a thread on absolute CLOCK_MONOTONIC deadlines preads pre-opened counter files,
 * parses them and publishes rows into a single-producer ring that never waits for the reader. */
#define _GNU_SOURCE
#include "sampler_core.h"

#include <errno.h>
#include <fcntl.h>
#include <locale.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define CHECK_INTERVAL_NS 100000000LL /* each path re-checked (gone? replaced?) ~every 100 ms */
#define MAX_SLEEP_NS 50000000LL       /* so a stop is seen within 50 ms even at low rates */
#define CPU_UPDATE_TICKS 64           /* CLOCK_THREAD_CPUTIME_ID is a syscall, not vDSO */

static locale_t c_locale;

int core_global_init(void)
{
    if (!c_locale)
        c_locale = newlocale(LC_ALL_MASK, "C", (locale_t)0);
    return c_locale ? 0 : -1;
}

static int64_t mono_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000000000LL + t.tv_nsec;
}

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static int only_space(const char *s, const char *end)
{
    for (; s < end; s++) {
        if (!is_space(*s))
            return 0;
    }
    return 1;
}

/* One number, surrounded by optional ASCII whitespace: a signed integer (the common sysfs case,
 * parsed by hand), or a plain decimal float. "nan", "inf", hex and locale decimal commas are
 * rejected, because Qt calls setlocale() and strtod would follow LC_NUMERIC otherwise. */
int core_parse(const char *s, const char *end, double *out)
{
    while (s < end && is_space(*s))
        s++;
    const char *start = s;
    int neg = 0;
    if (s < end && (*s == '+' || *s == '-')) {
        neg = *s == '-';
        s++;
    }
    uint64_t acc = 0;
    int digits = 0, overflow = 0;
    for (; s < end && is_digit(*s); s++, digits++) {
        if (acc > (UINT64_MAX - 9) / 10)
            overflow = 1;
        else
            acc = acc * 10 + (uint64_t)(*s - '0');
    }
    if (digits > 0 && !overflow && only_space(s, end)) {
        *out = neg ? -(double)acc : (double)acc;
        return 0;
    }
    if (s < end && *s == '.') {
        for (s++; s < end && is_digit(*s); s++)
            digits++;
    }
    if (digits == 0)
        return -1;
    if (s < end && (*s == 'e' || *s == 'E')) {
        s++;
        if (s < end && (*s == '+' || *s == '-'))
            s++;
        if (s >= end || !is_digit(*s))
            return -1;
        while (s < end && is_digit(*s))
            s++;
    }
    if (!only_space(s, end))
        return -1;
    char tmp[READ_BUF];
    size_t len = (size_t)(s - start);
    if (len >= sizeof tmp)
        return -1;
    memcpy(tmp, start, len);
    tmp[len] = '\0';
    char *stop;
    double v = strtod_l(tmp, &stop, c_locale);
    if (stop != tmp + len)
        return -1;
    *out = v;
    return 0;
}

int core_init(sampler_core *c, size_t nch, int64_t period_ns, uint64_t cap)
{
    c->nch = nch;
    c->period_ns = period_ns;
    c->cap = cap;
    c->ch = calloc(nch, sizeof *c->ch);
    /* calloc of a large ring is lazily zeroed mmap: pages cost memory only once written. */
    c->ts = calloc(cap, sizeof *c->ts);
    c->vals = calloc(cap * nch, sizeof *c->vals);
    c->ch_errors = calloc(nch, sizeof *c->ch_errors);
    c->lateness = calloc(LATENCY_WINDOW, sizeof *c->lateness);
    if (!c->ch || !c->ts || !c->vals || !c->ch_errors || !c->lateness)
        return -1;
    for (size_t i = 0; i < nch; i++)
        c->ch[i].fd = -1;
    return 0;
}

static int want_raw(sampler_core *c)
{
    return c->raw || (c->raw = calloc(c->cap * c->nch, sizeof *c->raw)) ? 0 : -1;
}

int core_set_channel(sampler_core *c, size_t i, const char *path, int binary, off_t offset)
{
    c->ch[i].kind = binary ? CH_U64 : CH_TEXT;
    c->ch[i].offset = offset;
    if (binary && want_raw(c) < 0)
        return -1;
    return (c->ch[i].path = strdup(path)) ? 0 : -1;
}

int core_set_perf(sampler_core *c, size_t i, const char *type_path, uint64_t config,
                  uint64_t config2, int cpu, int pid, int mode)
{
    c->ch[i].kind = CH_PERF;
    if (want_raw(c) < 0 || !(c->ch[i].path = strdup(type_path)))
        return -1;
    return perf_chan_set(&c->ch[i].perf, type_path, config, config2, cpu, pid, mode);
}

/* Open (or reopen after an unplug or a replaced file) one channel. */
static void reopen_channel(channel_t *c)
{
    /* O_NONBLOCK: a FIFO given by mistake must not hang the sampler in open(). A register file
     * is a device node, never a link (as probes/power/msr.py reads it): O_NOFOLLOW. */
    int fd = open(c->path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | (c->kind ? O_NOFOLLOW : 0));
    struct stat st;
    __atomic_store_n(&c->err, fd < 0 ? errno : 0, __ATOMIC_RELAXED);
    if (c->fd >= 0)
        close(c->fd);
    c->fd = fd;
    c->failed = 0;
    if (fd >= 0 && fstat(fd, &st) == 0) {
        c->dev = st.st_dev;
        c->ino = st.st_ino;
    }
}

/* sysfs reads fail with ENODEV once the device is gone, but a deleted regular file keeps
 * reading its old contents through the open fd: compare the path's inode with the fd's. */
static void check_channel(channel_t *c)
{
    struct stat st;
    if (c->fd >= 0 && !c->failed && stat(c->path, &st) == 0 && st.st_dev == c->dev &&
        st.st_ino == c->ino)
        return;
    reopen_channel(c);
}

int core_open_all(sampler_core *c)
{
    size_t np = 0;
    for (size_t i = 0; i < c->nch; i++) {
        if (c->ch[i].kind == CH_PERF)
            c->ch[i].pidx = np++;
        else
            reopen_channel(&c->ch[i]);
    }
    if (!np)
        return 0;
    if (!(c->perf_ptrs = calloc(np, sizeof *c->perf_ptrs)))
        return -1;
    for (size_t i = 0; i < c->nch; i++) {
        if (c->ch[i].kind == CH_PERF)
            c->perf_ptrs[c->ch[i].pidx] = &c->ch[i].perf;
    }
    if (perf_set_init(&c->perf, c->perf_ptrs, np) < 0)
        return -1;
    perf_open_all(&c->perf);
    return 0;
}

void core_open_perf(sampler_core *c)
{
    if (c->perf.n)
        perf_open_all(&c->perf);
}

void core_close_perf(sampler_core *c)
{
    if (c->perf.n)
        perf_close_all(&c->perf);
}

int core_open_error(sampler_core *c, size_t i)
{
    int *err = c->ch[i].kind == CH_PERF ? &c->ch[i].perf.err : &c->ch[i].err;
    return __atomic_load_n(err, __ATOMIC_RELAXED);
}

void core_close_all(sampler_core *c)
{
    for (size_t i = 0; c->ch && i < c->nch; i++) {
        if (c->ch[i].fd >= 0)
            close(c->ch[i].fd);
        c->ch[i].fd = -1;
    }
    core_close_perf(c);
}

void core_free(sampler_core *c)
{
    core_close_all(c);
    perf_set_free(&c->perf);
    for (size_t i = 0; c->ch && i < c->nch; i++) {
        free(c->ch[i].path);
        perf_chan_free(&c->ch[i].perf);
    }
    free(c->perf_ptrs);
    c->perf_ptrs = NULL;
    free(c->ch);
    free(c->ts);
    free(c->vals);
    free(c->raw);
    free((void *)c->ch_errors);
    free((void *)c->lateness);
    c->ch = NULL;
    c->ts = NULL;
    c->vals = NULL;
    c->raw = NULL;
    c->ch_errors = NULL;
    c->lateness = NULL;
}

/* One register as /dev/cpu/N/msr gives it: 8 bytes, little-endian, at the register's offset.
 * A short read (past the end of a fixture) is an error like EIO. */
static int read_u64(channel_t *ch, uint64_t *out)
{
    unsigned char b[8];
    ssize_t n = pread(ch->fd, b, sizeof b, ch->offset);
    if (n < 0)
        ch->failed = 1;
    if (n != (ssize_t)sizeof b)
        return -1;
    uint64_t u = 0;
    for (int k = 7; k >= 0; k--)
        u = u << 8 | b[k];
    *out = u;
    return 0;
}

static double read_channel(sampler_core *c, size_t i, uint64_t *raw)
{
    channel_t *ch = &c->ch[i];
    char buf[READ_BUF];
    double v;
    uint64_t u = 0;
    if (ch->kind == CH_PERF) {
        *raw = ch->perf.raw;
        if (!ch->perf.failed)
            return ch->perf.value; /* NaN without an error: a delta's first read */
    } else if (ch->fd >= 0 && ch->kind == CH_U64) {
        if (read_u64(ch, &u) == 0) {
            *raw = u;
            return (double)u;
        }
    } else if (ch->fd >= 0) {
        ssize_t n = pread(ch->fd, buf, sizeof buf, 0);
        if (n < 0)
            ch->failed = 1;
        else if (n < (ssize_t)sizeof buf && core_parse(buf, buf + n, &v) == 0)
            return v;
    }
    *raw = 0;
    atomic_fetch_add_explicit(&c->ch_errors[i], 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&c->read_errors, 1, memory_order_relaxed);
    return NAN;
}

static void update_cpu(sampler_core *c, uint64_t base)
{
    struct timespec t;
    if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t) == 0) {
        uint64_t ns = (uint64_t)t.tv_sec * 1000000000ULL + (uint64_t)t.tv_nsec;
        atomic_store_explicit(&c->cpu_ns, base + ns, memory_order_relaxed);
    }
}

void *core_thread(void *arg)
{
    sampler_core *c = arg;
    /* The default 50 us slack makes ~1 % of 1 kHz deadlines late (see PERFORMANCE.md). */
    prctl(PR_SET_TIMERSLACK, 1UL, 0UL, 0UL, 0UL);
    atomic_store(&c->tid, (long)syscall(SYS_gettid));
    sem_post(&c->started);
    uint64_t cpu_base = atomic_load(&c->cpu_ns);
    uint64_t ticks = atomic_load(&c->ticks);
    int64_t check_acc = 0;
    size_t cursor = 0;
    int64_t deadline = mono_ns();
    while (!atomic_load_explicit(&c->stop, memory_order_relaxed)) {
        int64_t now = mono_ns();
        if (now < deadline) {
            int64_t wake = deadline - now > MAX_SLEEP_NS ? now + MAX_SLEEP_NS : deadline;
            struct timespec ts = {.tv_sec = wake / 1000000000LL, .tv_nsec = wake % 1000000000LL};
            clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
            continue;
        }
        int64_t late = now - deadline;
        uint64_t h = atomic_load_explicit(&c->head, memory_order_relaxed);
        /* Seqlock-style publication (the writer side of the kernel's seqcount): the previous
         * head store must be visible before this row's data overwrites row h - cap. */
        atomic_thread_fence(memory_order_release);
        uint64_t slot = h % c->cap;
        double *row = c->vals + slot * c->nch;
        uint64_t scratch, *raw = c->raw ? c->raw + slot * c->nch : NULL;
        if (c->perf.n)
            perf_read_all(&c->perf);
        for (size_t i = 0; i < c->nch; i++)
            row[i] = read_channel(c, i, raw ? raw + i : &scratch);
        c->ts[slot] = now;
        atomic_store_explicit(&c->head, h + 1, memory_order_release);

        atomic_store_explicit(&c->lateness[ticks % LATENCY_WINDOW], late, memory_order_relaxed);
        atomic_store_explicit(&c->ticks, ++ticks, memory_order_relaxed);
        if (late > c->period_ns) {
            /* Skip the deadlines already missed instead of bursting to catch up. */
            int64_t missed = late / c->period_ns;
            atomic_fetch_add_explicit(&c->late_ticks, 1, memory_order_relaxed);
            atomic_fetch_add_explicit(&c->missed_ticks, (uint64_t)missed, memory_order_relaxed);
            deadline += (missed + 1) * c->period_ns;
        } else {
            deadline += c->period_ns;
        }
        /* Round-robin path checks: about one check per channel per CHECK_INTERVAL_NS. */
        check_acc += (int64_t)c->nch * c->period_ns;
        for (size_t n = 0; check_acc >= CHECK_INTERVAL_NS && n < c->nch; n++) {
            if (c->ch[cursor].kind == CH_PERF)
                perf_check(&c->perf, c->ch[cursor].pidx);
            else
                check_channel(&c->ch[cursor]);
            cursor = (cursor + 1) % c->nch;
            check_acc -= CHECK_INTERVAL_NS;
        }
        if (check_acc >= CHECK_INTERVAL_NS)
            check_acc = 0;
        if (ticks % CPU_UPDATE_TICKS == 0)
            update_cpu(c, cpu_base);
    }
    update_cpu(c, cpu_base);
    atomic_store(&c->tid, 0L);
    return NULL;
}

uint64_t core_pending(sampler_core *c, uint64_t *head)
{
    uint64_t h = atomic_load_explicit(&c->head, memory_order_acquire);
    if (h - c->rd > c->cap) {
        c->overwritten += h - c->cap - c->rd;
        c->rd = h - c->cap;
    }
    *head = h;
    return h - c->rd;
}

uint64_t core_copy(sampler_core *c, uint64_t head, int64_t *ts, double *vals, uint64_t *raw)
{
    size_t w = c->nch;
    uint64_t n = head - c->rd;
    int64_t *t = ts;
    double *v = vals;
    uint64_t *u = c->raw ? raw : NULL;
    for (uint64_t r = c->rd; r < head;) {
        uint64_t slot = r % c->cap;
        uint64_t k = head - r < c->cap - slot ? head - r : c->cap - slot;
        memcpy(t, c->ts + slot, k * sizeof *t);
        memcpy(v, c->vals + slot * w, k * w * sizeof *v);
        if (u) {
            memcpy(u, c->raw + slot * w, k * w * sizeof *u);
            u += k * w;
        }
        t += k;
        v += k * w;
        r += k;
    }
    /* Reader side of the seqlock: the producer may have been writing row h2 during the copy,
     * which destroys row h2 - cap; rows from there back are dropped and counted. */
    atomic_thread_fence(memory_order_acquire);
    uint64_t h2 = atomic_load_explicit(&c->head, memory_order_relaxed);
    uint64_t valid_from = h2 >= c->cap ? h2 - c->cap + 1 : 0;
    if (valid_from > c->rd) {
        uint64_t drop = valid_from - c->rd < n ? valid_from - c->rd : n;
        memmove(ts, ts + drop, (n - drop) * sizeof *ts);
        memmove(vals, vals + drop * w, (n - drop) * w * sizeof *vals);
        if (c->raw && raw)
            memmove(raw, raw + drop * w, (n - drop) * w * sizeof *raw);
        c->overwritten += drop;
        n -= drop;
    }
    c->rd = head;
    return n;
}

uint64_t core_overwritten(sampler_core *c)
{
    uint64_t h = atomic_load(&c->head);
    return c->overwritten + (h - c->rd > c->cap ? h - c->rd - c->cap : 0);
}

uint64_t core_lateness(sampler_core *c, int64_t *dst)
{
    uint64_t ticks = atomic_load(&c->ticks);
    uint64_t n = ticks < LATENCY_WINDOW ? ticks : LATENCY_WINDOW;
    for (uint64_t i = 0; i < n; i++)
        dst[i] = atomic_load_explicit(&c->lateness[i], memory_order_relaxed);
    return n;
}

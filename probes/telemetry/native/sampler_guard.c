/* Guards of the native sampler: a device's power/runtime_status read before its channels, at every
 * tick, so that a runtime-suspended GPU is never read (nor kept awake by our fds). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sampler_core.h"

int core_set_guard(sampler_core *c, size_t i, const char *path)
{
    size_t g = 0;
    while (g < c->nguards && strcmp(c->guards[g].path, path) != 0)
        g++;
    if (g == c->nguards) {
        guard_t *more = realloc(c->guards, (g + 1) * sizeof *more);
        if (!more)
            return -1;
        c->guards = more;
        memset(&more[g], 0, sizeof *more);
        more[g].fd = -1;
        if (!(more[g].path = strdup(path)))
            return -1;
        c->nguards = g + 1;
    }
    c->ch[i].guard = (int)g;
    return 0;
}

int core_guard_state(sampler_core *c, size_t i)
{
    int g = c->ch[i].guard;
    return g < 0 ? -1 : atomic_load_explicit(&c->guards[g].state, memory_order_relaxed);
}

/* amdgpu answers -EPERM from its attributes while the GPU is suspended or in reset, -EBUSY while
 * the SMU resumes (amdgpu_pm.c); a sysfs read may answer -EAGAIN likewise: each means "not up". */
int guard_asleep_errno(int e)
{
    return e == EPERM || e == EBUSY || e == EAGAIN;
}

/* One pread of a guard: 1 when it says "active" or "unsupported" (runtime PM off: always powered),
 * or when the file does not exist (no runtime PM, or a captured tree without power/); 0 otherwise.
 * A PM core attribute: reading it never calls the driver, so it never wakes the device. */
int guard_read(sampler_core *c, guard_t *g, int64_t now)
{
    char buf[32];
    if (g->fd < 0) {
        if (now < g->retry_ns)
            return g->awake;
        g->fd = open(g->path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
        if (g->fd < 0) {
            g->retry_ns = now + CHECK_INTERVAL_NS;
            return errno == ENOENT;
        }
    }
    ssize_t n = pread(g->fd, buf, sizeof buf, 0);
    atomic_fetch_add_explicit(&c->guard_reads, 1, memory_order_relaxed);
    if (n < 0) {
        if (!guard_asleep_errno(errno)) { /* ENODEV: gone; reopened at the next check */
            close(g->fd);
            g->fd = -1;
            g->retry_ns = now + CHECK_INTERVAL_NS;
        }
        return 0;
    }
    while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' ' || buf[n - 1] == '\t'))
        n--;
    return (n == 6 && !memcmp(buf, "active", 6)) || (n == 11 && !memcmp(buf, "unsupported", 11));
}

/* A guard's device fell asleep (its channels' fds are closed: ours must not keep it from
 * suspending, nor be read) or woke (they are opened again). */
void guard_set(sampler_core *c, size_t gi, int awake)
{
    guard_t *g = &c->guards[gi];
    if (g->awake == awake)
        return;
    g->awake = awake;
    atomic_store_explicit(&g->state, awake, memory_order_relaxed);
    for (size_t i = 0; i < c->nch; i++) {
        channel_t *ch = &c->ch[i];
        if (ch->guard != (int)gi)
            continue;
        if (awake) {
            core_reopen_channel(ch);
        } else if (ch->fd >= 0) {
            close(ch->fd);
            ch->fd = -1;
        }
    }
}

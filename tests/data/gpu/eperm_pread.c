/* An LD_PRELOAD shim that makes pread(2) of one file answer EPERM while a trigger file exists: what
 * amdgpu's attributes answer while the GPU suspends or resets, which no file on a test machine can do.
 * EPERM_SUFFIX names the file (the end of its /proc/self/fd link), EPERM_TRIGGER the trigger file. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

static int faulty(int fd)
{
    const char *suffix = getenv("EPERM_SUFFIX"), *trigger = getenv("EPERM_TRIGGER");
    char link[64], target[4096];
    if (!suffix || !trigger || access(trigger, F_OK) != 0)
        return 0;
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    ssize_t n = readlink(link, target, sizeof target - 1);
    if (n < 0)
        return 0;
    target[n] = '\0';
    size_t ls = strlen(suffix);
    return (size_t)n >= ls && strcmp(target + n - ls, suffix) == 0;
}

ssize_t pread(int fd, void *buf, size_t count, off_t offset)
{
    static ssize_t (*real)(int, void *, size_t, off_t);
    if (!real)
        real = (ssize_t (*)(int, void *, size_t, off_t))dlsym(RTLD_NEXT, "pread");
    if (faulty(fd)) {
        errno = EPERM;
        return -1;
    }
    return real(fd, buf, count, offset);
}

ssize_t pread64(int fd, void *buf, size_t count, off_t offset)
{
    static ssize_t (*real)(int, void *, size_t, off_t);
    if (!real)
        real = (ssize_t (*)(int, void *, size_t, off_t))dlsym(RTLD_NEXT, "pread64");
    if (faulty(fd)) {
        errno = EPERM;
        return -1;
    }
    return real(fd, buf, count, offset);
}

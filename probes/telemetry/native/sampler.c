/* Python binding of the native sampler (hwinspector.probes._sampler): starts and stops the
 * thread of sampler_core.c and hands rows out as bytearrays; sampler.py shapes them. */
#define _GNU_SOURCE
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <string.h>
#include <unistd.h>

#include "sampler_core.h"

#define RT_PRIORITY 10

typedef struct {
    PyObject_HEAD
    sampler_core core;
    int want_rt;
    int ready; /* __init__ completed: the ring and the channels exist */
    /* Control, guarded by ctl_lock. */
    pthread_mutex_t ctl_lock;
    pthread_t thread;
    int running;
    int rt_granted;
    int closed;
    pid_t owner_pid; /* the process that started the thread (a forked child has no thread) */
} SamplerObject;

/* Join the thread; the caller holds ctl_lock or is the only owner (dealloc). */
static void stop_thread(SamplerObject *s, int release_gil)
{
    if (!s->running)
        return;
    s->running = 0;
    if (getpid() != s->owner_pid)
        return;
    atomic_store(&s->core.stop, 1);
    if (release_gil) {
        Py_BEGIN_ALLOW_THREADS;
        pthread_join(s->thread, NULL);
        Py_END_ALLOW_THREADS;
    } else {
        pthread_join(s->thread, NULL);
    }
}

static void lock_ctl(SamplerObject *s)
{
    /* Never wait for the lock with the GIL held: the holder may be joining with it released. */
    if (pthread_mutex_trylock(&s->ctl_lock) != 0) {
        Py_BEGIN_ALLOW_THREADS;
        pthread_mutex_lock(&s->ctl_lock);
        Py_END_ALLOW_THREADS;
    }
}

static PyObject *Sampler_new(PyTypeObject *type, PyObject *args, PyObject *kw)
{
    (void)args;
    (void)kw;
    SamplerObject *s = (SamplerObject *)type->tp_alloc(type, 0);
    if (s) {
        pthread_mutex_init(&s->ctl_lock, NULL);
        sem_init(&s->core.started, 0, 0);
    }
    return (PyObject *)s;
}

static void Sampler_dealloc(SamplerObject *s)
{
    stop_thread(s, 0);
    core_free(&s->core);
    pthread_mutex_destroy(&s->ctl_lock);
    sem_destroy(&s->core.started);
    Py_TYPE(s)->tp_free((PyObject *)s);
}

#define PERF_SPEC "(type_path, config, \"perf\"|\"perf-delta\"|\"perf-ratio\", cpu, pid, config2)"

static int path_bytes(PyObject *path, char **raw)
{
    Py_ssize_t len;
    if (PyBytes_AsStringAndSize(path, raw, &len) < 0)
        return -1;
    if ((Py_ssize_t)strlen(*raw) != len) {
        PyErr_SetString(PyExc_ValueError, "embedded NUL in path");
        return -1;
    }
    return 0;
}

/* A perf counter: (type_path, config, mode, cpu, pid, config2); the PMU's type is read from its
 * sysfs type file at every open. */
static int set_perf(sampler_core *c, size_t i, PyObject *spec)
{
    PyObject *path;
    unsigned long long config, config2;
    const char *fmt;
    int cpu, pid, mode;
    char *raw;
    if (!PyArg_ParseTuple(spec, "OKsiiK;a perf counter is " PERF_SPEC, &path, &config, &fmt, &cpu,
                          &pid, &config2) ||
        path_bytes(path, &raw) < 0)
        return -1;
    if (!strcmp(fmt, "perf"))
        mode = PERF_MODE_TOTAL;
    else if (!strcmp(fmt, "perf-delta"))
        mode = PERF_MODE_DELTA;
    else if (!strcmp(fmt, "perf-ratio"))
        mode = PERF_MODE_RATIO;
    else
        mode = -1;
    /* perf_event_open(2): pid -1 needs a CPU (a system-wide count); cpu -1 needs a task. */
    if (mode < 0 || cpu < -1 || pid < -1 || (cpu == -1 && pid == -1)) {
        PyErr_SetString(PyExc_ValueError,
                        "a perf counter is " PERF_SPEC " with cpu >= 0 or pid >= 0");
        return -1;
    }
    if (core_set_perf(c, i, raw, config, config2, cpu, pid, mode) < 0) {
        PyErr_NoMemory();
        return -1;
    }
    return 0;
}

/* One counter spec: bytes (a decimal text counter), (bytes, offset, "u64") (a little-endian u64
 * read at offset, the /dev/cpu/N/msr format) or a perf counter (set_perf). Sets a Python error and
 * returns -1 if bad. */
static int set_channel(sampler_core *c, size_t i, PyObject *spec)
{
    PyObject *path = spec;
    long long offset = 0;
    int binary = 0;
    if (PyTuple_Check(spec) && PyTuple_GET_SIZE(spec) == 6)
        return set_perf(c, i, spec);
    if (PyTuple_Check(spec)) {
        const char *fmt;
        if (!PyArg_ParseTuple(spec, "OLs;a binary counter is (path, offset, \"u64\")", &path,
                              &offset, &fmt))
            return -1;
        if (strcmp(fmt, "u64") != 0 || offset < 0) {
            PyErr_SetString(PyExc_ValueError, "a binary counter is (path, offset >= 0, \"u64\")");
            return -1;
        }
        binary = 1;
    }
    char *raw;
    if (path_bytes(path, &raw) < 0)
        return -1;
    if (core_set_channel(c, i, raw, binary, (off_t)offset) < 0) {
        PyErr_NoMemory();
        return -1;
    }
    return 0;
}

static int Sampler_init(SamplerObject *s, PyObject *args, PyObject *kw)
{
    static char *kwlist[] = {"paths", "period_ns", "capacity", "realtime", NULL};
    PyObject *paths, *seq;
    long long period_ns;
    unsigned long long capacity;
    int realtime = 0;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "OLK|p", kwlist, &paths, &period_ns, &capacity,
                                     &realtime))
        return -1;
    if (s->core.ch) {
        PyErr_SetString(PyExc_RuntimeError, "already initialised");
        return -1;
    }
    if (period_ns <= 0 || capacity < 2) {
        PyErr_SetString(PyExc_ValueError, "period_ns must be > 0 and capacity >= 2");
        return -1;
    }
    if (!(seq = PySequence_Fast(paths,
                                "paths must be a sequence of bytes or (bytes, offset, \"u64\")")))
        return -1;
    Py_ssize_t n = PySequence_Fast_GET_SIZE(seq);
    if (n == 0 || (uint64_t)n > SIZE_MAX / sizeof(double) / capacity) {
        Py_DECREF(seq);
        PyErr_SetString(PyExc_ValueError,
                        "need at least one path, and the ring must fit in memory");
        return -1;
    }
    if (core_init(&s->core, (size_t)n, period_ns, capacity) < 0) {
        Py_DECREF(seq);
        PyErr_NoMemory();
        return -1;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        if (set_channel(&s->core, (size_t)i, PySequence_Fast_GET_ITEM(seq, i)) < 0) {
            Py_DECREF(seq);
            return -1;
        }
    }
    Py_DECREF(seq);
    s->want_rt = realtime;
    if (core_open_all(&s->core) < 0) {
        PyErr_NoMemory();
        return -1;
    }
    s->ready = 1;
    return 0;
}

static PyObject *Sampler_start(SamplerObject *s, PyObject *unused)
{
    (void)unused;
    lock_ctl(s);
    if (s->closed || !s->ready) {
        pthread_mutex_unlock(&s->ctl_lock);
        PyErr_SetString(PyExc_ValueError, "sampler is closed");
        return NULL;
    }
    if (s->running && getpid() != s->owner_pid)
        s->running = 0; /* a forked child: the thread stayed in the parent */
    if (!s->running) {
        int rc = -1;
        core_open_perf(&s->core);
        atomic_store(&s->core.stop, 0);
        s->rt_granted = 0;
        if (s->want_rt) {
            pthread_attr_t attr;
            struct sched_param sp = {.sched_priority = RT_PRIORITY};
            pthread_attr_init(&attr);
            pthread_attr_setinheritsched(&attr, PTHREAD_EXPLICIT_SCHED);
            pthread_attr_setschedpolicy(&attr, SCHED_FIFO);
            pthread_attr_setschedparam(&attr, &sp);
            rc = pthread_create(&s->thread, &attr, core_thread, &s->core);
            pthread_attr_destroy(&attr);
            s->rt_granted = rc == 0;
        }
        /* Typically EPERM (no CAP_SYS_NICE, RLIMIT_RTPRIO 0): run at normal priority, say so. */
        if (rc != 0)
            rc = pthread_create(&s->thread, NULL, core_thread, &s->core);
        if (rc != 0) {
            core_close_perf(&s->core);
            pthread_mutex_unlock(&s->ctl_lock);
            errno = rc;
            return PyErr_SetFromErrno(PyExc_OSError);
        }
        s->running = 1;
        s->owner_pid = getpid();
        Py_BEGIN_ALLOW_THREADS;
        while (sem_wait(&s->core.started) != 0 && errno == EINTR)
            ;
        Py_END_ALLOW_THREADS;
    }
    int granted = s->rt_granted;
    pthread_mutex_unlock(&s->ctl_lock);
    return PyBool_FromLong(granted);
}

static PyObject *Sampler_stop(SamplerObject *s, PyObject *unused)
{
    (void)unused;
    lock_ctl(s);
    stop_thread(s, 1);
    if (s->ready)
        core_close_perf(&s->core);
    pthread_mutex_unlock(&s->ctl_lock);
    Py_RETURN_NONE;
}

static PyObject *Sampler_close(SamplerObject *s, PyObject *unused)
{
    (void)unused;
    lock_ctl(s);
    stop_thread(s, 1);
    core_close_all(&s->core);
    s->closed = 1;
    pthread_mutex_unlock(&s->ctl_lock);
    Py_RETURN_NONE;
}

static PyObject *drain_rows(SamplerObject *s, int with_raw)
{
    if (!s->ready) {
        PyErr_SetString(PyExc_ValueError, "not initialised");
        return NULL;
    }
    /* The copy runs with the GIL held: that serialises drains; the thread never takes it. */
    size_t w = s->core.nch;
    size_t rw = with_raw && s->core.raw ? w : 0;
    uint64_t head, n = core_pending(&s->core, &head);
    PyObject *ts = PyByteArray_FromStringAndSize(NULL, (Py_ssize_t)(n * sizeof(int64_t)));
    PyObject *vals = PyByteArray_FromStringAndSize(NULL, (Py_ssize_t)(n * w * sizeof(double)));
    PyObject *raw = PyByteArray_FromStringAndSize(NULL, (Py_ssize_t)(n * rw * sizeof(uint64_t)));
    if (!ts || !vals || !raw)
        goto fail;
    uint64_t kept = core_copy(&s->core, head, (int64_t *)PyByteArray_AS_STRING(ts),
                              (double *)PyByteArray_AS_STRING(vals),
                              rw ? (uint64_t *)PyByteArray_AS_STRING(raw) : NULL);
    if (kept != n && (PyByteArray_Resize(ts, (Py_ssize_t)(kept * sizeof(int64_t))) < 0 ||
                      PyByteArray_Resize(vals, (Py_ssize_t)(kept * w * sizeof(double))) < 0 ||
                      PyByteArray_Resize(raw, (Py_ssize_t)(kept * rw * sizeof(uint64_t))) < 0))
        goto fail;
    if (with_raw)
        return Py_BuildValue("(NNN)", ts, vals, raw);
    Py_DECREF(raw);
    return Py_BuildValue("(NN)", ts, vals);
fail:
    Py_XDECREF(ts);
    Py_XDECREF(vals);
    Py_XDECREF(raw);
    return NULL;
}

static PyObject *Sampler_drain(SamplerObject *s, PyObject *unused)
{
    (void)unused;
    return drain_rows(s, 0);
}

static PyObject *Sampler_drain_raw(SamplerObject *s, PyObject *unused)
{
    (void)unused;
    return drain_rows(s, 1);
}

static PyObject *Sampler_counters(SamplerObject *s, PyObject *unused)
{
    (void)unused;
    sampler_core *c = &s->core;
    return Py_BuildValue("{sKsKsKsKsKsKsOsl}", "ticks", (unsigned long long)atomic_load(&c->ticks),
                         "late_ticks", (unsigned long long)atomic_load(&c->late_ticks),
                         "missed_ticks", (unsigned long long)atomic_load(&c->missed_ticks),
                         "read_errors", (unsigned long long)atomic_load(&c->read_errors),
                         "overwritten", (unsigned long long)(s->ready ? core_overwritten(c) : 0),
                         "cpu_ns", (unsigned long long)atomic_load(&c->cpu_ns), "realtime",
                         s->rt_granted && s->running ? Py_True : Py_False, "native_id",
                         atomic_load(&c->tid));
}

static PyObject *Sampler_channel_errors(SamplerObject *s, PyObject *unused)
{
    (void)unused;
    Py_ssize_t n = s->ready ? (Py_ssize_t)s->core.nch : 0;
    PyObject *out = PyList_New(n);
    for (Py_ssize_t i = 0; out && i < n; i++) {
        PyObject *v = PyLong_FromUnsignedLongLong(atomic_load(&s->core.ch_errors[i]));
        if (!v) {
            Py_DECREF(out);
            return NULL;
        }
        PyList_SET_ITEM(out, i, v);
    }
    return out;
}

static PyObject *Sampler_open_errors(SamplerObject *s, PyObject *unused)
{
    (void)unused;
    /* The thread updates these at its checks (relaxed atomics): one may be a check old. */
    Py_ssize_t n = s->ready ? (Py_ssize_t)s->core.nch : 0;
    PyObject *out = PyList_New(n);
    for (Py_ssize_t i = 0; out && i < n; i++) {
        PyObject *v = PyLong_FromLong(core_open_error(&s->core, (size_t)i));
        if (!v) {
            Py_DECREF(out);
            return NULL;
        }
        PyList_SET_ITEM(out, i, v);
    }
    return out;
}

static PyObject *Sampler_lateness(SamplerObject *s, PyObject *unused)
{
    (void)unused;
    PyObject *out = PyByteArray_FromStringAndSize(NULL, LATENCY_WINDOW * sizeof(int64_t));
    if (!out)
        return NULL;
    uint64_t n = s->ready ? core_lateness(&s->core, (int64_t *)PyByteArray_AS_STRING(out)) : 0;
    if (PyByteArray_Resize(out, (Py_ssize_t)(n * sizeof(int64_t))) < 0) {
        Py_DECREF(out);
        return NULL;
    }
    return out;
}

static PyObject *parse_bytes(PyObject *mod, PyObject *arg)
{
    (void)mod;
    Py_buffer b;
    double v;
    if (PyObject_GetBuffer(arg, &b, PyBUF_SIMPLE) < 0)
        return NULL;
    const char *p = b.buf;
    int ok = b.len < READ_BUF && core_parse(p, p + b.len, &v) == 0;
    PyBuffer_Release(&b);
    return PyFloat_FromDouble(ok ? v : NAN);
}

static PyMethodDef Sampler_methods[] = {
    {"start", (PyCFunction)Sampler_start, METH_NOARGS,
     "Start the thread (no-op if running); returns whether SCHED_FIFO was granted."},
    {"stop", (PyCFunction)Sampler_stop, METH_NOARGS,
     "Stop and join the thread (no-op if stopped)."},
    {"close", (PyCFunction)Sampler_close, METH_NOARGS,
     "Stop, close the files; rows stay drainable."},
    {"drain", (PyCFunction)Sampler_drain, METH_NOARGS,
     "Rows since the last drain as (int64 timestamps, float64 values) bytearrays."},
    {"drain_raw", (PyCFunction)Sampler_drain_raw, METH_NOARGS,
     "Like drain, plus the exact uint64 values (empty unless some counter is u64 or perf)."},
    {"counters", (PyCFunction)Sampler_counters, METH_NOARGS, "Cumulative counters as a dict."},
    {"channel_errors", (PyCFunction)Sampler_channel_errors, METH_NOARGS,
     "Read errors per channel."},
    {"open_errors", (PyCFunction)Sampler_open_errors, METH_NOARGS,
     "errno of each channel's last failed open (0 while open)."},
    {"lateness", (PyCFunction)Sampler_lateness, METH_NOARGS,
     "Wake lateness (ns, int64) of up to the last 65536 ticks, unordered."},
    {NULL, NULL, 0, NULL},
};

static PyTypeObject SamplerType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "hwinspector.probes._sampler.NativeSampler",
    .tp_basicsize = sizeof(SamplerObject),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc =
        "NativeSampler(specs, period_ns, capacity, realtime=False); a spec is a path (bytes), "
        "(path, offset, \"u64\") or " PERF_SPEC,
    .tp_new = Sampler_new,
    .tp_init = (initproc)Sampler_init,
    .tp_dealloc = (destructor)Sampler_dealloc,
    .tp_methods = Sampler_methods,
};

static PyMethodDef module_methods[] = {
    {"parse", parse_bytes, METH_O, "Parse one counter value as the sampler does (NaN if invalid)."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef sampler_module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "_sampler",
    .m_doc = "Native high-rate counter sampler.",
    .m_size = -1,
    .m_methods = module_methods,
};

PyMODINIT_FUNC PyInit__sampler(void)
{
    if (core_global_init() < 0)
        return PyErr_NoMemory();
    if (PyType_Ready(&SamplerType) < 0)
        return NULL;
    PyObject *m = PyModule_Create(&sampler_module);
    if (!m)
        return NULL;
    Py_INCREF(&SamplerType);
    if (PyModule_AddObject(m, "NativeSampler", (PyObject *)&SamplerType) < 0) {
        Py_DECREF(&SamplerType);
        Py_DECREF(m);
        return NULL;
    }
    if (PyModule_AddIntConstant(m, "LATENCY_WINDOW", LATENCY_WINDOW) < 0) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}

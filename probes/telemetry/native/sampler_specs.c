/* The native sampler's counter specs, from Python objects into the core: paths, binary registers,
 * perf counters and guards. */
#define _GNU_SOURCE
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <string.h>

#include "sampler_core.h"
#include "sampler_specs.h"

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
int spec_set_channel(sampler_core *c, size_t i, PyObject *spec)
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

/* guards: one entry per channel, None or the path (bytes) of the runtime_status read before it. */
int spec_set_guards(sampler_core *c, PyObject *guards)
{
    PyObject *seq = PySequence_Fast(guards, "guards must be a sequence of bytes or None");
    if (!seq)
        return -1;
    if ((size_t)PySequence_Fast_GET_SIZE(seq) != c->nch) {
        Py_DECREF(seq);
        PyErr_SetString(PyExc_ValueError, "guards needs one entry per channel");
        return -1;
    }
    for (size_t i = 0; i < c->nch; i++) {
        PyObject *g = PySequence_Fast_GET_ITEM(seq, (Py_ssize_t)i);
        char *raw;
        if (g == Py_None)
            continue;
        if (c->ch[i].kind == CH_PERF) {
            PyErr_SetString(PyExc_ValueError, "a perf counter cannot be guarded");
            goto fail;
        }
        if (path_bytes(g, &raw) < 0)
            goto fail;
        if (core_set_guard(c, i, raw) < 0) {
            PyErr_NoMemory();
            goto fail;
        }
    }
    Py_DECREF(seq);
    return 0;
fail:
    Py_DECREF(seq);
    return -1;
}

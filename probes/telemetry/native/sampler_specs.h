/* Counter specs of the native sampler's Python binding (sampler_specs.c). */
#ifndef HWINSPECTOR_SAMPLER_SPECS_H
#define HWINSPECTOR_SAMPLER_SPECS_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include "sampler_core.h"

#define PERF_SPEC "(type_path, config, \"perf\"|\"perf-delta\"|\"perf-ratio\", cpu, pid, config2)"

/* One counter spec: bytes (a decimal text counter), (bytes, offset, "u64") (a little-endian u64
 * read at offset, the /dev/cpu/N/msr format) or a perf counter. Sets a Python error and returns -1
 * if bad. */
int spec_set_channel(sampler_core *c, size_t i, PyObject *spec);
/* guards: one entry per channel, None or the path (bytes) of the runtime_status read before it. */
int spec_set_guards(sampler_core *c, PyObject *guards);

#endif

/* A stand-in for libnvidia-ml.so.1 with the few entry points hwinspector calls, returning fixed values.
 * It fakes the driver, not the code under test: NVIDIA's own binding (pynvml) loads it and calls it. */
#include <stdint.h>
#include <string.h>

typedef int nvmlReturn_t;
typedef void *nvmlDevice_t;
enum { OK = 0, NOT_SUPPORTED = 3, NOT_FOUND = 6, INSUFFICIENT_SIZE = 7 };

typedef struct { unsigned long long total, free, used; } nvmlMemory_t;
typedef struct { unsigned int gpu, memory; } nvmlUtilization_t;
typedef union { double d; unsigned int ui; unsigned long ul; unsigned long long ull; long long sll; int si; unsigned short us; } nvmlValue_t;
typedef struct {
    unsigned int fieldId, scopeId;
    long long timestamp, latencyUsec;
    int valueType;
    nvmlReturn_t nvmlReturn;
    nvmlValue_t value;
} nvmlFieldValue_t;
typedef struct { unsigned int pid; unsigned long long usedGpuMemory; unsigned int gpuInstanceId, computeInstanceId; } nvmlProcessInfo_t;

static int device_token = 1;
static int inits;

nvmlReturn_t nvmlInitWithFlags(unsigned int flags) { (void)flags; inits++; return OK; }
nvmlReturn_t nvmlInit_v2(void) { inits++; return OK; }
nvmlReturn_t nvmlShutdown(void) { inits--; return OK; }
const char *nvmlErrorString(nvmlReturn_t r) { return r == NOT_FOUND ? "Not Found" : "Unknown Error"; }

nvmlReturn_t nvmlDeviceGetHandleByPciBusId_v2(const char *bus, nvmlDevice_t *dev) {
    if (strcmp(bus, "00000000:01:00.0") != 0) return NOT_FOUND;
    *dev = &device_token;
    return OK;
}
nvmlReturn_t nvmlDeviceGetPowerUsage(nvmlDevice_t d, unsigned int *mw) { (void)d; *mw = 31500; return OK; }
nvmlReturn_t nvmlDeviceGetTotalEnergyConsumption(nvmlDevice_t d, unsigned long long *mj) { (void)d; *mj = 123456789ULL; return OK; }
nvmlReturn_t nvmlDeviceGetEnforcedPowerLimit(nvmlDevice_t d, unsigned int *mw) { (void)d; *mw = 320000; return OK; }
nvmlReturn_t nvmlDeviceGetTemperature(nvmlDevice_t d, int sensor, unsigned int *t) { (void)d; (void)sensor; *t = 47; return OK; }
nvmlReturn_t nvmlDeviceGetClockInfo(nvmlDevice_t d, int type, unsigned int *mhz) {
    static const unsigned int clocks[] = {210, 210, 405, 555};
    (void)d;
    if (type < 0 || type > 3) return NOT_SUPPORTED;
    *mhz = clocks[type];
    return OK;
}
nvmlReturn_t nvmlDeviceGetUtilizationRates(nvmlDevice_t d, nvmlUtilization_t *u) { (void)d; u->gpu = 7; u->memory = 3; return OK; }
nvmlReturn_t nvmlDeviceGetMemoryInfo(nvmlDevice_t d, nvmlMemory_t *m) {
    (void)d;
    m->total = 16ULL << 30;
    m->used = 512ULL << 20;
    m->free = m->total - m->used;
    return OK;
}
/* A laptop GPU without a fan: NVML says "not supported". */
nvmlReturn_t nvmlDeviceGetFanSpeed(nvmlDevice_t d, unsigned int *p) { (void)d; (void)p; return NOT_SUPPORTED; }
nvmlReturn_t nvmlDeviceGetCurrentClocksEventReasons(nvmlDevice_t d, unsigned long long *r) { (void)d; *r = 0x1 | 0x4; return OK; }
nvmlReturn_t nvmlDeviceGetFieldValues(nvmlDevice_t d, int n, nvmlFieldValue_t *v) {
    (void)d;
    for (int i = 0; i < n; i++) {
        if (v[i].fieldId == 186) { /* NVML_FI_DEV_POWER_INSTANT */
            v[i].nvmlReturn = OK;
            v[i].valueType = 1;
            v[i].value.ui = 42250;
        } else {
            v[i].nvmlReturn = NOT_SUPPORTED; /* no averaged field on this driver: GetPowerUsage answers */
        }
    }
    return OK;
}
static nvmlReturn_t processes(unsigned int *count, nvmlProcessInfo_t *p, unsigned int pid, unsigned long long bytes) {
    if (p == NULL || *count < 1) { *count = 1; return INSUFFICIENT_SIZE; }
    memset(p, 0, sizeof *p);
    p->pid = pid;
    p->usedGpuMemory = bytes;
    *count = 1;
    return OK;
}
nvmlReturn_t nvmlDeviceGetGraphicsRunningProcesses_v3(nvmlDevice_t d, unsigned int *c, nvmlProcessInfo_t *p) { (void)d; return processes(c, p, 4242, 300ULL << 20); }
nvmlReturn_t nvmlDeviceGetComputeRunningProcesses_v3(nvmlDevice_t d, unsigned int *c, nvmlProcessInfo_t *p) { (void)d; return processes(c, p, 4343, 1ULL << 30); }

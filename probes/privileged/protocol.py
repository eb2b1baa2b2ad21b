"""The helper's wire protocol: limits and names shared by the helper and its client.

One JSON object per line in each direction; every request gets exactly one answer line carrying
``"ok": true`` or ``"ok": false`` with an ``"error"`` sentence. Requests may carry an ``"id"`` (a
short string or an integer) that the answer repeats.
"""

from __future__ import annotations

from typing import Final

PROTOCOL_VERSION: Final = 1
HELPER_NAME: Final = "hwinspector-helper"  # the console script, and the polkit action's program
MAX_REQUEST_BYTES: Final = 4096  # per line, newline included; longer lines are refused whole
MAX_IDS_PER_REQUEST: Final = 256
MAX_ROWS_PER_ANSWER: Final = 2000

# Energy counters became root-only because reading them often is a side channel: PLATYPUS
# (CVE-2020-8694, CVE-2020-8695) recovered keys from energy differences sampled at the counters'
# ~1 kHz update rate. The helper never streams them faster than this; a 50 ms window averages over
# tens of millions of instructions. It narrows the channel; it does not close it, which is why
# reading them still needs an administrator's consent.
RAPL_MAX_RATE_HZ: Final = 20.0
MSR_MAX_RATE_HZ: Final = 200.0  # residency counters: turbostat's own default is one read per 5 s
# GPU PMU counters: i915 itself samples frequencies at 200 Hz (i915_pmu.c FREQUENCY). The iGPU's RAPL
# energy (perf's power/energy-gpu) is the PLATYPUS side channel again: it gets RAPL_MAX_RATE_HZ.
PMU_MAX_RATE_HZ: Final = 200.0

SUSPEND_MIN_S: Final = 5
SUSPEND_MAX_S: Final = 600

OPS: Final = (
    "hello",
    "list",
    "read",
    "stream_start",
    "pmu_stream_start",
    "stream_read",
    "stream_stop",
    "suspend_cycle",
    "gpu_dump",
)

RAPL_SIDE_CHANNEL_NOTE: Final = (
    "Processor energy counters are root-only since Linux 5.10 because fast readings leak what other "
    "programs compute (PLATYPUS, CVE-2020-8694). The helper reads them at most "
    f"{RAPL_MAX_RATE_HZ:g} times a second and only while you ask it to."
)

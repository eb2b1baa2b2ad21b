"""A fake machine for the helper: MSR fixture, powercap zone, PMC debugfs files, RTC alarm and power/state."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from hwinspector.probes.privileged.sources import Roots

DATA = Path(__file__).resolve().parents[2] / "data"


def build_roots(tmp: Path) -> Roots:
    shutil.copytree(DATA / "msr" / "intel-xeon-e3-1270", tmp, dirs_exist_ok=True)
    zone = tmp / "sys" / "class" / "powercap" / "intel-rapl:0"
    zone.mkdir(parents=True)
    (zone / "name").write_text("package-0\n")
    (zone / "energy_uj").write_text("123456789\n")
    (zone / "max_energy_range_uj").write_text("262143328850\n")
    debugfs = tmp / "debug"
    (debugfs / "pmc_core").mkdir(parents=True)
    (debugfs / "pmc_core" / "slp_s0_residency_usec").write_text("81234567\n")
    rtc = tmp / "sys" / "class" / "rtc" / "rtc0"
    rtc.mkdir(parents=True)
    (rtc / "wakealarm").write_text("")
    (tmp / "sys" / "power").mkdir(parents=True)
    (tmp / "sys" / "power" / "state").write_text("")
    return Roots(sysfs=tmp / "sys", devfs=tmp / "dev", procfs=tmp / "proc", debugfs=debugfs)


def spawn_helper(roots: Roots) -> subprocess.Popen[bytes]:
    """The helper's real I/O loop in its own process, pointed at a fake machine."""
    code = (
        "import json, sys; from pathlib import Path; "
        "from hwinspector.probes.privileged.server import serve; "
        "from hwinspector.probes.privileged.sources import Roots; "
        "r = {k: Path(v) for k, v in json.loads(sys.argv[1]).items()}; "
        "sys.exit(serve(sys.stdin.buffer, sys.stdout.buffer, Roots(**r)))"
    )
    arg = json.dumps({k: str(getattr(roots, k)) for k in ("sysfs", "devfs", "procfs", "debugfs")})
    return subprocess.Popen(
        [sys.executable, "-c", code, arg], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )

"""Fixed capture inputs for the evidence-bundle tests: fake tools, files, sections, key, clock.

The same inputs must give the same bundle bytes, so nothing here reads the live machine.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from hwinspector.probes.machine.sections import SECTIONS, Section
from hwinspector.report.assemble import PrivacySetup
from hwinspector.report.capture import CaptureOptions
from hwinspector.report.privacy import PrivacyContext
from hwinspector.report.raw_collectors import BINARY, RawSpec

DATA = Path(__file__).resolve().parent.parent / "data"
KEY = bytes(range(32))
CREATED = 1_750_000_000.25  # 2025-06-15T15:06:40.250Z
RANDOM_HEX = "0123abcd"
HOSTNAME = "qa-bench-host7"
MAC = "12:34:56:78:9a:bc"
DISK_SERIAL = "S4EWNX0R123456"
BATTERY_SERIAL = "BATSER4242"
HOSTILE = (
    '<script>alert("x")</script><img src="http://evil.example/p.png"> [link](https://evil.example) ![i](http://e/i)'
)
MACHINE = "ACME Laptop 9000"


def edid_with_serial() -> bytes:
    """A real-layout EDID with serial number 16909060 and serial string SN12345 (tests/data/edid)."""
    return bytes.fromhex(re.sub(r"[^0-9a-fA-F]", "", (DATA / "edid/base-1.4-dp.hex").read_text()))


def fake_tools(bin_dir: Path) -> Path:
    """Small scripts standing in for tools: fine, hanging, garbage-printing, failing, chatty."""
    bin_dir.mkdir(parents=True, exist_ok=True)
    scripts = {
        "hwi-ok": f'#!/bin/sh\necho "tool output on {HOSTNAME}"\necho "HWaddr {MAC}"\necho "LC_ALL=$LC_ALL"\n',
        # A tool that hangs, with a child that would keep the pipe open: the whole group must die.
        "hwi-hang": '#!/bin/sh\necho started\nsleep 300 &\necho "$!" > "$HWI_CHILD_PID"\nsleep 300\n',
        "hwi-garbage": "#!/bin/sh\nprintf '\\377\\376\\000\\001garbage\\033[31m\\200\\n'\n",
        "hwi-fail": '#!/bin/sh\necho partial\necho "cannot open /dev/foo: Permission denied" >&2\nexit 3\n',
        "hwi-big": "#!/bin/sh\nhead -c 3000000 /dev/zero | tr '\\0' 'x'\n",
    }
    for name, text in scripts.items():
        p = bin_dir / name
        p.write_text(text)
        p.chmod(0o755)
    return bin_dir


def fixed_sections() -> dict[str, Section]:
    devices = [
        {
            "path": "/devices/pci0000:00/0000:00:02.0",
            "parent": None,
            "subsystem": "pci",
            "devtype": None,
            "driver": "i915",
            "module": "i915",
            "name": "Intel Corporation UHD Graphics 620",
            "kind": "Display adapters",
            "properties": {"PCI_ID": "8086:5917", "DRIVER": "i915"},
            "attributes": {"vendor": "0x8086"},
            "binary_attributes": {},
            "errors": [],
        },
        {
            "path": "/devices/pci0000:00/0000:00:1d.0/0000:04:00.0/nvme/nvme0",
            "parent": None,
            "subsystem": "nvme",
            "devtype": None,
            "driver": None,
            "module": None,
            "name": "NVMe disk",
            "kind": "Storage",
            "properties": {"ID_SERIAL_SHORT": DISK_SERIAL},
            "attributes": {"serial": DISK_SERIAL, "address": MAC},
            "binary_attributes": {},
            "errors": [],
        },
        {
            "path": "/devices/pci0000:00/0000:00:1c.4/0000:02:00.0",
            "parent": None,
            "subsystem": "pci",
            "devtype": None,
            "driver": None,
            "module": None,
            "name": HOSTILE,
            "kind": "Other",
            "properties": {},
            "attributes": {},
            "binary_attributes": {},
            "errors": [],
        },
    ]
    data: dict[str, Any] = {
        "identity": {
            "vendor": "ACME",
            "product": "Laptop 9000",
            "bios_version": "1.2.3",
            "kernel": "Linux 6.1.0",
            "os_name": "Debian GNU/Linux 12 (bookworm)",
            "architecture": "x86_64",
            "cpu_model": "Test CPU",
        },
        "devices": {"source": {"kind": "live", "label": "live machine"}, "devices": devices},
        "drivers": {
            "bindings": [
                {
                    "driver": "i915",
                    "module": "i915",
                    "bus": "pci",
                    "devices": [devices[0]["path"]],
                    "module_version": None,
                    "srcversion": None,
                    "parameters": {},
                }
            ],
            "problems": [
                {
                    "path": devices[2]["path"],
                    "kind": "unbound",
                    "severity": "warning",
                    "subsystem": "pci",
                    "modalias": "pci:v00001217d00008621",
                    "candidates": ["sdhci_pci"],
                    "detail": "SD Host controller has no driver",
                    "name": HOSTILE,
                }
            ],
            "taint": {"value": 0, "flags": [], "crash": False},
        },
        "graphics": {
            "gpus": [],
            "connectors": [
                {
                    "name": "card1-eDP-1",
                    "status": "connected",
                    "monitor": "HWI TEST 27",
                    "problems": [{"severity": "error", "subject": "card1-eDP-1", "detail": "link training failed"}],
                }
            ],
            "problems": [],
            "notes": [],
        },
        "power": {
            "supplies": [
                {
                    "name": "BAT0",
                    "type": "Battery",
                    "capacity_percent": 74.0,
                    "status": "Discharging",
                    "power_watts": 8.4,
                    "serial_number": BATTERY_SERIAL,
                }
            ],
            "rapl": [],
        },
        "thermal": {"zones": [{"id": "thermal_zone0", "type": "x86_pkg_temp", "temp_celsius": 53.0}], "hwmon": []},
        "meta": {"collected_at": CREATED},
    }
    out = {n: Section(n, True, None, d) for n, d in data.items()}
    for name in SECTIONS:
        out.setdefault(name, Section(name, False, "not in this test", None))
    return out


def fixed_plan(root: Path, bin_dir: Path, *, with_failures: bool = False) -> list[RawSpec]:
    """Commands by absolute path (no PATH lookup), files under ``root``, an EDID with a serial."""
    files = root / "files"
    files.mkdir(parents=True, exist_ok=True)
    (files / "cmdline").write_text(f"root=/dev/sda1 quiet hostname={HOSTNAME}\n")
    (files / "edid").write_bytes(edid_with_serial())
    plan = [
        RawSpec("raw/test/ok.txt", "test", "hwi-ok", argv=(str(bin_dir / "hwi-ok"),)),
        RawSpec("raw/kernel/cmdline", "kernel", "cmdline", file=files / "cmdline"),
        RawSpec("raw/drm/card1-eDP-1.edid.bin", "drm", "EDID", file=files / "edid", media_type=BINARY, privacy="edid"),
    ]
    if with_failures:
        plan += [
            RawSpec("raw/test/hang.txt", "test", "hwi-hang", argv=(str(bin_dir / "hwi-hang"),)),
            RawSpec("raw/test/garbage.txt", "test", "hwi-garbage", argv=(str(bin_dir / "hwi-garbage"),)),
            RawSpec("raw/test/fail.txt", "test", "hwi-fail", argv=(str(bin_dir / "hwi-fail"),)),
            RawSpec("raw/test/missing.txt", "test", "hwi-missing", argv=("hwi-not-installed-anywhere",)),
            RawSpec("raw/test/broken-probe.txt", "test", "broken probe", read=_broken_probe, probe="broken"),
        ]
    return plan


def _broken_probe() -> bytes:
    raise RuntimeError("a probe bug")


def fixed_options(root: Path, **kw: Any) -> CaptureOptions:
    bin_dir = fake_tools(root / "bin")
    defaults: dict[str, Any] = {
        "plan": fixed_plan(root, bin_dir, with_failures=kw.pop("with_failures", False)),
        "sections": lambda progress: fixed_sections(),
        "clock": lambda: CREATED,
        "random_hex": RANDOM_HEX,
        "include_gl": False,
        "sysfs": root / "sys",
        "procfs": root / "proc",
        "devfs": root / "dev",
        "etc": root / "etc",
        "workers": 2,
    }
    defaults.update(kw)
    return CaptureOptions(**defaults)


def fixed_privacy() -> PrivacySetup:
    return PrivacySetup(KEY, PrivacyContext((("hostname", HOSTNAME),)))

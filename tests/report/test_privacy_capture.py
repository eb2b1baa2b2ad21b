"""End to end: identifiers planted in a umockdev machine and on a mocked UPower never reach a bundle.

Runs in the umockdev pass of `make test` (under umockdev-wrapper): the capture reads the testbed's /sys
with the same code and tools as on a real machine, and `upower -d` talks to python-dbusmock.
"""

from __future__ import annotations

import gzip
import io
import lzma
import os
import re
import shutil
import tarfile
from pathlib import Path
from typing import Any

import pytest

from hwinspector.report.assemble import PrivacySetup
from hwinspector.report.capture import CaptureOptions, capture
from hwinspector.report.raw_collectors import RawSpec, default_plan
from tests.dbusmock_templates.mockbus import W520_BAT0, private_system_bus, spawn_upower

pytestmark = pytest.mark.umockdev

LAPTOP = Path(__file__).resolve().parent.parent / "data" / "umockdev" / "laptop.umockdev"
EDID = Path(__file__).resolve().parent.parent / "data" / "edid" / "base-1.4-dp.hex"
BAT0 = "/sys/devices/LNXSYSTM:00/LNXSYBUS:00/PNP0C0A:00/power_supply/BAT0"
WIFI = "/sys/devices/pci0000:00/0000:00:1c.5/0000:03:00.0/net/wlp3s0"
EDP = "/sys/devices/pci0000:00/0000:00:02.0/drm/card1/card1-eDP-1"
DMI = "/sys/devices/virtual/dmi/id"
HOSTNAME, USER = "qa-rig-7", "alice"
PLANTED = {
    "usb serial": "200901010001",  # the camera's, recorded in laptop.umockdev
    "nvme serial": "87VB6270K5LS",
    "battery serial": "Q8K3",  # short: masked where a key names it, not wherever four characters match
    "DMI serial": "PF2ABCDE9",
    "MAC": "3c:22:fb:aa:bb:cc",
    "EDID serial string": "SN12345",
    "EDID serial number": "16909060",
    "hostname": HOSTNAME,
    "user": USER,
    "UPower battery serial": "DBUSBAT5150",
}
TOKEN = re.compile(r"\b[A-Z][A-Z_]*-[A-Z2-7]{12}\b")

system_bus = pytest.fixture(private_system_bus)


@pytest.fixture
def testbed():  # type: ignore[no-untyped-def]
    if "umockdev" not in os.environ.get("LD_PRELOAD", ""):
        pytest.skip("needs umockdev-wrapper around the test process (the umockdev pass of make test)")
    import gi

    gi.require_version("UMockdev", "1.0")
    from gi.repository import UMockdev

    tb = UMockdev.Testbed.new()
    tb.add_from_file(str(LAPTOP))
    tb.set_attribute(BAT0, "serial_number", PLANTED["battery serial"] + "\n")
    tb.set_attribute(WIFI, "address", PLANTED["MAC"] + "\n")
    for field in ("product_serial", "chassis_serial"):
        tb.set_attribute(DMI, field, PLANTED["DMI serial"] + "\n")
    edid = bytes.fromhex(re.sub(r"[^0-9a-fA-F]", "", EDID.read_text()))
    tb.set_attribute_binary(EDP, "edid", list(edid))
    yield tb
    del tb


def _machine_files(tmp_path: Path) -> tuple[Path, Path]:
    """/etc with the hostname and a person, and a log line that names both."""
    etc = tmp_path / "etc"
    etc.mkdir()
    (etc / "hostname").write_text(HOSTNAME + "\n")
    (etc / "passwd").write_text(f"root:x:0:0::/root:/bin/sh\n{USER}:x:1000:1000:Alice:/home/{USER}:/bin/bash\n")
    log = tmp_path / "auth.log"
    log.write_text(f"Jun  1 12:00:00 {HOSTNAME} sudo:    {USER} : TTY=pts/0 ; PWD=/home/{USER} ; COMMAND=/bin/true\n")
    return etc, log


def _capture(tmp_path: Path, etc: Path, log: Path, key: Path | None, out: str) -> Path:
    plan = [
        *default_plan(Path("/sys"), Path("/proc"), Path("/dev")),
        RawSpec("raw/misc/auth.log", "misc", "auth.log", file=log),
    ]
    options = CaptureOptions(include_gl=False, etc=etc, plan=plan, command_timeout_s=15)
    privacy = PrivacySetup.load(options, key_path=key) if key is not None else None  # None: --no-redact
    path, _, _ = capture(options, tmp_path / out, privacy=privacy)
    return path


def _texts(bundle: Path) -> dict[str, str]:
    """Every member as text, gzip members decompressed, binary members also as hex."""
    out: dict[str, str] = {}
    with tarfile.open(fileobj=io.BytesIO(lzma.decompress(bundle.read_bytes()))) as tar:
        for m in tar:
            f = tar.extractfile(m) if m.isfile() else None
            if f is None:
                continue
            data = f.read()
            if data[:2] == b"\x1f\x8b":
                data = gzip.decompress(data)
            out[m.name] = data.decode("utf-8", "replace") + "\n" + data.hex()
    return out


def _found(texts: dict[str, str], value: str) -> list[str]:
    rx = re.compile(rf"(?<![0-9A-Za-z]){re.escape(value)}(?![0-9A-Za-z])", re.IGNORECASE)
    return [name for name, text in texts.items() if rx.search(text)]


def _tokens(texts: dict[str, str]) -> set[str]:
    return {t for name, text in texts.items() if "/structured/" in name for t in TOKEN.findall(text)}


@pytest.mark.skipif(shutil.which("upower") is None, reason="the upower client is not installed")
def test_planted_identifiers_never_reach_the_bundle(testbed: Any, system_bus: Any, tmp_path: Path) -> None:
    spawn_upower(system_bus, {"battery_BAT0": {**W520_BAT0, "Serial": PLANTED["UPower battery serial"]}})
    etc, log = _machine_files(tmp_path)
    key = tmp_path / "privacy.key"
    # the oracle: captured with --no-redact, every planted value is there (else this test proves nothing)
    plain = _texts(_capture(tmp_path, etc, log, None, "plain"))
    assert {what: bool(_found(plain, value)) for what, value in PLANTED.items()} == dict.fromkeys(PLANTED, True)
    first = _texts(_capture(tmp_path, etc, log, key, "one"))
    # the planted values were really captured, masked: the tools and sections saw them
    assert "raw/misc/auth.log" in "".join(first) and any(n.endswith("raw/power/upower-d.txt") for n in first)
    upower = next(t for n, t in first.items() if n.endswith("raw/power/upower-d.txt"))
    assert re.search(r"serial:\s+BATTERY_SERIAL-[A-Z2-7]{12}", upower), upower[:2000]
    leaks = {what: _found(first, value) for what, value in PLANTED.items()}
    assert {what: where for what, where in leaks.items() if where} == {}
    manifest = next(t for n, t in first.items() if n.endswith("/manifest.json"))
    for cat in ("usb_serial", "battery_serial", "dmi_serial", "mac", "edid_serial", "hostname", "user"):
        assert re.search(rf'"{cat}": \{{\s*"count": [1-9]', manifest), cat
    # the same machine captured again with the same key: the same tokens
    second = _texts(_capture(tmp_path, etc, log, key, "two"))
    assert _tokens(first) == _tokens(second) and len(_tokens(first)) >= 6
    # another installation's key: none of the tokens match
    other = _texts(_capture(tmp_path, etc, log, tmp_path / "other.key", "three"))
    assert _tokens(other) and not (_tokens(first) & _tokens(other))

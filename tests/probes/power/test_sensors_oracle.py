"""Oracles: lm-sensors' `sensors -j` and the recorded attributes, both read through umockdev's /sys.

Each test runs two programs under `umockdev-run` on the same recording: the real `sensors`, and a
small Python script that calls our probes with their default sysfs=/sys (umockdev redirects it).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from hwinspector.probes.power.hwmon import KINDS, LIMITS

LAPTOP = Path(__file__).resolve().parents[2] / "data" / "umockdev" / "laptop.umockdev"
# The kinds libsensors knows; pwm and freq are ours only.
SENSORS_KINDS = ("in", "fan", "temp", "power", "energy", "curr", "humidity", "intrusion")
_SUB_RE = re.compile(r"^(in|fan|temp|power|energy|curr|humidity|intrusion)(\d+)_(.+)$")
# Subfeatures libsensors reports unscaled (lib/sysfs.c get_type_scaling: second-class subfeatures).
_UNSCALED = ("alarm", "fault", "beep", "type", "div", "pulses")

needs_tools = pytest.mark.skipif(
    shutil.which("umockdev-run") is None or shutil.which("sensors") is None,
    reason="needs umockdev-run and sensors (Debian packages umockdev and lm-sensors)",
)

OUR_HWMON = """
import json
from hwinspector.probes.power.hwmon import list_hwmon_chips
print(json.dumps({
    c.sensors_id: {
        "adapter": c.adapter,
        "inputs": [
            {"id": i.id, "kind": i.kind, "label": i.label, "value": i.value, "error": i.error,
             "limits": dict(i.limits), "flags": dict(i.flags), "extra": dict(i.extra)}
            for i in c.inputs
        ],
    }
    for c in list_hwmon_chips()
}))
"""

OUR_POWER_THERMAL = """
import dataclasses, json
from hwinspector.probes.power.supply import list_power_supplies
from hwinspector.probes.power.powercap import list_rapl_domains
from hwinspector.probes.power.thermal import list_cooling_devices, list_thermal_zones
print(json.dumps({
    "supplies": [dataclasses.asdict(s) for s in list_power_supplies()],
    "zones": [dataclasses.asdict(z) for z in list_thermal_zones()],
    "cooling": [dataclasses.asdict(c) for c in list_cooling_devices()],
    "rapl": [dataclasses.asdict(d) for d in list_rapl_domains()],
}))
"""


def _umockdev_env() -> dict[str, str]:
    # umockdev builds its testbed under $TMPDIR and writes every attribute with GLib's
    # g_file_set_contents, which syncs each file to disk: the laptop recording takes ~7 s to load on
    # a disk and 0.2 s on tmpfs.
    env = dict(os.environ)
    shm = Path("/dev/shm")
    if shm.is_dir() and os.access(shm, os.W_OK):
        env["TMPDIR"] = str(shm)
    return env


def run_under(recording: Path, *argv: str) -> str:
    proc = subprocess.run(
        ["umockdev-run", "-d", str(recording), "--", *argv],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env=_umockdev_env(),
    )
    assert proc.returncode == 0, f"{argv[0]} failed under umockdev: {proc.stderr}"
    return proc.stdout


def sensors_json(recording: Path, tmp_path: Path) -> dict[str, Any]:
    # An empty configuration: labels and values come from the kernel attributes only, not from
    # /etc/sensors3.conf's per-chip statements.
    empty = tmp_path / "empty.conf"
    empty.write_text("")
    result: dict[str, Any] = json.loads(run_under(recording, "sensors", "-c", str(empty), "-j"))
    return result


def ours(recording: Path, script: str) -> dict[str, Any]:
    result: dict[str, Any] = json.loads(run_under(recording, sys.executable, "-c", script))
    return result


def _close(a: float, b: float) -> bool:
    return abs(a - b) <= 0.0005 + 1e-9 * abs(b)  # sensors prints %.3f


def compare_with_sensors(theirs: Mapping[str, Any], mine: Mapping[str, Any]) -> list[str]:
    """Every chip, feature, label and value `sensors -j` shows must be ours too, and the reverse."""
    problems: list[str] = []
    mine_visible = {
        chip: data
        for chip, data in mine.items()
        if any(i["kind"] in SENSORS_KINDS for i in data["inputs"])  # libsensors drops chips without any
    }
    if set(theirs) != set(mine_visible):
        problems.append(f"chips differ: sensors {sorted(theirs)} ours {sorted(mine_visible)}")
    for chip in sorted(set(theirs) & set(mine_visible)):
        features = {k: v for k, v in theirs[chip].items() if k not in ("Adapter", "beep_enable")}
        inputs = {i["id"]: i for i in mine_visible[chip]["inputs"] if i["kind"] in SENSORS_KINDS}
        if theirs[chip]["Adapter"] != mine_visible[chip]["adapter"]:
            problems.append(f"{chip}: adapter {theirs[chip]['Adapter']!r} vs {mine_visible[chip]['adapter']!r}")
        seen: set[str] = set()
        for label, subs in features.items():
            ids = {m.group(1) + m.group(2) for name in subs if (m := _SUB_RE.match(name))}
            if len(ids) != 1:
                problems.append(f"{chip}/{label}: cannot tell the input from {sorted(subs)}")
                continue
            ident = ids.pop()
            seen.add(ident)
            inp = inputs.get(ident)
            if inp is None:
                problems.append(f"{chip}/{ident}: missing from ours")
                continue
            if inp["label"] != label:
                problems.append(f"{chip}/{ident}: label {inp['label']!r} vs sensors {label!r}")
            for name, value in subs.items():
                sub = name.split("_", 1)[1]
                if sub == "input" or (sub == "average" and inp["kind"] == "power" and "average" not in inp["limits"]):
                    got = inp["value"]
                elif sub in LIMITS:
                    got = inp["limits"].get(sub)
                elif sub.endswith("alarm") or sub in ("fault", "beep"):
                    got = None if sub not in inp["flags"] else float(inp["flags"][sub])
                else:
                    raw = inp["extra"].get(sub)
                    got = None if raw is None else float(raw)
                if got is None or not _close(got, value):
                    problems.append(f"{chip}/{ident}/{sub}: ours {got} vs sensors {value}")
        for ident in sorted(set(inputs) - seen):
            problems.append(f"{chip}/{ident}: ours only")
    return problems


@needs_tools
def test_laptop_recording_against_sensors(tmp_path: Path) -> None:
    theirs = sensors_json(LAPTOP, tmp_path)
    mine = ours(LAPTOP, OUR_HWMON)
    assert compare_with_sensors(theirs, mine) == []
    # what the recording promises, seen through both tools
    assert {
        "coretemp-isa-0000", "acpitz-acpi-0", "nvme-pci-0400", "dell_smm-isa-0000", "amdgpu-pci-0100",
        "BAT0-acpi-0", "pch_skylake-virtual-0", "iwlwifi_1-virtual-0",
    } == set(theirs)  # fmt: skip
    assert list(theirs["coretemp-isa-0000"])[1:] == ["Package id 0", "Core 0", "Core 1", "Core 2", "Core 3"]
    assert theirs["nvme-pci-0400"]["Composite"]["temp1_input"] == pytest.approx(35.85)
    assert theirs["dell_smm-isa-0000"]["Processor Fan"]["fan1_input"] == 2435
    # ours also reads what libsensors does not know: the GPU clock and the fan duty cycle
    extra = {
        (chip, i["id"]): i["value"] for chip, d in mine.items() for i in d["inputs"] if i["kind"] not in SENSORS_KINDS
    }
    assert extra == {("amdgpu-pci-0100", "freq1"): 300.0, ("dell_smm-isa-0000", "pwm1"): pytest.approx(128 / 2.55)}


def test_comparison_catches_differences() -> None:
    # the comparison itself must be able to fail
    theirs = {"x-isa-0000": {"Adapter": "ISA adapter", "CPU": {"temp1_input": 40.0, "temp1_crit": 90.0}}}
    same = {
        "x-isa-0000": {
            "adapter": "ISA adapter",
            "inputs": [{"id": "temp1", "kind": "temp", "label": "CPU", "value": 40.0, "error": None,
                        "limits": {"crit": 90.0}, "flags": {}, "extra": {}}],
        }
    }  # fmt: skip
    assert compare_with_sensors(theirs, same) == []
    wrong = json.loads(json.dumps(same))
    wrong["x-isa-0000"]["inputs"][0]["value"] = 40.002
    wrong["x-isa-0000"]["inputs"][0]["label"] = "temp1"
    assert compare_with_sensors(theirs, wrong) == [
        "x-isa-0000/temp1: label 'temp1' vs sensors 'CPU'",
        "x-isa-0000/temp1/input: ours 40.002 vs sensors 40.0",
    ]


# --- real `sensors -j` captures from the corpus, replayed ------------------------------------------


def _raw(kind: str, sub: str, value: float) -> int:
    """The sysfs integer behind a `sensors -j` value (libsensors divides by the kind's factor)."""
    if sub.endswith("alarm") or sub in _UNSCALED or sub == "enable":
        return round(value)
    return round(value * KINDS[kind][1])


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("\n", "\\n")


def sensors_json_to_umockdev(capture: Mapping[str, Any]) -> str:
    """A umockdev recording whose hwmon devices are the chips of a `sensors -j` capture.

    Each chip hangs off a device of the bus its name says (platform, PCI, ACPI, none), so libsensors
    derives the same chip name from the recording.
    """
    records: list[str] = []
    for n, (chip, features) in enumerate(capture.items()):
        m = re.match(r"^(?P<name>.+)-(?P<bus>isa|pci|acpi|virtual)-(?P<addr>[0-9a-f]+)$", chip)
        assert m, f"cannot place chip {chip}"
        name, bus, addr = m["name"], m["bus"], int(m["addr"], 16)
        parent = subsystem = ""
        if bus == "isa":
            parent, subsystem = f"/devices/platform/{re.sub(r'[^a-z0-9_]', '_', name)}.{addr}", "platform"
        elif bus == "pci":
            slot = f"{addr >> 16:04x}:{(addr >> 8) & 0xFF:02x}:{(addr >> 3) & 0x1F:02x}.{addr & 7:x}"
            parent, subsystem = f"/devices/pci0000:00/{slot}", "pci"
        elif bus == "acpi":
            parent, subsystem = f"/devices/LNXSYSTM:00/LNXSYBUS:01/LNXTHERM:{n:02x}", "acpi"
        if parent:
            records.append(f"P: {parent}\nE: SUBSYSTEM={subsystem}")
        lines = [f"P: {parent or '/devices/virtual'}/hwmon/hwmon{n}", "E: SUBSYSTEM=hwmon", f"A: name={name}\\n"]
        for label, subs in features.items():
            if label == "Adapter":
                continue
            ident = None
            for sub_name, value in subs.items():
                sm = _SUB_RE.match(sub_name)
                if sm is None:  # beep_enable: a chip-wide flag
                    lines.append(f"A: {sub_name}={round(value)}\\n")
                    continue
                ident = sm.group(1) + sm.group(2)
                lines.append(f"A: {sub_name}={_raw(sm.group(1), sm.group(3), value)}\\n")
            if ident is not None and label != ident:
                lines.append(f"A: {ident}_label={_escape(label)}\\n")
        if parent:
            lines.append(f"L: device=../../../{parent.rsplit('/', 1)[1]}")
        records.append("\n".join(lines))
    return "\n\n".join(records) + "\n"


@needs_tools
@pytest.mark.parametrize("name", ["asrock.sj", "kfanfail.sj", "kfanless.sj"])
def test_real_captures_replayed(corpus: Path, tmp_path: Path, name: str) -> None:
    capture_path = corpus / "sensors" / "buonviri-HJS" / name
    capture = json.loads(capture_path.read_text())
    recording = tmp_path / "replay.umockdev"
    recording.write_text(sensors_json_to_umockdev(capture))
    theirs = sensors_json(recording, tmp_path)
    # the replay is faithful: today's sensors reads it back as the original machine's sensors printed it
    assert compare_with_sensors(capture, _as_ours(capture)) == []
    assert theirs.keys() == capture.keys()
    for chip in capture:
        assert theirs[chip].keys() == capture[chip].keys(), chip
        for label in capture[chip]:
            if label != "Adapter":
                assert theirs[chip][label] == pytest.approx(capture[chip][label], abs=0.0005), (chip, label)
    mine = ours(recording, OUR_HWMON)
    assert compare_with_sensors(theirs, mine) == []


def _as_ours(capture: Mapping[str, Any]) -> dict[str, Any]:
    """The capture in our shape, to check that compare_with_sensors accepts an exact copy."""
    out: dict[str, Any] = {}
    for chip, features in capture.items():
        inputs = []
        for label, subs in features.items():
            if label in ("Adapter", "beep_enable"):
                continue
            m = next(_SUB_RE.match(s) for s in subs if _SUB_RE.match(s))
            assert m is not None
            inp: dict[str, Any] = {"id": m.group(1) + m.group(2), "kind": m.group(1), "label": label,
                                   "value": None, "error": None, "limits": {}, "flags": {}, "extra": {}}  # fmt: skip
            for s, v in subs.items():
                sub = s.split("_", 1)[1]
                if sub == "input":
                    inp["value"] = v
                elif sub in LIMITS:
                    inp["limits"][sub] = v
                elif sub.endswith("alarm") or sub in ("fault", "beep"):
                    inp["flags"][sub] = bool(v)
                else:
                    inp["extra"][sub] = str(round(v))
            inputs.append(inp)
        out[chip] = {"adapter": features["Adapter"], "inputs": inputs}
    return out


# --- power supply, thermal and RAPL values against the attributes written in the recording ---------


def parse_umockdev(text: str) -> dict[str, dict[str, str]]:
    """devpath -> attribute text, as a process under umockdev reads it (escapes resolved)."""
    devices: dict[str, dict[str, str]] = {}
    for block in text.strip().split("\n\n"):
        lines = block.splitlines()
        assert lines[0].startswith("P: ")
        attrs: dict[str, str] = {}
        for line in lines[1:]:
            if line.startswith("A: "):
                key, _, value = line[3:].partition("=")
                attrs[key] = re.sub(r"\\(.)", lambda m: "\n" if m.group(1) == "n" else m.group(1), value)
        devices[lines[0][3:]] = attrs
    return devices


def _num(text: str) -> int:
    return int(text.strip())


@needs_tools
def test_laptop_power_and_thermal_match_the_recording() -> None:
    recorded = parse_umockdev(LAPTOP.read_text())
    got = ours(LAPTOP, OUR_POWER_THERMAL)

    supplies = {s["name"]: s for s in got["supplies"]}
    assert set(supplies) == {"AC", "BAT0", "ucsi-source-psy-USBC000:001"}
    bat_path = "/devices/LNXSYSTM:00/LNXSYBUS:00/PNP0C0A:00/power_supply/BAT0"
    bat_attrs, bat = recorded[bat_path], supplies["BAT0"]
    assert bat["devpath"] == bat_path
    assert bat["status"] == bat_attrs["status"].strip() == "Discharging"
    for field, attr in (("energy_now_wh", "energy_now"), ("energy_full_wh", "energy_full"),
                        ("energy_full_design_wh", "energy_full_design"), ("voltage_volts", "voltage_now"),
                        ("power_watts", "power_now")):  # fmt: skip
        assert bat[field] == pytest.approx(_num(bat_attrs[attr]) / 1e6), field
    assert bat["capacity_percent"] == _num(bat_attrs["capacity"])
    assert bat["cycle_count"] == _num(bat_attrs["cycle_count"])
    assert bat["health_percent"] == pytest.approx(
        100 * _num(bat_attrs["energy_full"]) / _num(bat_attrs["energy_full_design"])
    )
    for field in ("serial_number", "model_name", "manufacturer", "technology"):
        assert bat[field] == bat_attrs[field].strip()
    assert bat["power_source"] == "power_now"

    ac_attrs = recorded["/devices/LNXSYSTM:00/LNXSYBUS:00/ACPI0003:00/power_supply/AC"]
    assert supplies["AC"]["online"] is (_num(ac_attrs["online"]) == 1)
    assert supplies["AC"]["type"] == "Mains"
    usb = supplies["ucsi-source-psy-USBC000:001"]
    assert (usb["type"], usb["usb_type"], usb["online"]) == ("USB", "C", False)

    zones = {z["id"]: z for z in got["zones"]}
    for zid, z in zones.items():
        attrs = recorded[f"/devices/virtual/thermal/{zid}"]
        assert z["type"] == attrs["type"].strip()
        assert z["temp_celsius"] == pytest.approx(_num(attrs["temp"]) / 1000)
        assert z["policy"] == attrs["policy"].strip()
        trips = [(t["index"], t["type"], t["temp_celsius"]) for t in z["trips"]]
        assert trips == [
            (i, attrs[f"trip_point_{i}_type"].strip(), _num(attrs[f"trip_point_{i}_temp"]) / 1000)
            for i in range(len(trips))
        ]
    assert zones["thermal_zone0"]["device"] == "/devices/LNXSYSTM:00/LNXSYBUS:01/LNXTHERM:00"
    assert len(zones) == 4 and len(got["cooling"]) == 9

    rapl = {d["zone"]: d for d in got["rapl"]}
    for path, attrs in recorded.items():
        if "/powercap/intel-rapl/" in path:
            zone = path.rsplit("/", 1)[1]
            assert rapl[zone]["energy_uj"] == _num(attrs["energy_uj"])
            assert rapl[zone]["name"] == attrs["name"].strip()
    assert [d["id"] for d in got["rapl"]] == [
        "rapl:package-0", "rapl:package-0/core", "rapl:package-0/uncore", "rapl:package-0/dram", "rapl:psys",
    ]  # fmt: skip


def test_laptop_recording_is_well_formed() -> None:
    """Parents come before children, every record is a real udev device, every link lands somewhere."""
    blocks = [b.splitlines() for b in LAPTOP.read_text().strip().split("\n\n")]
    paths = [b[0][3:] for b in blocks]
    assert len(paths) == len(set(paths))
    seen: set[str] = set()
    for path, block in zip(paths, blocks, strict=True):
        ancestors = [path[:i] for i in range(len(path)) if path[i] == "/" and path[:i] in paths]
        assert all(a in seen for a in ancestors), f"{path} comes before its parent"
        seen.add(path)
        props = dict(line[3:].split("=", 1) for line in block if line.startswith("E: "))
        assert props["DEVPATH"] == path
        assert props.get("SUBSYSTEM"), path
        for line in block:
            if line.startswith("L: ") and not line.startswith("L: driver="):
                target = os.path.normpath(os.path.join(path, line[3:].split("=", 1)[1]))
                assert target in paths, f"{path}: {line} points outside the recording"
    edid = bytes.fromhex(next(line for b in blocks for line in b if line.startswith("H: edid=") and len(line) > 8)[8:])
    assert len(edid) == 128 and sum(edid) % 256 == 0
    assert edid[:8] == bytes.fromhex("00ffffffffffff00")


def test_laptop_edid_is_the_corpus_panel(corpus: Path) -> None:
    panel = corpus / "edid/linuxhw-EDID/Digital/LG Display/LGD0538/4453DCB26FB4.bin"
    recorded = parse_umockdev_binary(LAPTOP.read_text())
    assert recorded["/devices/pci0000:00/0000:00:02.0/drm/card1/card1-eDP-1"]["edid"] == panel.read_bytes()
    assert recorded["/devices/pci0000:00/0000:00:02.0/drm/card1/card1-HDMI-A-1"]["edid"] == b""


def parse_umockdev_binary(text: str) -> dict[str, dict[str, bytes]]:
    out: dict[str, dict[str, bytes]] = {}
    for block in text.strip().split("\n\n"):
        lines = block.splitlines()
        out[lines[0][3:]] = {
            k: bytes.fromhex(v) for k, _, v in (line[3:].partition("=") for line in lines if line.startswith("H: "))
        }
    return out

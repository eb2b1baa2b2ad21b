"""``hwinspector graphics`` and ``hwinspector edid``: JSON contracts against the decoder, exit codes, errors."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from hwinspector.probes.graphics.edid.decode import decode_edid, edid_bytes
from tests.probes.graphics import drm_trees as trees

DATA = Path(__file__).resolve().parents[2] / "data"
DUMPS = "udev/checkbox-udevadm_data"
LAPTOP = DATA / "umockdev" / "laptop.umockdev"


def run(*args: str, rc: int | None = 0, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(
        [sys.executable, "-m", "hwinspector", *args], capture_output=True, text=True, timeout=120, check=False, cwd=cwd
    )
    if rc is not None:
        assert proc.returncode == rc, proc.stderr
    return proc


def expected(path: Path) -> dict[str, Any]:
    """What the decoder says about the file, as JSON types: the contract of ``edid --json``."""
    doc = {"file": str(path), **decode_edid(edid_bytes(path.read_bytes(), str(path))).to_json()}
    return json.loads(json.dumps(doc))  # type: ignore[no-any-return]


def test_edid_json_on_our_hex_files_equals_the_decoder() -> None:
    files = sorted((DATA / "edid").glob("*.hex"))
    assert len(files) == 5
    docs = json.loads(run("edid", "--json", *map(str, files)).stdout)
    assert docs == [expected(f) for f in files]
    # the named keys of the contract, spelled as promised
    keys = {"file", "checksum_ok", "errors", "manufacturer_id", "product_code", "serial_number", "name"}
    keys |= {"serial_string", "week", "year", "version", "digital", "size_cm", "preferred_mode", "extensions"}
    assert all(keys <= set(d) for d in docs)
    assert docs[2]["preferred_mode"] == {**docs[2]["preferred_mode"], "width": 1920, "height": 1080}
    assert [e["tag"] for e in docs[2]["extensions"]] == ["CTA-861"]


def test_edid_json_on_corpus_edids_equals_the_decoder(corpus: Path) -> None:
    files = sorted((corpus / "edid" / "linuxhw-EDID").rglob("*.bin"))
    assert len(files) > 50
    docs = json.loads(run("edid", "--json", *map(str, files)).stdout)
    assert docs == [expected(f) for f in files]
    # edid-decode's output next to them starts with the hex dump: read the same way; two of them
    # say "EDID of 'stdin' was empty" and hold none, which is one line each and exit 2
    texts = sorted((corpus / "edid" / "linuxhw-EDID").rglob("*.txt"))
    with_hex = [f for f in texts if "edid-decode (hex):" in f.read_text(errors="replace")]
    assert 50 < len(with_hex) < len(texts)
    assert json.loads(run("edid", "--json", *map(str, with_hex)).stdout) == [expected(f) for f in with_hex]
    empty = [f for f in texts if f not in with_hex][:2]
    assert run("edid", *map(str, empty), rc=2).stderr.count("no EDID hex dump found") == len(empty)


def test_edid_human_summary_and_broken_files(tmp_path: Path) -> None:
    good = DATA / "edid" / "base-1.4-dp.hex"
    bad_checksum = tmp_path / "bad.bin"
    bad_checksum.write_bytes(trees.broken_checksum(trees.edid("base-1.4-dp")))
    text_file = tmp_path / "notes.txt"
    text_file.write_text("nothing to see here\n")
    binary = tmp_path / "random.bin"
    binary.write_bytes(bytes(range(256)))
    missing = tmp_path / "missing.bin"
    proc = run("edid", str(good), str(text_file), str(bad_checksum), str(binary), str(missing), rc=2)
    out = proc.stdout
    assert f"{good}\n  Manufacturer:   HWI\n" in out
    assert "  Name:           HWI TEST 27\n" in out
    assert "  Preferred mode: 1920x1080 @ 60.000 Hz, 148.500 MHz\n" in out
    assert "  Checksums:      BAD\n" in out  # a bad checksum is decoded and said, not refused
    errors = proc.stderr.strip().splitlines()
    assert errors == [
        f"hwinspector: {text_file}: no EDID hex dump found (0 bytes, want 128-byte blocks)",
        f"hwinspector: {binary}: not an EDID: block 0: no EDID header",
        f"hwinspector: {missing}: cannot read: No such file or directory",
    ]
    docs = json.loads(run("edid", "--json", str(good), str(missing), rc=2).stdout)
    assert docs[0] == expected(good)
    assert docs[1] == {"file": str(missing), "error": "cannot read: No such file or directory"}
    assert run("edid", str(good)).returncode == 0


def test_edid_without_files_reads_the_connectors(tmp_path: Path) -> None:
    sysfs = tmp_path / "sys"
    trees.hybrid_laptop(sysfs)
    docs = json.loads(run("edid", "--json", "--sysfs", str(sysfs)).stdout)
    drm = sysfs / "class" / "drm"
    # eDP-1 and HDMI-A-2 have EDIDs; the disconnected DP-1 and HDMI-A-1 have empty edid files
    assert [d["file"] for d in docs] == [str(drm / "card0-HDMI-A-2" / "edid"), str(drm / "card0-eDP-1" / "edid")]
    assert [d["extensions"] != [] for d in docs] == [True, False]
    empty = tmp_path / "empty"
    empty.mkdir()
    proc = run("edid", "--sysfs", str(empty))
    assert proc.stdout == "" and "has an EDID" in proc.stderr


@pytest.mark.skipif(shutil.which("umockdev-run") is None, reason="needs umockdev-run (Debian: umockdev)")
def test_edid_of_the_umockdev_laptop() -> None:
    proc = subprocess.run(
        ["umockdev-run", "-d", str(LAPTOP), "--", sys.executable, "-m", "hwinspector", "edid", "--json"],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    docs = json.loads(proc.stdout)
    assert [d["file"] for d in docs] == ["/sys/class/drm/card1-eDP-1/edid"]
    assert (docs[0]["manufacturer_id"], docs[0]["product_code"], docs[0]["checksum_ok"]) == ("LGD", 0x0538, True)


def test_graphics_json_from_a_corpus_dump(corpus: Path) -> None:
    doc = json.loads(run("graphics", "--json", "--from", str(corpus / DUMPS / "CAPTURE_METADATA.txt")).stdout)
    assert doc["source"] == {"kind": "udevadm", "label": "CAPTURE_METADATA.txt"}
    chain = doc["chain"]
    assert [(g["address"], g["driver"], [c["name"] for c in g["cards"]]) for g in chain["gpus"]] == [
        ("0000:00:02.0", "i915", ["card0"]),
        ("0000:01:00.0", "amdgpu", ["card1"]),
        ("efi-framebuffer.0", "efi-framebuffer", []),
    ]
    assert [c["name"] for c in chain["connectors"]] == ["card0-DP-1", "card0-HDMI-A-1", "card0-HDMI-A-2", "card0-eDP-1"]
    assert chain["default_gpu"] == "/devices/pci0000:00/0000:00:02.0"
    # a dump holds neither the session nor the userspace drivers, and says so
    assert (doc["session"], doc["gl"], doc["vulkan"], doc["problems"]) == (None, None, None, [])
    assert "not part of a udevadm dump" in doc["notes"][0]


def test_graphics_exit_codes(corpus: Path, tmp_path: Path) -> None:
    # a GPU without a driver: exit 1, the problem in the text
    proc = run("graphics", "--from", str(corpus / DUMPS / "TOSHIBA_NVME.txt"), rc=1)
    assert "✖ 0000:01:00.0: no driver bound: no acceleration, no display outputs" in proc.stdout
    doc = json.loads(run("graphics", "--json", "--from", str(corpus / DUMPS / "TOSHIBA_NVME.txt"), rc=1).stdout)
    assert [(p["severity"], p["subject"]) for p in doc["problems"]] == [("error", "0000:01:00.0")]
    # no graphics at all (s390x) is not a problem of the chain
    doc = json.loads(run("graphics", "--json", "--from", str(corpus / DUMPS / "IBM_s390x_DASD.txt")).stdout)
    assert doc["chain"] is None and "no DRM devices" in doc["chain_unavailable"]
    # bad input: exit 2 and one line
    proc = run("graphics", "--from", str(tmp_path / "nope.txt"), rc=2)
    assert proc.stderr.strip().count("\n") == 0 and "no such file" in proc.stderr
    garbage = tmp_path / "garbage.txt"
    garbage.write_text("this is not a dump\n")
    assert run("graphics", "--from", str(garbage), rc=2).stderr.count("\n") == 1


def test_graphics_live() -> None:
    proc = run("graphics", "--json", rc=None)
    doc = json.loads(proc.stdout)
    assert proc.returncode == (1 if doc["problems"] else 0), proc.stderr
    assert doc["source"]["kind"] == "live"
    assert doc["session"] is not None and doc["gl"] is not None and doc["vulkan"] is not None
    assert (doc["chain"] is None) == (doc["chain_unavailable"] is not None)

"""The helper's gpu_dump op: GPU crash dumps and the VBT by an id from list, compressed; nothing else."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from hwinspector.probes.privileged.client import HelperClient
from hwinspector.probes.privileged.gpu_dumps import decode
from hwinspector.probes.privileged.server import Helper
from hwinspector.probes.privileged.sources import Roots
from hwinspector.report.bugreport.privileged import read_gpu_dumps
from tests.probes.privileged.helper_tree import build_roots

ERROR_STATE = b"i915 error state\nGPU HANG: ecode 12:1:85dffffb, in gnome-shell [1234]\n" + b"ascii85 " * 40000


def _gpu_tree(tmp_path: Path) -> Roots:
    roots = build_roots(tmp_path)
    card = roots.sysfs / "class" / "drm" / "card0"
    card.mkdir(parents=True)
    (card / "error").write_bytes(ERROR_STATE)
    devcd = roots.sysfs / "class" / "devcoredump" / "devcd3"
    devcd.mkdir(parents=True)
    (devcd / "data").write_bytes(b"**** Xe Device Coredump ****\nkernel: 6.11.0\n")
    dri = roots.debugfs / "dri" / "0"
    dri.mkdir(parents=True)
    (dri / "i915_vbt").write_bytes(b"$VBT TIGERLAKE" + bytes(range(256)))
    (dri / "outside").symlink_to("/etc/passwd")
    return roots


def test_list_names_the_dumps_and_gpu_dump_returns_them_compressed(tmp_path: Path) -> None:
    helper = Helper(_gpu_tree(tmp_path))
    listed = helper.handle({"op": "list"})
    ids = {d["id"] for d in listed["gpu_dumps"]}
    assert ids == {"error-state:card0", "devcoredump:devcd3", "vbt:dri0"}
    answer = helper.handle({"op": "gpu_dump", "dump": "error-state:card0"})
    assert answer["ok"] and answer["bytes"] == len(ERROR_STATE)
    assert len(answer["xz_base64"]) < len(ERROR_STATE) // 10  # sent compressed
    assert decode(answer) == ERROR_STATE


def test_paths_unknown_ids_and_extra_fields_are_refused(tmp_path: Path) -> None:
    helper = Helper(_gpu_tree(tmp_path))
    for req in (
        {"op": "gpu_dump", "dump": "/etc/shadow"},
        {"op": "gpu_dump", "dump": "error-state:../../etc"},
        {"op": "gpu_dump", "dump": "vbt:dri0", "path": "/etc/shadow"},
        {"op": "gpu_dump"},
    ):
        answer = helper.handle(dict(req))
        assert answer["ok"] is False and answer["error"]


def test_a_tampered_answer_is_refused_by_the_client(tmp_path: Path) -> None:
    helper = Helper(_gpu_tree(tmp_path))
    answer = helper.handle({"op": "gpu_dump", "dump": "vbt:dri0"})
    answer["sha256"] = "0" * 64
    try:
        decode(answer)
    except ValueError as exc:
        assert "checksum" in str(exc)
    else:
        raise AssertionError("a wrong checksum was accepted")


def test_the_bug_report_reads_them_through_a_real_helper_process(tmp_path: Path) -> None:
    roots = _gpu_tree(tmp_path)
    r = {k: str(getattr(roots, k)) for k in ("sysfs", "devfs", "procfs", "debugfs")}
    code = (
        "import json, sys; from pathlib import Path; "
        "from hwinspector.probes.privileged.server import serve; "
        "from hwinspector.probes.privileged.sources import Roots; "
        f"r = json.loads({json.dumps(json.dumps(r))}); "
        "serve(sys.stdin.buffer, sys.stdout.buffer, Roots(**{k: Path(v) for k, v in r.items()}))"
    )
    with HelperClient([sys.executable, "-c", code]) as client:
        results, reason = read_gpu_dumps(client)
    assert reason is None
    got = {res.spec.path: res.data for res in results}
    assert got["raw/drm/card0-error-state.txt"] == ERROR_STATE
    assert got["raw/drm/devcd3-devcoredump.txt"].startswith(b"**** Xe Device Coredump")
    assert got["raw/drm/dri0-i915_vbt.bin"].startswith(b"$VBT")
    assert os.path.exists(roots.debugfs / "dri" / "0" / "outside")  # listed nowhere: not a known file name

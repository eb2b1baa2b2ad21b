"""The .deb's apport package hook for hwinspector: add_info() adds what a bug in hwinspector needs."""

from __future__ import annotations

import ast
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import types
from pathlib import Path
from typing import Any

import pytest

HOOK = Path(__file__).resolve().parents[2] / "packaging" / "apport" / "hwinspector.py"


def _hookutils(calls: list[tuple[str, Any]]) -> types.ModuleType:
    """apport.hookutils' functions the hook uses, running real commands (hwinspector from this venv)."""
    mod = types.ModuleType("apport.hookutils")

    def command_output(argv: list[str]) -> str:
        calls.append(("command_output", argv))
        exe = shutil.which(argv[0]) or str(Path(sys.executable).with_name(argv[0]))
        proc = subprocess.run([exe, *argv[1:]], capture_output=True, text=True, timeout=120, check=False)
        return proc.stdout.strip() or f"Error: exit {proc.returncode}: {proc.stderr.strip()}"

    mod.command_output = command_output  # type: ignore[attr-defined]
    mod.attach_related_packages = lambda report, pkgs: calls.append(("related", pkgs))  # type: ignore[attr-defined]
    mod.attach_drm_info = lambda report: calls.append(("drm", None))  # type: ignore[attr-defined]
    mod.attach_file_if_exists = lambda report, path, key=None: calls.append(("file", (path, key)))  # type: ignore[attr-defined]
    return mod


def test_the_hook_adds_hwinspectors_version_and_its_scorecard(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[str, Any]] = []
    apport = types.ModuleType("apport")
    apport.hookutils = _hookutils(calls)  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "apport", apport)
    monkeypatch.setitem(sys.modules, "apport.hookutils", apport.hookutils)  # type: ignore[attr-defined]
    spec = importlib.util.spec_from_file_location("hwinspector_apport_hook", HOOK)
    assert spec is not None and spec.loader is not None
    hook = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(hook)
    report: dict[str, str] = {}
    hook.add_info(report, None)
    assert report["HwinspectorVersion"].startswith("hwinspector ")
    card = json.loads(report["HwinspectorCheck"])
    assert {"verdicts", "result"} <= set(card)
    assert ("drm", None) in calls and any(c[0] == "related" and "pkexec" in c[1] for c in calls)
    assert not any("privacy.key" in str(c) for c in calls)


def test_the_hook_calls_only_functions_apports_hookutils_has() -> None:
    """Checked against apport's source where it is at hand (APPORT_PYTHONPATH), else against apport 2.x's names."""
    used = {
        node.attr
        for node in ast.walk(ast.parse(HOOK.read_text()))
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "hookutils"
    }
    src = Path(os.environ.get("APPORT_PYTHONPATH", "/usr/lib/python3/dist-packages")) / "apport" / "hookutils.py"
    if src.is_file():
        defined = {n.name for n in ast.parse(src.read_text()).body if isinstance(n, ast.FunctionDef)}
    else:
        defined = {"command_output", "attach_related_packages", "attach_drm_info", "attach_file_if_exists"}
    assert used and used <= defined, used - defined
    tree = ast.parse(HOOK.read_text())
    fn = next(n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == "add_info")
    assert [a.arg for a in fn.args.args] == ["report", "ui"]  # apport calls add_info(report, ui)

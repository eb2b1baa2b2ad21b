"""Qt models: qtmodeltester conformance, hotplug add/change/remove, and a 1,000-event storm."""

from __future__ import annotations

import dataclasses
import random
import time
from pathlib import Path

import pytest

from hwinspector.models.device_tree import HIGHLIGHT_SECONDS, DeviceTreeModel, PathRole
from hwinspector.models.drivers import BindingsModel, ProblemsModel
from hwinspector.probes.devices.hotplug import Coalescer, HotplugEvent
from hwinspector.probes.devices.tree import Device, make_device
from hwinspector.probes.machine.snapshot import load_snapshot


def _snap(corpus: Path, name: str = "DELL_XPS1340.txt"):  # type: ignore[no-untyped-def]
    return load_snapshot(corpus / "udev/checkbox-udevadm_data" / name)


def _model_paths(model: DeviceTreeModel) -> list[str]:
    out: list[str] = []
    stack = [model.index(r, 0) for r in range(model.rowCount())]
    while stack:
        idx = stack.pop()
        p = idx.data(PathRole)
        if p:
            out.append(str(p))
        stack.extend(model.index(r, 0, idx) for r in range(model.rowCount(idx)))
    return out


@pytest.mark.parametrize("mode", ["topology", "kind"])
def test_device_tree_model_passes_qtmodeltester(qtmodeltester, corpus: Path, mode: str) -> None:  # type: ignore[no-untyped-def]
    model = DeviceTreeModel(mode)
    model.set_devices(_snap(corpus).devices)
    qtmodeltester.check(model, force_py=True)
    assert sorted(_model_paths(model)) == sorted(d.path for d in _snap(corpus).devices)


def test_topology_parents_match_the_dump(corpus: Path) -> None:
    snap = _snap(corpus)
    model = DeviceTreeModel("topology")
    model.set_devices(snap.devices)
    for d in snap.devices:
        idx = model.index_for_path(d.path)
        parent = model.parent(idx)
        assert (parent.data(PathRole) if parent.isValid() else None) == d.parent


def test_kind_groups(corpus: Path) -> None:
    model = DeviceTreeModel("kind")
    model.set_devices(_snap(corpus, "DELL_VOSTRO_270.txt").devices)
    groups = [str(model.index(r, 0).data()) for r in range(model.rowCount())]
    assert groups[0].startswith("Display adapters (")
    names = {g.split(" (")[0] for g in groups}
    assert {"Network", "Input", "Storage", "Audio", "USB controllers", "Sensors"} <= names


def _dev(path: str, parent: str | None, driver: str | None = None, name_attr: str = "x") -> Device:
    return make_device(
        path,
        parent,
        {"SUBSYSTEM": "usb", "DEVTYPE": "usb_device", "DRIVER": driver or ""},
        {"product": name_attr, "idVendor": "ffff", "idProduct": "0001"},
    )


@pytest.mark.parametrize("mode", ["topology", "kind"])
def test_hotplug_add_change_remove(qtmodeltester, qtbot, mode: str) -> None:  # type: ignore[no-untyped-def]
    root = _dev("/devices/pci0000:00/0000:00:14.0/usb1", None, "usb", "root hub")
    model = DeviceTreeModel(mode)
    model.set_devices([root])
    qtmodeltester.check(model, force_py=True)
    now = time.monotonic_ns()
    child = _dev(root.path + "/1-1", root.path, "usb", "Mouse")
    grandchild = _dev(child.path + "/1-1:1.0", child.path, None, "iface")
    with qtbot.waitSignal(model.rowsInserted):
        model.apply_events(
            [HotplugEvent("add", child.path, child, now), HotplugEvent("add", grandchild.path, grandchild, now)]
        )
    assert set(_model_paths(model)) == {root.path, child.path, grandchild.path}
    assert model.highlighted() == {child.path: "add", grandchild.path: "add"}
    if mode == "topology":
        assert model.parent(model.index_for_path(grandchild.path)).data(PathRole) == child.path
    renamed = dataclasses.replace(child, name="A renamed mouse", driver="usb")
    model.apply_events([HotplugEvent("change", child.path, renamed, now)])
    assert model.index_for_path(child.path).data() == "A renamed mouse"
    assert model.highlighted()[child.path] == "change"
    model.apply_events(
        [HotplugEvent("remove", grandchild.path, None, now), HotplugEvent("remove", child.path, None, now)]
    )
    assert _model_paths(model) == [root.path]
    assert child.path not in model.highlighted()


def test_highlight_expires(qtbot, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    import hwinspector.models.device_tree as dt

    monkeypatch.setattr(dt, "HIGHLIGHT_SECONDS", 0.2)
    model = DeviceTreeModel("topology")
    model.set_devices([])
    d = _dev("/devices/platform/a", None)
    model.apply_events([HotplugEvent("add", d.path, d, 0)])
    assert model.highlighted() == {d.path: "add"}
    qtbot.waitUntil(lambda: not model.highlighted(), timeout=3000)
    assert HIGHLIGHT_SECONDS > 1  # the real highlight is long enough to notice


def test_child_arriving_before_parent_is_reattached(qtmodeltester) -> None:  # type: ignore[no-untyped-def]
    model = DeviceTreeModel("topology")
    model.set_devices([])
    parent = _dev("/devices/p", None)
    child = _dev("/devices/p/c", "/devices/p")
    grandchild = _dev("/devices/p/c/g", "/devices/p/c")
    model.apply_events([HotplugEvent("add", child.path, child, 0), HotplugEvent("add", grandchild.path, grandchild, 0)])
    model.apply_events([HotplugEvent("add", parent.path, parent, 0)])
    qtmodeltester.check(model, force_py=True)
    assert model.parent(model.index_for_path(child.path)).data(PathRole) == parent.path
    assert model.parent(model.index_for_path(grandchild.path)).data(PathRole) == child.path


@pytest.mark.parametrize("mode", ["topology", "kind"])
def test_storm_of_1000_events_ends_exactly_in_the_final_state(corpus: Path, mode: str, qtmodeltester) -> None:  # type: ignore[no-untyped-def]
    snap = _snap(corpus)
    devices = list(snap.devices)
    model = DeviceTreeModel(mode)
    model.set_devices(devices)
    rng = random.Random(7)
    state = {d.path: d for d in devices}
    leaves = [d for d in devices if not any(o.parent == d.path for o in devices)]
    coalescer = Coalescer()
    raw: list[tuple[str, Device]] = []
    for i in range(1000):
        d = rng.choice(leaves)
        action = rng.choice(["add", "remove", "change"])
        raw.append((action, dataclasses.replace(d, name=f"{d.name} #{i}")))
    # apply in batches, as the monitor thread delivers them, coalesced like the real pipeline
    for start in range(0, 1000, 150):
        for action, d in raw[start : start + 150]:
            coalescer.push(action, d.path)
        latest = {d.path: d for _, d in raw[: start + 150]}
        events = []
        for action, path in coalescer.take():
            if action == "remove":
                state.pop(path, None)
                events.append(HotplugEvent("remove", path, None, 0))
            else:
                state[path] = latest[path]
                events.append(HotplugEvent(action, path, latest[path], 0))
        model.apply_events(events)
    assert set(_model_paths(model)) == set(state)
    for path, d in state.items():
        assert model.device_at(model.index_for_path(path)) == d
    qtmodeltester.check(model, force_py=True)


def test_coalescer_folds_bursts() -> None:
    c = Coalescer()
    c.push("add", "/devices/a")
    c.push("remove", "/devices/a")  # added and gone within the batch: nothing to show
    c.push("remove", "/devices/b")
    c.push("add", "/devices/b")  # replugged: a change
    c.push("change", "/devices/c")
    c.push("change", "/devices/c")
    c.push("remove", "/devices/d")
    c.push("remove", "/devices/d/child")
    assert c.take() == [
        ("remove", "/devices/d/child"),
        ("remove", "/devices/d"),
        ("change", "/devices/b"),
        ("change", "/devices/c"),
    ]
    assert len(c) == 0


def test_drivers_models_pass_qtmodeltester(qtmodeltester, corpus: Path) -> None:  # type: ignore[no-untyped-def]
    snap = _snap(corpus, "TOSHIBA_NVME.txt")
    problems = ProblemsModel()
    problems.set_problems(snap.problems)
    qtmodeltester.check(problems, force_py=True)
    assert problems.rowCount() == len(snap.problems) > 0
    bindings = BindingsModel()
    bindings.set_bindings(snap.bindings, {d.path: d for d in snap.devices})
    qtmodeltester.check(bindings, force_py=True)
    assert bindings.rowCount() == len(snap.bindings)
    for r, b in enumerate(snap.bindings):
        parent = bindings.index(r, 0)
        assert parent.data() == b.driver
        assert [
            bindings.device_path_at(bindings.index(i, 0, parent)) for i in range(bindings.rowCount(parent))
        ] == list(b.devices)
    assert any(b.driver == "i915_bpo" and b.devices == ("/devices/pci0000:00/0000:00:02.0",) for b in snap.bindings)


def test_bindings_reread_updates_cells_without_a_reset(qtbot, corpus: Path) -> None:  # type: ignore[no-untyped-def]
    """A new reading of the same drivers and devices (a hotplug elsewhere, a reload) must not reset the
    tree: that would collapse what the user expanded. A driver that appears does reset it."""
    snap = _snap(corpus, "TOSHIBA_NVME.txt")
    devices = {d.path: d for d in snap.devices}
    model = BindingsModel()
    model.set_bindings(snap.bindings, devices)
    resets: list[int] = []
    changed: list[int] = []
    model.modelReset.connect(lambda: resets.append(1))
    model.dataChanged.connect(lambda a, b, roles=(): changed.append(a.row()))
    model.set_bindings(snap.bindings, devices)
    assert resets == [] and changed == []
    renamed = {p: dataclasses.replace(d, name=d.name + " (renamed)") for p, d in devices.items()}
    model.set_bindings(snap.bindings, renamed)
    assert resets == [] and changed
    child = model.index(0, 0, model.index(0, 0))
    assert child.data().endswith("(renamed)")
    model.set_bindings(snap.bindings[1:], renamed)
    assert resets == [1] and model.rowCount() == len(snap.bindings) - 1

"""Audio and Camera pages on real machines' dumps: lanes drawn, problems in place, Copy chain, search, empty states."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtGui import QGuiApplication
from pytestqt.qtbot import QtBot

from hwinspector.collectors.av_sources import AvReading
from hwinspector.models.audio_chain import audio_picture
from hwinspector.pages.audio import AudioPage
from hwinspector.pages.camera import CameraPage
from hwinspector.pages.chain_page import ChainPage
from hwinspector.probes.audio.chain import AudioContext
from hwinspector.probes.audio.chain import assemble as assemble_audio
from hwinspector.probes.audio.server import ServerNode, SoundServer
from hwinspector.probes.camera.chain import CameraChain
from hwinspector.probes.machine.snapshot import read_file_snapshot
from tests.probes.audio.devices import hda_desktop

DUMPS = "udev/checkbox-udevadm_data"


def _shown(qtbot: QtBot, page: ChainPage, dump: Path) -> ChainPage:
    qtbot.addWidget(page)
    page.resize(1300, 700)
    page.show()
    page.set_snapshot(read_file_snapshot(dump))
    qtbot.waitUntil(page.settled, timeout=20_000)
    return page


@pytest.mark.parametrize("name", ["LENOVO_T420.txt", "DELL_VOSTRO_270.txt", "HP_PAVILION14_NOTEBOOK_MEDIATEK_BT.txt"])
def test_audio_page_draws_every_card(qtbot: QtBot, corpus: Path, name: str) -> None:
    page = _shown(qtbot, AudioPage(), corpus / DUMPS / name)
    try:
        reading = page.reading
        assert reading is not None and page.body.currentWidget() is page.panel.content
        assert page.model.rowCount() == len(reading.audio.cards) >= 2
        keys = page.view.keys()
        assert "card0:card" in keys and "card0:drv" in keys and page.view.current_key() == keys[0]
        page.copy_chain()
        text = QGuiApplication.clipboard().text()
        assert text.startswith("Audio chain of ") and "Kernel driver: snd_hda_intel" in text
        page.set_filter("snd_hda_intel")
        assert "card0:drv" in page.view.matching_keys() and "card0:ucm" not in page.view.matching_keys()
    finally:
        page.shutdown()


@pytest.mark.parametrize("name", ["CAPTURE_METADATA.txt", "LENOVO_T420.txt", "RPI4B4G.txt"])
def test_camera_page_draws_every_video_device(qtbot: QtBot, corpus: Path, name: str) -> None:
    page = _shown(qtbot, CameraPage(), corpus / DUMPS / name)
    try:
        reading = page.reading
        assert reading is not None
        assert page.model.rowCount() == len(reading.camera.pipes) >= 1
        drawn = page.view.keys()
        assert [k for k in drawn if ":node:" in k], drawn
    finally:
        page.shutdown()


def test_empty_states_say_why(qtbot: QtBot, corpus: Path) -> None:
    for page in (AudioPage(), CameraPage()):
        _shown(qtbot, page, corpus / DUMPS / "QEMU_KVM.txt")
        try:
            assert page.body.currentWidget() is page.empty
            text = page.empty.text()
            assert text.startswith(("No sound card", "No camera")) and page.empty_text in text
        finally:
            page.shutdown()


def test_problems_are_listed_and_lead_to_their_box(qtbot: QtBot) -> None:
    dummy = ServerNode(1, "auto_null", "Dummy Output", "Audio/Sink", None, None, None, "idle", True)
    chain = assemble_audio(hda_desktop(), AudioContext(server=SoundServer("PipeWire 1.0.5", (dummy,), None, None, "x")))
    page = AudioPage()
    qtbot.addWidget(page)
    page.show()
    try:
        page.show_reading(AvReading(chain, CameraChain((), "", None, ""), "test"))
        texts = [page.issues.item(i).text() for i in range(page.issues.count())]
        assert any("only a dummy output" in t for t in texts)
        row = next(i for i, t in enumerate(texts) if "shows no node" in t)
        page.panel._issue_clicked(page.issues.item(row))
        assert page.view.current_key() == "card0:srv"
        pic = audio_picture(chain, "test")
        assert pic.element("card0:srv") is not None and pic.element("card0:srv").status == "warning"  # type: ignore[union-attr]
    finally:
        page.shutdown()


def test_live_page_reads_again_after_sound_hotplug_only_when_shown(qtbot: QtBot) -> None:
    from hwinspector.probes.devices.hotplug import HotplugEvent
    from hwinspector.probes.machine.snapshot import Snapshot, Source

    calls: list[str] = []

    def reader(snap: Snapshot) -> AvReading:
        calls.append(snap.source.kind)
        return AvReading(assemble_audio((), AudioContext(source="live")), CameraChain((), "", None, ""), "live")

    from hwinspector.collectors.av import AvCollector

    page = AudioPage(collector=AvCollector(reader))
    qtbot.addWidget(page)
    live = Snapshot(Source("live", "live machine"), ())
    try:
        page.set_snapshot(live)
        assert calls == []  # hidden: nothing is read
        page.show()
        qtbot.waitUntil(page.settled, timeout=10_000)
        assert calls == ["live"] and page.refresh_button.isEnabled()
        pci = hda_desktop()[0]
        page.apply_hotplug([HotplugEvent("add", pci.path, pci, 0)], live)  # not a sound device: ignored
        assert len(calls) == 1
        sound = next(d for d in hda_desktop() if d.subsystem == "sound")
        page.apply_hotplug([HotplugEvent("add", sound.path, sound, 0)], live)
        qtbot.waitUntil(lambda: len(calls) == 2 and page.settled(), timeout=10_000)
    finally:
        page.shutdown()

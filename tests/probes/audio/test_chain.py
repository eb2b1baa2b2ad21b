"""The audio chain: every sound card of the corpus with its driver, and each problem in place."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest

from hwinspector.probes.audio.alsa import AlsaInfo, parse_aplay
from hwinspector.probes.audio.chain import AudioContext, assemble
from hwinspector.probes.audio.server import ServerNode, SoundServer
from hwinspector.probes.audio.sources import raw_context
from hwinspector.probes.audio.ucm import UCM2_ROOT, UcmMatch, find_ucm, read_flags
from hwinspector.probes.devices.tree import Device
from hwinspector.probes.devices.udevdump import read_dump
from hwinspector.probes.kernel_log import parse_dmesg_text
from tests.probes.audio.devices import hda_desktop, sof_glk


def _dumps(corpus: Path) -> list[Path]:
    return sorted((corpus / "udev" / "checkbox-udevadm_data").glob("*.txt"))


def _expected_driver(card: Device, by_path: dict[str, Device]) -> str | None:
    """Independently of the chain: the nearest ancestor record with a DRIVER."""
    p = card.parent
    while p:
        d = by_path.get(p)
        if d is not None and d.driver:
            return d.driver
        p = p.rsplit("/", 1)[0] if p.count("/") > 1 else None
    return None


def test_every_sound_card_of_the_corpus_shows_with_its_driver(corpus: Path) -> None:
    seen = 0
    for path in _dumps(corpus):
        try:
            devices = read_dump(path).devices
        except Exception:
            continue
        by_path = {d.path: d for d in devices}
        chain = assemble(devices, AudioContext())
        for card in (
            d for d in devices if d.subsystem == "sound" and d.sysname.startswith("card") and d.sysname[4:].isdigit()
        ):
            shown = next((c for c in chain.cards if c.devpath == card.path), None)
            assert shown is not None, f"{path.name}: {card.path} missing"
            ctl = chain.controller(shown.controller)
            assert ctl is not None and ctl.driver == _expected_driver(card, by_path), f"{path.name}: {card.path}"
            seen += 1
    assert seen >= 15  # 17 cards in the corpus today


def _laptop_ctx(**kw: object) -> AudioContext:
    cards, pcms = parse_aplay(Path(__file__).parents[2].joinpath("data/audio/sof-linux-4656-aplay-l.txt").read_text())
    return AudioContext(alsa=AlsaInfo(tuple(cards), tuple(pcms), (), "aplay -l"), source="bundle", **kw)  # type: ignore[arg-type]


def test_sof_card_without_ucm_profile_is_an_error() -> None:
    ctx = _laptop_ctx(ucm={0: UcmMatch("none", None, ("conf.d/sof-essx8336/sof-essx8336.conf",))})
    chain = assemble(sof_glk(), ctx)
    (card,) = chain.cards
    assert card.is_sof and card.machine_driver == "sof-essx8336" and card.playback == 3
    assert [p.severity for p in card.problems] == ["error"] and "no UCM profile" in card.problems[0].detail
    assert chain.controllers[0].kind == "dsp"


@pytest.mark.skipif(read_flags(UCM2_ROOT) is None, reason="alsa-ucm-conf is not installed")
def test_sof_card_with_the_installed_profile_has_no_ucm_problem() -> None:
    ucm = {0: find_ucm("sof-essx8336", "sof-essx8336", "sof-essx8336", "sof-essx8336", None, UCM2_ROOT)}
    chain = assemble(sof_glk(), _laptop_ctx(ucm=ucm))
    assert chain.cards[0].ucm.status == "found" and not chain.all_problems


def test_firmware_booted_shows_on_the_controller(data_dir: Path) -> None:
    log = parse_dmesg_text((data_dir / "audio/sof-bin-85-dmesg.txt").read_text())
    chain = assemble(sof_glk(), _laptop_ctx(log=log))
    fw = chain.controllers[0].firmware
    assert fw is not None and fw.version == "2:2:0-57864"


def test_topology_failure_and_no_card(data_dir: Path) -> None:
    # the UP² board of thesofproject/sof#510: the DSP on the platform device "sof-audio", no card came
    log = parse_dmesg_text((data_dir / "audio/sof-510-dmesg.txt").read_text())
    from tests.probes.audio.devices import chain_of, dev

    devices = chain_of(dev("/devices/platform/sof-audio", "platform", "sof-audio"))
    chain = assemble(devices, AudioContext(log=log, source="bundle"))
    (ctl,) = chain.controllers
    details = [p.detail for p in ctl.problems]
    assert any(d.startswith("topology failed:") and "-22" in d for d in details)
    assert any("registered no sound card: its DSP firmware or topology failed" in d for d in details)
    assert any(p.detail == "no sound card: applications have nothing to play to" for p in chain.problems)


def test_controller_without_driver_and_bound_without_card() -> None:
    unbound = assemble(hda_desktop(bound=False, card=False), AudioContext())
    assert [p.severity for p in unbound.controllers[0].problems] == ["error"]
    no_card = assemble(hda_desktop(card=False), AudioContext())
    assert "registered no sound card" in no_card.controllers[0].problems[0].detail


def _server(nodes: Sequence[ServerNode]) -> SoundServer:
    return SoundServer("PipeWire 1.0.5", tuple(nodes), None, None, "pw-dump")


def test_only_a_dummy_output() -> None:
    dummy = ServerNode(1, "auto_null", "Dummy Output", "Audio/Sink", None, None, None, "idle", True)
    chain = assemble(hda_desktop(), AudioContext(server=_server([dummy])))
    assert any("only a dummy output ('Dummy Output')" in p.detail for p in chain.problems)
    assert any("shows no node for this card" in p.detail for p in chain.cards[0].problems)


def test_end_to_end() -> None:
    sink = ServerNode(
        41,
        "alsa_output.pci-0000_00_1f.3.analog-stereo",
        "Built-in Audio",
        "Audio/Sink",
        0,
        "alsa",
        "front:0",
        "running",
        True,
    )
    chain = assemble(hda_desktop(), AudioContext(server=_server([sink])))
    assert not chain.all_problems
    card = chain.cards[0]
    assert card.nodes == (sink,) and [c.name for c in card.codecs] == ["Realtek codec 0x10ec0256"]
    assert chain.to_json()["cards"][0]["playback"] == 1


def test_a_bundles_raw_files_hostile_or_missing() -> None:
    raw = {
        "raw/audio/asound-cards.txt": b"\x00\xff not cards",
        "raw/audio/ucm-match.json": b'{"0": {"status": "found", "path": 7, "tried": "x"}, "x": 1, "1": []}',
        "raw/audio/pw-dump.json": b"{not json",
    }
    ctx = raw_context(raw.get)
    assert ctx.alsa is not None and ctx.alsa.cards == ()
    assert ctx.ucm[0].status == "found" and ctx.ucm[0].path is None and ctx.ucm[0].tried == ()
    assert ctx.server is None and "not JSON" in ctx.server_absent
    assert ctx.log is None and "no kernel log" in ctx.log_absent
    chain = assemble(hda_desktop(), ctx)
    assert len(chain.cards) == 1


def test_usb_headset_and_soundwire_peripherals() -> None:
    from tests.probes.audio.devices import PCI, chain_of, dev

    usb = f"{PCI}/0000:00:14.0/usb1/1-2"
    sdw = f"{PCI}/0000:00:1f.3/sdw-master-0/sdw:0:025d:0711:01"
    devices = chain_of(
        dev(usb, "usb", "usb", "usb_device", ID_MODEL_FROM_DATABASE="Jabra EVOLVE 20"),
        dev(f"{usb}/1-2:1.0", "usb", "snd-usb-audio", "usb_interface", INTERFACE="1/1/0"),
        dev(f"{usb}/1-2:1.0/sound/card1", "sound"),
        dev(f"{usb}/1-2:1.0/sound/card1/pcmC1D0p", "sound"),
        dev(f"{PCI}/0000:00:1f.3", "pci", "sof-audio-pci-intel-tgl", PCI_CLASS="40100", PCI_SLOT_NAME="0000:00:1f.3"),
        dev(f"{PCI}/0000:00:1f.3/sof_sdw/sound/card0", "sound"),
        dev(f"{PCI}/0000:00:1f.3/sof_sdw", "platform", "sof_sdw"),
        dev(sdw, "soundwire", "rt711", MODALIAS="sdw:m025Dp0711v01c01"),
    )
    chain = assemble(devices, AudioContext())
    usb_card = next(c for c in chain.cards if c.number == 1)
    ctl = chain.controller(usb_card.controller)
    assert ctl is not None and (ctl.driver, ctl.kind, ctl.name) == ("snd-usb-audio", "usb", "Jabra EVOLVE 20")
    assert usb_card.machine_driver is None and usb_card.playback == 1
    sof_card = next(c for c in chain.cards if c.number == 0)
    sof = chain.controller(sof_card.controller)
    assert sof is not None and sof.kind == "dsp" and sof_card.machine_driver == "sof_sdw" and sof_card.is_sof
    assert sof.peripherals == ("sdw:0:025d:0711:01 (rt711)",)
    assert "kernel log" in sof.firmware_note  # a dump: firmware unknown, said so


def test_live_reading_from_a_fake_machine(tmp_path: Path) -> None:
    from hwinspector.probes.audio.server import parse_pw_dump
    from hwinspector.probes.audio.sources import live_context

    (tmp_path / "asound").mkdir()
    (tmp_path / "asound/cards").write_text(
        " 0 [sofessx8336    ]: sof-essx8336 - sof-essx8336\n                      sof-essx8336\n"
    )
    (tmp_path / "asound/pcm").write_text("00-00: ES8336 (*) :  : playback 1 : capture 1\n")
    ucm = tmp_path / "ucm2"
    (ucm / "conf.d/sof-essx8336").mkdir(parents=True)
    (ucm / "ucm.conf").write_text('Syntax 4\nDefine.V2ConfD yes\nDefine.V2Name ""\n')
    (ucm / "conf.d/sof-essx8336/sof-essx8336.conf").write_text("Syntax 6\n")
    pw = '[{"id": 41, "type": "PipeWire:Interface:Node", "info": {"props": {"media.class": "Audio/Sink", ' \
         '"node.name": "speakers", "node.description": "Speakers", "api.alsa.pcm.card": 0}}}]'  # fmt: skip
    devices = sof_glk()
    ctx = live_context(
        devices, procfs=tmp_path, devkmsg=tmp_path / "no-kmsg", ucm=ucm, read_server=lambda: parse_pw_dump(pw)
    )
    assert ctx.log is None and ctx.log_absent
    chain = assemble(devices, ctx)
    (card,) = chain.cards
    assert (card.alsa_driver, card.ucm.status, [n.description for n in card.nodes]) == (
        "sof-essx8336", "found", ["Speakers"],
    )  # fmt: skip
    assert not [p for p in chain.all_problems if p.severity != "info"]

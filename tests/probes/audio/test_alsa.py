"""ALSA's text: /proc/asound files and aplay -l, from real machines (tests/data/SOURCES.md) and fake trees."""

from __future__ import annotations

from pathlib import Path

import pytest

from hwinspector.probes.audio.alsa import (
    codec_dump_text,
    parse_aplay,
    parse_cards,
    parse_codec,
    parse_codec_dump,
    parse_pcm,
    read_alsa,
)
from hwinspector.probes.errors import ProbeUnavailable


def test_proc_asound_cards_of_a_real_machine(data_dir: Path) -> None:
    cards = parse_cards((data_dir / "audio/alsa-lib-72-asound-cards.txt").read_text())
    assert [(c.number, c.id, c.driver, c.name) for c in cards] == [(0, "NVidia", "HDA-Intel", "HDA NVidia")]
    assert cards[0].long_name == "HDA NVidia at 0x83000000 irq 17"


def test_codec_head_of_a_real_machine(data_dir: Path) -> None:
    codec = parse_codec((data_dir / "audio/alsa-lib-72-codec0-head.txt").read_text(), 0)
    assert codec is not None
    assert (codec.name, codec.address, codec.vendor_id, codec.subsystem_id) == (
        "Nvidia GPU 94 HDMI/DP",
        0,
        "0x10de0094",
        "0x102809e1",
    )


def test_aplay_l_of_a_sof_laptop(data_dir: Path) -> None:
    cards, pcms = parse_aplay((data_dir / "audio/sof-linux-4656-aplay-l.txt").read_text())
    assert [(c.number, c.id, c.name) for c in cards] == [(0, "sofessx8336", "sof-essx8336")]
    assert [(p.device, p.id, p.playback, p.capture) for p in pcms] == [
        (0, "ES8336 (*)", True, False),
        (5, "HDMI 1 (*)", True, False),
        (6, "HDMI 2 (*)", True, False),
    ]


def test_aplay_and_arecord_merge_per_device(data_dir: Path) -> None:
    play = (data_dir / "audio/raspberrypi-6548-aplay-l.txt").read_text()
    record = "card 1: PianoDACPlus [PianoDACPlus], device 0: PianoDACPlus multicodec-0 [PianoDACPlus multicodec-0]\n"
    cards, pcms = parse_aplay(play, record)
    assert [c.id for c in cards] == ["vc4hdmi0", "PianoDACPlus"]
    assert [(p.card, p.playback, p.capture) for p in pcms] == [(0, True, False), (1, True, True)]


def test_proc_asound_pcm() -> None:
    text = "00-00: ALC3246 Analog : ALC3246 Analog : playback 1 : capture 1\n00-03: HDMI 0 : HDMI 0 : playback 1\n"
    assert [(p.card, p.device, p.id, p.playback, p.capture) for p in parse_pcm(text)] == [
        (0, 0, "ALC3246 Analog", True, True),
        (0, 3, "HDMI 0", True, False),
    ]


@pytest.mark.parametrize("text", ["", "--- no soundcards ---\n", "\x00\xff garbage [[[ ]]]: - -\n", "0 [x"])
def test_garbage_gives_nothing_not_a_traceback(text: str) -> None:
    assert parse_cards(text) == []
    assert parse_pcm(text) == []
    assert parse_aplay(text) == ([], [])
    assert parse_codec(text, 0) is None


def test_read_alsa_from_a_tree(tmp_path: Path) -> None:
    asound = tmp_path / "asound"
    (asound / "card0").mkdir(parents=True)
    (asound / "cards").write_text(
        " 0 [PCH            ]: HDA-Intel - HDA Intel PCH\n                      HDA Intel PCH at 0xf7f30000 irq 32\n"
    )
    (asound / "pcm").write_text("00-00: ALC3246 Analog : ALC3246 Analog : playback 1 : capture 1\n")
    (asound / "card0" / "codec#0").write_text("Codec: Realtek ALC3246\nAddress: 0\nVendor Id: 0x10ec0256\n")
    (asound / "card0" / "codec#2").mkdir()  # unreadable as a file (EISDIR): skipped, not fatal
    info = read_alsa(tmp_path)
    assert [c.long_name for c in info.cards] == ["HDA Intel PCH at 0xf7f30000 irq 32"]
    assert [c.name for c in info.codecs] == ["Realtek ALC3246"]
    dump = codec_dump_text(tmp_path).decode()
    assert "==> " in dump and [c.name for c in parse_codec_dump(dump)] == ["Realtek ALC3246"]


def test_no_alsa_in_the_kernel(tmp_path: Path) -> None:
    with pytest.raises(ProbeUnavailable, match="no ALSA"):
        read_alsa(tmp_path)

"""UCM profile lookup in alsa-lib's order, against the installed alsa-ucm-conf and against fake trees."""

from __future__ import annotations

from pathlib import Path

import pytest

from hwinspector.probes.audio.ucm import UCM2_ROOT, find_ucm, read_flags, ucm_root

STOCK = """Syntax 4
Define.V1 ""
Define.V2ConfD yes
Define.V2Module ""
Define.V2Name ""
"""


def _tree(tmp_path: Path, conf: str = STOCK, files: tuple[str, ...] = ()) -> Path:
    root = tmp_path / "ucm2"
    root.mkdir(parents=True)
    (root / "ucm.conf").write_text(conf)
    for rel in files:
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text("Syntax 6\n")
    return root


def test_long_name_file_comes_before_the_driver_file(tmp_path: Path) -> None:
    root = _tree(tmp_path, files=("conf.d/sof-hda-dsp/sof-hda-dsp.conf", "conf.d/sof-hda-dsp/LENOVO-20XX.conf"))
    m = find_ucm("sof-hda-dsp", "LENOVO-20XX", "sof-hda-dsp", "skl_hda_dsp_generic", "snd_soc_skl_hda_dsp", root)
    assert m.status == "found" and m.path == str(root / "conf.d/sof-hda-dsp/LENOVO-20XX.conf")
    assert m.tried[:2] == ("conf.d/sof-hda-dsp/LENOVO-20XX.conf", "conf.d/sof-hda-dsp/sof-hda-dsp.conf")
    m = find_ucm("sof-hda-dsp", "Other", "sof-hda-dsp", None, None, root)
    assert m.path == str(root / "conf.d/sof-hda-dsp/sof-hda-dsp.conf")


def test_kernel_driver_stands_in_when_alsa_names_no_driver(tmp_path: Path) -> None:
    root = _tree(tmp_path, files=("conf.d/snd_soc_foo/snd_soc_foo.conf",))
    assert find_ucm("", "Foo", "Foo", "snd_soc_foo", None, root).status == "found"
    assert find_ucm("", "Foo", "Foo", None, None, root).status == "none"


def test_obsolete_lookups_only_when_ucm_conf_enables_them(tmp_path: Path) -> None:
    files = ("module/snd_soc_bar.conf", "bar/bar.conf")
    assert find_ucm("bar", "Bar", "Bar", "x", "snd_soc_bar", _tree(tmp_path, files=files)).status == "none"
    enabled = STOCK.replace('V2Module ""', 'V2Module "yes"').replace('V2Name ""', "V2Name y")
    m = find_ucm("bar", "Bar", "Bar", "x", "snd_soc_bar", _tree(tmp_path / "b", enabled, files))
    assert m.status == "found" and m.path is not None and m.path.endswith("module/snd_soc_bar.conf")


def test_a_long_name_never_leaves_the_tree(tmp_path: Path) -> None:
    root = _tree(tmp_path)
    (tmp_path / "secret.conf").write_text("x")
    m = find_ucm("drv", "../../secret", "drv", None, None, root)
    assert m.status == "none"


def test_without_alsa_ucm_conf(tmp_path: Path) -> None:
    m = find_ucm("sof-hda-dsp", "x", "x", None, None, tmp_path)
    assert m.status == "absent" and "alsa-ucm-conf" in m.note


def test_alsa_config_ucm2_replaces_the_directory() -> None:
    assert ucm_root({"ALSA_CONFIG_UCM2": "/opt/ucm2"}) == Path("/opt/ucm2")
    assert ucm_root({}) == UCM2_ROOT


installed = pytest.mark.skipif(
    read_flags(UCM2_ROOT) is None, reason="alsa-ucm-conf is not installed (apt-get install alsa-ucm-conf)"
)


@installed
def test_installed_ucm_conf_enables_conf_d_only() -> None:
    flags = read_flags(UCM2_ROOT)
    assert flags is not None and flags["V2ConfD"] and not flags["V2Name"] and not flags["V1"]


@installed
def test_installed_profiles_for_real_cards() -> None:
    # the ES8336 laptop of thesofproject/linux#4656 (card driver and name "sof-essx8336")
    m = find_ucm("sof-essx8336", "sof-essx8336", "sof-essx8336", "sof-essx8336", None, UCM2_ROOT)
    assert m.status == "found" and m.path is not None and "conf.d/sof-essx8336/" in m.path
    # a plain HDA card: HDA-Intel.conf exists but switches itself off on most machines
    m = find_ucm("HDA-Intel", "HDA Intel PCH at 0xf7f30000 irq 32", "HDA Intel PCH", "snd_hda_intel", None, UCM2_ROOT)
    assert m.status == "found" and "only on some machines" in m.note
    assert find_ucm("sof-nosuchcard", "X", "X", "sof_x", None, UCM2_ROOT).status == "none"

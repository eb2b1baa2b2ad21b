"""What the kernel log says about an audio DSP: firmware file and version, topology, and their failures.

The lines are the SOF driver's (sound/soc/sof: ``Firmware file:``, ``Topology file:``, ``Firmware info:
version``, ``loading topology:``), the AVS and SST drivers' firmware requests, and the generic firmware
loader's ``Direct firmware load for … failed``. Each line starts with ``<driver> <device>:``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from hwinspector.probes.kernel_log import LogLine

_PREFIX = re.compile(r"^(?P<drv>[\w.-]+) (?P<dev>[\w:.-]+): (?P<msg>.*)$")
_FW_FILE = re.compile(r"(?:Firmware file:\s*|request_firmware |loading firmware:?\s*)(?P<f>\S+\.(?:ri|bin|sfw))")
_TPLG_FILE = re.compile(r"(?:Topology file:\s*|loading topology:?\s*|[Tt]opology: )(?P<f>\S+\.tplg)")
_FW_VERSION = re.compile(r"Firmware info: version (?P<v>\S+)")
_FW_ABI = re.compile(r"Firmware: ABI (?P<v>\S+)")
_TPLG_ABI = re.compile(r"Topology: ABI (?P<v>\S+)")
_TPLG_FAIL = re.compile(
    r"failed to load DSP topology|tplg \S* ?load failed|tplg component load failed|topology.*(?:failed|not found)"
    r"|tplg.*failed with|ASoC: failed to load widget",
    re.IGNORECASE,
)
_FW_FAIL = re.compile(
    r"failed to boot DSP|DSP firmware boot failed|firmware boot failed|load fw failed|failed to load DSP firmware"
    r"|sof_probe_work failed|firmware and/or topology file not found|Direct firmware load for \S+ failed"
    r"|failed to load firmware|FW boot timeout|firmware crashed",
    re.IGNORECASE,
)
_CARD_FAIL = re.compile(r"ASoC: failed to instantiate card|snd_soc_register_card failed|probe of .* failed", re.I)
# Drivers whose controller runs firmware on a DSP (SOF on Intel, AMD and MediaTek; Intel's AVS, SST, SKL).
DSP_DRIVER = re.compile(
    r"^(sof[-_]|snd[-_]sof|snd[-_]soc[-_]avs|avs|snd[-_]soc[-_]skl|skl|snd[-_]soc[-_]sst|sst|catpt|snd_intel_sst)"
)


@dataclass(frozen=True, slots=True)
class DspFirmware:
    device: str  # as the log names it: "0000:00:1f.3", "sof-audio"
    firmware_file: str | None
    version: str | None
    abi: str | None
    topology_file: str | None
    topology_abi: str | None
    firmware_errors: tuple[str, ...] = ()
    topology_errors: tuple[str, ...] = ()
    card_errors: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return not (self.firmware_errors or self.topology_errors)


def is_dsp_driver(driver: str | None) -> bool:
    return bool(driver and DSP_DRIVER.match(driver))


def find_dsp_firmware(lines: Iterable[LogLine], devices: Iterable[str]) -> dict[str, DspFirmware]:
    """Per device name (PCI address or platform device), what its DSP driver logged; newest boot state wins.

    Lines of machine drivers (``bxt-pcm512x bxt-pcm512x: ASoC: failed to instantiate card``) name their
    own device; they are attributed to every wanted device whose DSP logged anything.
    """
    wanted = set(devices)
    found: dict[str, dict[str, object]] = {}
    card_errors: list[str] = []
    for line in lines:
        m = _PREFIX.match(line.message)
        if m is None:
            continue
        dev, msg = m["dev"], m["msg"]
        if dev not in wanted:
            if _CARD_FAIL.search(msg) and ("ASoC" in msg or "card" in msg):
                card_errors.append(line.message)
            continue
        if not is_dsp_driver(m["drv"]) and "firmware" not in msg.lower():
            continue
        d = found.setdefault(dev, {"fw_err": [], "tp_err": []})
        if (x := _FW_FILE.search(msg)) is not None:
            d["fw"] = x["f"]
        if (x := _TPLG_FILE.search(msg)) is not None:
            d["tplg"] = x["f"]
        if (x := _FW_VERSION.search(msg)) is not None:
            d["version"] = x["v"]
            d["fw_err"] = []  # a later successful boot (after a resume or a retry) clears earlier failures
        if (x := _FW_ABI.search(msg)) is not None:
            d["abi"] = x["v"]
        if (x := _TPLG_ABI.search(msg)) is not None:
            d["tplg_abi"] = x["v"]
        if _TPLG_FAIL.search(msg):
            _append(d["tp_err"], msg)
        elif _FW_FAIL.search(msg):
            _append(d["fw_err"], msg)
    out: dict[str, DspFirmware] = {}
    for dev, d in found.items():
        out[dev] = DspFirmware(
            dev,
            _s(d.get("fw")),
            _s(d.get("version")),
            _s(d.get("abi")),
            _s(d.get("tplg")),
            _s(d.get("tplg_abi")),
            tuple(d["fw_err"]),  # type: ignore[arg-type]
            tuple(d["tp_err"]),  # type: ignore[arg-type]
            tuple(card_errors[:3]),
        )
    return out


def _append(items: object, msg: str) -> None:
    assert isinstance(items, list)
    if msg not in items and len(items) < 5:
        items.append(msg)


def _s(v: object) -> str | None:
    return v if isinstance(v, str) else None

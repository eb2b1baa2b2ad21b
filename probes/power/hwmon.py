"""Hardware monitoring chips from /sys/class/hwmon: every input with its limits, alarms and errors."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from hwinspector.i18n import N_
from hwinspector.probes.errors import ProbeUnavailable
from hwinspector.probes.sysfs_attr import devpath_of, link_name, parse_int, read_attr

# Documentation/hwmon/sysfs-interface.rst: unit shown, and what the sysfs integer is divided by to get
# it (dividing keeps 84850 -> 84.85 exact where multiplying by 1e-3 would not).
# The order is libsensors' feature order, so chips list inputs the way `sensors` prints them.
KINDS: dict[str, tuple[str, float]] = {
    "in": ("V", 1e3),  # millivolts
    "fan": ("RPM", 1.0),
    "temp": ("°C", 1e3),  # millidegrees Celsius
    "power": ("W", 1e6),  # microwatts
    "energy": ("J", 1e6),  # microjoules
    "curr": ("A", 1e3),  # milliamperes
    "humidity": ("%RH", 1e3),  # milli-percent
    "intrusion": ("", 1.0),  # only an alarm flag
    "pwm": ("%", 2.55),  # duty cycle 0..255
    "freq": ("MHz", 1e6),  # hertz (amdgpu sclk/mclk)
}
_KIND_ORDER = {kind: i for i, kind in enumerate(KINDS)}

# Limits and statistics: numbers in the input's own unit.
LIMITS = frozenset(
    {
        "min", "max", "lcrit", "crit", "emergency", "max_hyst", "min_hyst", "crit_hyst",
        "lcrit_hyst", "emergency_hyst", "cap", "cap_hyst", "cap_max", "cap_min", "average",
        "lowest", "highest", "input_lowest", "input_highest", "average_lowest", "average_highest",
        "target", "offset", "rated_min", "rated_max",
    }
)  # fmt: skip
# Everything named *alarm, plus these, is a 0/1 flag.
_FLAGS = frozenset({"fault", "beep"})

_ATTR_RE = re.compile(r"^(in|fan|temp|power|energy|curr|humidity|intrusion|freq)(\d+)_([a-z_]+)$")
_PWM_RE = re.compile(r"^pwm(\d+)(?:_([a-z_]+))?$")


@dataclass(frozen=True, slots=True)
class HwmonInput:
    """One channel of a chip (temp1, fan2, in0, …), values converted to ``unit``."""

    id: str  # "temp1"
    kind: str  # temp, fan, in, curr, power, energy, humidity, intrusion, pwm, freq
    number: int
    label: str  # tempN_label, else the id (as `sensors` prints it)
    has_label: bool
    unit: str
    value: float | None  # None with ``error`` set when the read failed
    error: str | None  # errno name (EIO, ENXIO, ENODATA, EAGAIN…), "empty", "garbage", "no input"
    path: str | None  # the value file, for the sampler
    limits: Mapping[str, float] = field(default_factory=dict)  # max, crit, crit_hyst, … in ``unit``
    flags: Mapping[str, bool] = field(default_factory=dict)  # alarm, crit_alarm, fault, beep …
    extra: Mapping[str, str] = field(default_factory=dict)  # raw: type, enable, div, pulses, mode …
    errors: tuple[str, ...] = ()  # failures of limit, flag or label files: "temp1_crit: EIO"

    @property
    def ok(self) -> bool:
        """A value was read and the chip does not flag the sensor as faulty."""
        return self.error is None and not self.flags.get("fault", False)


@dataclass(frozen=True, slots=True)
class HwmonChip:
    """One /sys/class/hwmon/hwmonN device."""

    hwmon: str  # "hwmon4": numbering changes across boots
    name: str  # "coretemp", "nvme", "thinkpad", "amdgpu", "BAT0"
    sensors_id: str  # libsensors' chip name, stable across boots: "coretemp-isa-0000"
    adapter: str  # libsensors' adapter text: "ISA adapter", "PCI adapter", "Virtual device"
    label: str | None  # hwmonN/label, where the driver provides one
    path: str  # /sys/class/hwmon/hwmonN
    attr_dir: str  # where the attributes are: path, or path/device on kernels before 2.6.27-ish
    device: str | None  # devpath of the device the chip belongs to (the ``device`` link)
    inputs: tuple[HwmonInput, ...]
    error: str | None = None  # e.g. "name: EIO"


def list_hwmon_chips(sysfs: Path = Path("/sys")) -> list[HwmonChip]:
    """Every hwmon chip, in hwmonN order. Raises ProbeUnavailable when the class is absent."""
    root = sysfs / "class" / "hwmon"
    try:
        names = os.listdir(root)
    except FileNotFoundError:
        raise ProbeUnavailable(
            N_("{root} does not exist: this kernel has no hwmon support").format(root=root)
        ) from None
    except OSError as exc:
        raise ProbeUnavailable(f"cannot list {root}: {exc.strerror}") from None
    chips = []
    for name in sorted(names, key=lambda n: (len(n), n)):
        chip = read_hwmon_chip(root / name, sysfs)
        if chip is not None:
            chips.append(chip)
    return chips


def read_hwmon_chip(d: Path, sysfs: Path = Path("/sys")) -> HwmonChip | None:
    """One chip; None when the directory vanished (hot-unplug) before it could be read."""
    if not d.is_dir():
        return None
    attr_dir = d
    name_attr = read_attr(d / "name")
    if name_attr.error == "ENOENT":
        # Old kernels put name and all attributes on the parent device (libsensors and psutil look
        # there too: psutil issue #971).
        dev_name = read_attr(d / "device" / "name")
        if dev_name.error != "ENOENT":
            attr_dir, name_attr = d / "device", dev_name
    error = None if name_attr.text is not None else f"name: {name_attr.error}"
    name = name_attr.text or d.name
    sleeping = sleeping_gpu(d)
    if sleeping is not None:
        error = sleeping
    sensors_id, adapter = sensors_chip_name(d, name, sysfs)
    return HwmonChip(
        hwmon=d.name,
        name=name,
        sensors_id=sensors_id,
        adapter=adapter,
        label=read_attr(d / "label").text,
        path=str(d),
        attr_dir=str(attr_dir),
        device=devpath_of(d / "device", sysfs),
        inputs=() if sleeping is not None else read_inputs(attr_dir),
        error=error,
    )


def sleeping_gpu(hwmon_dir: Path) -> str | None:
    """Why a chip is not read: it belongs to a display-class device whose runtime PM says it is not awake.
    A GPU's sensor reads go to its firmware: on a runtime-suspended dGPU they wake it (or answer EPERM),
    so a sleeping GPU's sensors are left alone (the PCI class and runtime_status are cached, never the driver's)."""
    dev = hwmon_dir / "device"
    status = read_attr(dev / "power" / "runtime_status").text
    if status is None or status in ("active", "unsupported"):
        return None
    cls = (read_attr(dev / "class").text or "").lower()
    if not cls.startswith("0x03"):
        return None
    return f"asleep ({status}): a sleeping GPU's sensors are not read, to keep it asleep"


def read_inputs(attr_dir: Path) -> tuple[HwmonInput, ...]:
    """Group the attribute files of a chip by channel and read each channel."""
    try:
        entries = list(os.scandir(attr_dir))
    except OSError:
        return ()
    channels: dict[tuple[str, int], dict[str, str]] = {}
    for entry in entries:
        m = _ATTR_RE.match(entry.name)
        if m:
            kind, number, sub = m.group(1), int(m.group(2)), m.group(3)
        else:
            p = _PWM_RE.match(entry.name)
            if not p:
                continue
            kind, number, sub = "pwm", int(p.group(1)), p.group(2) or "input"
        try:
            if entry.is_dir(follow_symlinks=False):
                continue
        except OSError:
            continue
        channels.setdefault((kind, number), {})[sub] = entry.path
    inputs = [
        _read_input(kind, number, subs)
        for (kind, number), subs in channels.items()
        # pwmN_enable or freqN_label alone is a setting, not a reading (asus-nb-wmi has pwm1_enable
        # for its fan boost mode); libsensors does not show these kinds at all.
        if kind not in ("pwm", "freq") or _value_attr(kind, subs) is not None
    ]
    inputs.sort(key=lambda i: (_KIND_ORDER[i.kind], i.number))
    return tuple(inputs)


def _value_attr(kind: str, subs: Mapping[str, str]) -> str | None:
    if "input" in subs:
        return "input"
    if kind == "power" and "average" in subs:
        # amdgpu and some ACPI meters only average (power1_average).
        return "average"
    return None


def _read_input(kind: str, number: int, subs: Mapping[str, str]) -> HwmonInput:
    unit, divisor = KINDS[kind]
    ident = f"{kind}{number}"
    errors: list[str] = []
    value_sub = _value_attr(kind, subs)
    value: float | None = None
    error: str | None = None
    path = subs.get(value_sub) if value_sub else None
    if path is not None:
        value, error = _read_scaled(Path(path), divisor)
    elif kind != "intrusion":
        error = "no input"

    label = ident
    has_label = False
    if "label" in subs:
        attr = read_attr(Path(subs["label"]))
        if attr.text is not None:
            label, has_label = attr.text, True
        else:
            errors.append(f"{ident}_label: {attr.error}")

    limits: dict[str, float] = {}
    flags: dict[str, bool] = {}
    extra: dict[str, str] = {}
    for sub, sub_path in sorted(subs.items()):
        if sub in ("input", "label") or sub == value_sub:
            continue
        attr_name = f"{ident}_{sub}" if kind != "pwm" or sub != "input" else ident
        if sub in LIMITS:
            limit, limit_error = _read_scaled(Path(sub_path), divisor)
            if limit is not None:
                limits[sub] = limit
            else:
                errors.append(f"{attr_name}: {limit_error}")
        elif sub.endswith("alarm") or sub in _FLAGS:
            attr = read_attr(Path(sub_path))
            number_value = parse_int(attr.text) if attr.text is not None else None
            if number_value is not None:
                flags[sub] = number_value != 0
            else:
                errors.append(f"{attr_name}: {attr.error or 'garbage'}")
        else:
            attr = read_attr(Path(sub_path))
            if attr.text is not None:
                extra[sub] = attr.text
            elif attr.error not in ("empty",):
                errors.append(f"{attr_name}: {attr.error}")
    return HwmonInput(
        id=ident,
        kind=kind,
        number=number,
        label=label,
        has_label=has_label,
        unit=unit,
        value=value,
        error=error,
        path=path,
        limits=limits,
        flags=flags,
        extra=extra,
        errors=tuple(errors),
    )


def _read_scaled(path: Path, divisor: float) -> tuple[float | None, str | None]:
    attr = read_attr(path)
    if attr.text is None:
        return None, attr.error
    raw = parse_int(attr.text)
    if raw is None:
        return None, "garbage"
    return raw / divisor, None


# --- libsensors chip names ------------------------------------------------------------------------
# lm-sensors lib/sysfs.c find_bus_type(): classify the ``device`` link by its subsystem; when the
# subsystem is not a bus libsensors knows (nvme, power_supply, thermal…), follow that device's own
# ``device`` link, and fall back to "virtual". Reproduced so our chip ids match `sensors` output.

_I2C_RE = re.compile(r"^(-?\d+)-([0-9a-fA-F]+)")
_SPI_RE = re.compile(r"^spi(-?\d+)\.(\d+)")
_PCI_RE = re.compile(r"^([0-9a-fA-F]+):([0-9a-fA-F]+):([0-9a-fA-F]+)\.([0-9a-fA-F]+)")
_PLATFORM_RE = re.compile(r"^[a-z0-9_]+\.(\d+)")
_MDIO_RE = re.compile(r"^[^:]+:(\d+)")
_SCSI_RE = re.compile(r"^(\d+):(\d+):(\d+):([0-9a-fA-F]+)")


def sensors_chip_name(hwmon_dir: Path, name: str, sysfs: Path = Path("/sys")) -> tuple[str, str]:
    """(libsensors chip name, adapter text) for a chip: ("coretemp-isa-0000", "ISA adapter")."""
    dev = _realpath(hwmon_dir / "device")
    while dev is not None:
        subsys = link_name(dev / "subsystem") or link_name(dev / "bus")
        found = _classify(name, dev.name, subsys, sysfs)
        if found is not None:
            return found
        dev = _realpath(dev / "device")
    return f"{name}-virtual-0", "Virtual device"


def _realpath(link: Path) -> Path | None:
    try:
        return Path(os.path.realpath(link, strict=True))
    except OSError:
        return None


def _classify(name: str, dev_name: str, subsys: str | None, sysfs: Path) -> tuple[str, str] | None:
    if subsys in (None, "i2c") and (m := _I2C_RE.match(dev_name)):
        bus, addr = int(m.group(1)), int(m.group(2), 16)
        # /sys/class/i2c-adapter is gone from modern kernels; libsensors then lists /sys/bus/i2c.
        adapter = (
            read_attr(sysfs / "class" / "i2c-adapter" / f"i2c-{bus}" / "name").text
            or read_attr(sysfs / "bus" / "i2c" / "devices" / f"i2c-{bus}" / "name").text
        )
        if bus == 9191 or (adapter or "").startswith("ISA "):
            return f"{name}-isa-{addr:04x}", "ISA adapter"
        return f"{name}-i2c-{bus}-{addr:02x}", adapter or "Unknown adapter"
    if subsys in (None, "spi") and (m := _SPI_RE.match(dev_name)):
        return f"{name}-spi-{int(m.group(1))}-{int(m.group(2)):x}", "SPI adapter"
    if subsys in (None, "pci") and (m := _PCI_RE.match(dev_name)):
        domain, bus, slot, fn = (int(g, 16) for g in m.groups())
        return f"{name}-pci-{(domain << 16) + (bus << 8) + (slot << 3) + fn:04x}", "PCI adapter"
    if subsys in (None, "platform", "of_platform"):
        m = _PLATFORM_RE.match(dev_name)
        return f"{name}-isa-{int(m.group(1)) if m else 0:04x}", "ISA adapter"
    if subsys == "acpi":
        return f"{name}-acpi-0", "ACPI interface"
    if subsys == "hid" and (m := _PCI_RE.match(dev_name)):
        return f"{name}-hid-{int(m.group(1), 16)}-{int(m.group(4), 16):x}", "HID adapter"
    if subsys == "mdio_bus":
        m = _MDIO_RE.match(dev_name)
        return f"{name}-mdio-{int(m.group(1)) if m else 0:x}", "MDIO adapter"
    if subsys == "scsi" and (m := _SCSI_RE.match(dev_name)):
        host, channel, target, lun = int(m.group(1)), int(m.group(2)), int(m.group(3)), int(m.group(4), 16)
        return f"{name}-scsi-{host}-{(channel << 8) + (target << 4) + lun:x}", "SCSI adapter"
    return None

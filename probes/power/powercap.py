"""RAPL power domains from /sys/class/powercap, and watts from their energy counters."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from hwinspector.i18n import N_
from hwinspector.probes.errors import ProbeUnavailable
from hwinspector.probes.sysfs_attr import errno_name, optional_int, optional_text, parse_int, read_int

# Linux 5.10 made energy_uj mode 0400 after PLATYPUS (CVE-2020-8694): unprivileged energy readings
# let a local attacker infer data processed by other code, SGX enclaves included (CVE-2020-8695).
RAPL_ROOT_ONLY_REASON = (
    "energy_uj is readable by root only since Linux 5.10 (CVE-2020-8694); run as root or install "
    "the opt-in udev rule packaging/udev/60-hwinspector-rapl.rules"
)

# Control types whose zones are RAPL domains. AMD Zen exposes its RAPL MSRs through intel_rapl_msr
# under the same "intel-rapl" control type (Linux 5.8+); -mmio and -tpmi are other Intel interfaces to
# the same counters, so their ids get their own prefix.
_ID_PREFIX = {"intel-rapl": "rapl", "intel-rapl-mmio": "rapl-mmio", "intel-rapl-tpmi": "rapl-tpmi"}


@dataclass(frozen=True, slots=True)
class PowerConstraint:
    """One power limit of a zone (constraint_N_*): long_term is PL1, short_term PL2, peak_power PL4."""

    index: int
    name: str | None
    power_limit_watts: float | None
    time_window_s: float | None
    max_power_watts: float | None


@dataclass(frozen=True, slots=True)
class RaplDomain:
    """One powercap zone with an energy counter: package, core, uncore, dram or psys."""

    id: str  # stable: "rapl:package-0", "rapl:package-0/core", "rapl:psys"
    zone: str  # the sysfs zone name, "intel-rapl:0:1"
    name: str  # what the zone calls itself, "uncore"
    control_type: str  # "intel-rapl", "intel-rapl-mmio", …
    parent: str | None  # zone name of the enclosing zone
    path: str
    energy_path: str
    energy_uj: int | None  # None when unreadable: never a made-up 0
    max_energy_range_uj: int | None  # the counter wraps to 0 after this value
    readable: bool
    reason: str | None  # why it is not readable
    enabled: bool | None
    constraints: tuple[PowerConstraint, ...]


def _reason_for(error: str, control_type: str) -> str:
    if error in ("EACCES", "EPERM") and control_type.startswith("intel-rapl"):
        return RAPL_ROOT_ONLY_REASON
    return f"energy_uj: {error}"


def list_rapl_domains(sysfs: Path = Path("/sys")) -> list[RaplDomain]:
    """Every powercap zone that has an energy counter, parents before children.

    Raises ProbeUnavailable when there is no powercap class or no zone with a counter (no RAPL driver
    loaded, or a virtual machine that does not pass RAPL through).
    """
    root = sysfs / "class" / "powercap"
    try:
        entries = os.listdir(root)
    except FileNotFoundError:
        raise ProbeUnavailable(
            N_("{root} does not exist: this kernel has no powercap support").format(root=root)
        ) from None
    except OSError as exc:
        raise ProbeUnavailable(f"cannot list {root}: {exc.strerror}") from None
    # "intel-rapl" itself is the control type, not a zone; zones are "<type>:<n>[:<m>…]".
    zones = sorted((z for z in entries if ":" in z), key=_zone_sort_key)
    names = {z: optional_text(root / z / "name") or z for z in zones}
    domains = []
    for zone in zones:
        d = root / zone
        if not (d / "energy_uj").exists():
            continue
        domains.append(_read_domain(d, zone, names))
    if not domains:
        raise ProbeUnavailable(
            f"no powercap zone under {root} has an energy counter: the RAPL driver (intel_rapl_msr) "
            "is not loaded, or this machine or virtual machine does not expose RAPL"
        )
    return domains


def _zone_sort_key(zone: str) -> tuple[str, tuple[int, ...]]:
    control_type, _, rest = zone.partition(":")
    return control_type, tuple(parse_int(p) or 0 for p in rest.split(":"))


def _domain_id(zone: str, names: dict[str, str]) -> str:
    control_type, _, rest = zone.partition(":")
    parts = rest.split(":")
    chain = [names.get(f"{control_type}:" + ":".join(parts[: i + 1]), "?") for i in range(len(parts))]
    return f"{_ID_PREFIX.get(control_type, control_type)}:" + "/".join(chain)


def _read_domain(d: Path, zone: str, names: dict[str, str]) -> RaplDomain:
    control_type = zone.partition(":")[0]
    energy = read_int(d / "energy_uj")
    reason = None if energy.error is None else _reason_for(energy.error, control_type)
    parent = zone.rsplit(":", 1)[0]
    enabled = optional_int(d / "enabled")
    return RaplDomain(
        id=_domain_id(zone, names),
        zone=zone,
        name=names[zone],
        control_type=control_type,
        parent=parent if parent in names else None,
        path=str(d),
        energy_path=str(d / "energy_uj"),
        energy_uj=energy.value,
        max_energy_range_uj=optional_int(d / "max_energy_range_uj"),
        readable=energy.value is not None,
        reason=reason,
        enabled=None if enabled is None else enabled != 0,
        constraints=_read_constraints(d),
    )


def _read_constraints(d: Path) -> tuple[PowerConstraint, ...]:
    out = []
    i = 0
    while (d / f"constraint_{i}_name").exists() or (d / f"constraint_{i}_power_limit_uw").exists():
        limit = optional_int(d / f"constraint_{i}_power_limit_uw")
        window = optional_int(d / f"constraint_{i}_time_window_us")
        peak = optional_int(d / f"constraint_{i}_max_power_uw")
        out.append(
            PowerConstraint(
                index=i,
                name=optional_text(d / f"constraint_{i}_name"),
                power_limit_watts=None if limit is None else limit / 1e6,
                time_window_s=None if window is None else window / 1e6,
                # 0 means "not reported" for max_power_uw on most platforms.
                max_power_watts=peak / 1e6 if peak else None,
            )
        )
        i += 1
    return tuple(out)


def energy_delta_uj(previous_uj: int, current_uj: int, max_energy_range_uj: int | None) -> int | None:
    """Energy used between two readings of one counter, across one wrap-around.

    The counter counts up to max_energy_range_uj and restarts at 0 (a 32-bit MSR scaled by the energy
    unit). A drop with no known range, or a previous value beyond the range, is a reset (resume,
    driver reload), not a wrap: None, since the energy used is unknowable.
    """
    if current_uj >= previous_uj:
        return current_uj - previous_uj
    if not max_energy_range_uj or previous_uj > max_energy_range_uj:
        return None
    return max_energy_range_uj - previous_uj + current_uj


def power_watts(previous_uj: int, current_uj: int, seconds: float, max_energy_range_uj: int | None) -> float | None:
    """Average power between two readings taken ``seconds`` apart; None when it cannot be known."""
    if seconds <= 0:
        return None
    delta = energy_delta_uj(previous_uj, current_uj, max_energy_range_uj)
    return None if delta is None else delta / 1e6 / seconds


@dataclass(frozen=True, slots=True)
class RaplPower:
    """One domain's average power since the previous sample, or why there is none."""

    id: str
    power_watts: float | None
    reason: str | None


class RaplMeter:
    """Watts per domain from successive energy readings; keeps the counter files open between samples.

    The first sample of each domain has no power (it needs two readings). Call ``close()`` (or use it
    as a context manager) to release the file descriptors.
    """

    def __init__(self, domains: Sequence[RaplDomain], clock: Callable[[], float] = time.monotonic) -> None:
        self._domains = list(domains)
        self._clock = clock
        self._fds: dict[str, int] = {}
        self._last: dict[str, tuple[float, int]] = {}
        self._errors: dict[str, str] = {}
        for d in self._domains:
            if not d.readable:
                continue
            try:
                self._fds[d.id] = os.open(d.energy_path, os.O_RDONLY | os.O_CLOEXEC)
            except OSError as exc:
                self._errors[d.id] = _reason_for(errno_name(exc), d.control_type)

    def __enter__(self) -> RaplMeter:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        for fd in self._fds.values():
            os.close(fd)
        self._fds.clear()

    def _read(self, fd: int) -> int | None:
        data = os.pread(fd, 32, 0)
        return parse_int(data.decode("ascii", "replace"))

    def sample(self) -> list[RaplPower]:
        """One reading of every domain, in the order given."""
        now = self._clock()
        out = []
        for d in self._domains:
            fd = self._fds.get(d.id)
            if fd is None:
                out.append(RaplPower(d.id, None, self._errors.get(d.id) or d.reason or "not readable"))
                continue
            try:
                value = self._read(fd)
            except OSError as exc:
                out.append(RaplPower(d.id, None, _reason_for(errno_name(exc), d.control_type)))
                continue
            if value is None:
                out.append(RaplPower(d.id, None, "energy_uj: garbage"))
                continue
            previous = self._last.get(d.id)
            self._last[d.id] = (now, value)
            if previous is None:
                out.append(RaplPower(d.id, None, "first sample: power needs two readings"))
                continue
            watts = power_watts(previous[1], value, now - previous[0], d.max_energy_range_uj)
            reason = None if watts is not None else "counter reset or no time elapsed since the last sample"
            out.append(RaplPower(d.id, watts, reason))
        return out

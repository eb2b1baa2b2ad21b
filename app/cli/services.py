"""CLI: ``power`` (UPower devices, power profiles, sleep, GPUs) and ``firmware`` (fwupd devices, HSI) over D-Bus."""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from typing import TYPE_CHECKING, Any

from hwinspector.i18n import _
from hwinspector.probes.errors import ProbeUnavailable

if TYPE_CHECKING:
    from hwinspector.probes.services.bus import (
        FirmwareInfo,
        PowerReport,
        SleepInfo,
        UPowerDevice,
    )

EXIT_OK, EXIT_USAGE = 0, 2


def register(sub: Any) -> None:
    power = sub.add_parser(
        "power", help=_("power devices (UPower), power profiles, sleep states and GPUs, from the system services")
    )
    power.add_argument("--json", action="store_true", help=_("machine-readable output"))
    power.add_argument("--timeout", type=float, default=10.0, metavar="S", help=_("seconds to wait for each service"))
    fw = sub.add_parser("firmware", help=_("firmware devices and the host security (HSI) report from fwupd"))
    fw.add_argument("--json", action="store_true", help=_("machine-readable output"))
    fw.add_argument(
        "--timeout", type=float, default=30.0, metavar="S", help=_("seconds to wait (fwupd may start on demand)")
    )


def run(args: argparse.Namespace) -> int | None:
    if args.command not in ("power", "firmware"):
        return None
    if not args.timeout > 0:
        print(_("hwinspector: --timeout must be positive"), file=sys.stderr)
        return EXIT_USAGE
    return cmd_power(args) if args.command == "power" else cmd_firmware(args)


def _dump(doc: dict[str, Any]) -> None:
    json.dump(doc, sys.stdout, indent=1, ensure_ascii=False, allow_nan=False)
    sys.stdout.write("\n")


def _num(value: float | None, unit: str, fmt: str = "{:.4g}") -> str:
    return "-" if value is None else f"{fmt.format(value)}{unit}"


def _duration(seconds: int | None) -> str:
    if not seconds:
        return "-"
    hours, rest = divmod(seconds // 60, 60)
    return _("{hours} h {rest:02d} min").format(hours=hours, rest=rest) if hours else f"{rest} min"


def _rows(rows: list[list[str]], headers: list[str]) -> str:
    widths = [max(len(r[i]) for r in [headers, *rows]) for i in range(len(headers))]
    return "\n".join(
        "  " + "  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in [headers, *rows]
    )


def _device_row(d: UPowerDevice) -> list[str]:
    name = d.native_path.rsplit("/", 1)[-1] or d.path.rsplit("/", 1)[-1]
    label = " ".join(x for x in (d.vendor, d.model) if x)
    if not d.power_supply and label:
        name, label = label, ""  # a mouse or a phone is known by its model, not by its Bluetooth address
    energy = f"{_num(d.energy_wh, '')}/{_num(d.energy_full_wh, ' Wh')}" if d.energy_full_wh else "-"
    time_left = _duration(d.time_to_empty_s) if d.time_to_empty_s else _duration(d.time_to_full_s)
    state = "online" if d.online else "offline" if d.online is False else d.state
    return [
        f"{name} ({label})" if label else name,
        d.kind,
        state,
        _num(d.percentage, "%", "{:.0f}"),
        energy,
        _num(d.energy_rate_watts, " W"),
        _num(d.capacity_percent, "%", "{:.1f}"),
        str(d.charge_cycles) if d.charge_cycles is not None else "-",
        time_left,
    ]


def _print_sleep(sleep: SleepInfo) -> None:
    k = sleep.kernel
    mem = " ".join(f"[{m}]" if m == k.mem_sleep_selected else m for m in k.mem_sleep) or "-"
    print(_("  kernel: /sys/power/state {states}; mem_sleep {mem}").format(states=" ".join(k.states) or "-", mem=mem))
    for err in k.errors:
        print(_("  kernel: cannot read {err}").format(err=err))
    lg = sleep.logind
    if not lg.available:
        print(_("  logind: not available: {reason}").format(reason=lg.reason))
        return
    print(
        "  logind: "
        + ", ".join(_("Can{action} {answer}").format(action=action, answer=answer) for action, answer in lg.can)
    )
    if lg.session is not None:
        s = lg.session
        print(
            _("  session {id}: {type} ({session_class}, found by {found_by})").format(
                id=s.id, type=s.type or "?", session_class=s.session_class, found_by=s.found_by
            )
        )
    else:
        print(f"  session: {lg.session_reason}")
    if lg.inhibitors:
        rows = [[i.what, i.who, i.why, i.mode, str(i.uid), str(i.pid)] for i in lg.inhibitors]
        print("  inhibitors:\n" + _rows(rows, ["WHAT", "WHO", "WHY", "MODE", "UID", "PID"]))
    else:
        print(f"  inhibitors: {lg.inhibitors_reason or 'none'}")


def _print_power(report: PowerReport) -> None:
    up = report.upower
    if not up.available:
        print(_("UPower: not available: {reason}").format(reason=up.reason))
    else:
        lid = "closed" if up.lid_is_closed else "open" if up.lid_is_present else "none"
        print(
            _("UPower {daemon_version}: on battery {value}, lid {lid}").format(
                daemon_version=up.daemon_version, value="yes" if up.on_battery else "no", lid=lid
            )
        )
        if up.devices:
            headers = ["DEVICE", "KIND", "STATE", "CHARGE", "ENERGY", "RATE", "HEALTH", "CYCLES", "TIME"]
            print(_rows([_device_row(d) for d in up.devices], headers))
        for d in up.devices:
            if d.charge_threshold_supported:
                on = "enabled" if d.charge_threshold_enabled else "disabled"
                print(
                    _(
                        "  {native_path}: charge thresholds {charge_start_threshold_percent} to "
                        "{charge_end_threshold_percent} % ({on})"
                    ).format(
                        native_path=d.native_path,
                        charge_start_threshold_percent=d.charge_start_threshold_percent,
                        charge_end_threshold_percent=d.charge_end_threshold_percent,
                        on=on,
                    )
                )
    pp = report.profiles
    print()
    if not pp.available:
        print(_("Power profiles: not available: {reason}").format(reason=pp.reason))
    else:
        print(
            _("Power profiles ({bus_name}): active {active_profile}").format(
                bus_name=pp.bus_name, active_profile=pp.active_profile
            )
        )
        for p in pp.profiles:
            drivers = ", ".join(x for x in (p.cpu_driver, p.platform_driver) if x) or p.driver
            print(f"  {'*' if p.name == pp.active_profile else ' '} {p.name:12} {drivers}")
        if pp.performance_degraded:
            print(
                _("  performance degraded: {performance_degraded}").format(performance_degraded=pp.performance_degraded)
            )
        for h in pp.holds:
            print(
                _("  held: {profile} by {application_id}: {reason}").format(
                    profile=h.profile, application_id=h.application_id, reason=h.reason
                )
            )
    print(_("\nSleep"))
    _print_sleep(report.sleep)
    sw = report.switcheroo
    print()
    if not sw.available:
        print(_("GPUs (switcheroo-control): not available: {reason}").format(reason=sw.reason))
    else:
        print(_("GPUs (switcheroo-control): {value}").format(value="dual GPU" if sw.has_dual_gpu else "single GPU"))
        for g in sw.gpus:
            print(f"  {'*' if g.default else ' '} {g.name}  {g.environment_text}")


def cmd_power(args: argparse.Namespace) -> int:
    from hwinspector.probes.power.supply import list_power_supplies
    from hwinspector.probes.services.bus import read_power_report

    report = read_power_report(timeout_s=args.timeout)
    try:
        supplies: list[Any] = list_power_supplies()
        supplies_reason = ""
    except ProbeUnavailable as exc:
        supplies, supplies_reason = [], exc.reason
    if args.json:
        doc = {
            "upower": dataclasses.asdict(report.upower),
            "power_profiles": dataclasses.asdict(report.profiles),
            "sleep": dataclasses.asdict(report.sleep),
            "switcheroo": dataclasses.asdict(report.switcheroo),
            "kernel_power_supply": {
                "available": not supplies_reason,
                "reason": supplies_reason,
                "supplies": [dataclasses.asdict(s) for s in supplies],
            },
        }
        _dump(doc)
        return EXIT_OK
    _print_power(report)
    print(_("\nKernel power supplies (/sys/class/power_supply)"))
    if supplies_reason:
        print(_("  not available: {supplies_reason}").format(supplies_reason=supplies_reason))
    for s in supplies:
        level = _num(s.capacity_percent, "%", "{:.0f}")
        print(f"  {s.name:12} {s.type or '?':8} {s.status or ('online' if s.online else '-'):12} {level}")
    if not supplies and not supplies_reason:
        print("  none")
    return EXIT_OK


def _print_firmware(fw: FirmwareInfo) -> None:
    if not fw.available:
        print(_("fwupd: not available: {reason}").format(reason=fw.reason))
        return
    print(
        _("fwupd {daemon_version}: host security ID {host_security_id}").format(
            daemon_version=fw.daemon_version, host_security_id=fw.host_security_id or "unknown"
        )
    )
    print(_("\nDevices ({n})").format(n=len(fw.devices)))
    if fw.devices_reason:
        print(_("  not available: {devices_reason}").format(devices_reason=fw.devices_reason))
    if fw.devices:
        rows = [[d.name, d.vendor, d.version or "-", d.update_state, ",".join(d.flags)] for d in fw.devices]
        print(_rows(rows, ["NAME", "VENDOR", "VERSION", _("UPDATE STATE"), "FLAGS"]))
    print(_("\nHost security attributes ({n})").format(n=len(fw.security_attrs)))
    if fw.security_reason:
        print(_("  not available: {security_reason}").format(security_reason=fw.security_reason))
    if fw.security_attrs:
        rows = [
            [str(a.hsi_level), "pass" if a.success else "FAIL", a.result, a.name or a.appstream_id, a.appstream_id]
            for a in sorted(fw.security_attrs, key=lambda a: (a.hsi_level or 99, a.appstream_id))
        ]
        print(_rows(rows, ["HSI", "", "RESULT", "NAME", "ID"]))


def cmd_firmware(args: argparse.Namespace) -> int:
    from hwinspector.probes.services.bus import read_firmware_report

    fw = read_firmware_report(timeout_s=args.timeout)
    if args.json:
        _dump({"fwupd": dataclasses.asdict(fw)})
        return EXIT_OK
    _print_firmware(fw)
    return EXIT_OK

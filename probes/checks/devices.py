"""Scorecard checks of devices a partner shows: audio, network, Bluetooth, camera, fingerprint, touch input."""

from __future__ import annotations

import re
from collections.abc import Sequence

from hwinspector.i18n import N_
from hwinspector.probes.checks.av import audio_verdict, camera_verdict
from hwinspector.probes.checks.base import (
    Device,
    Sections,
    Status,
    Verdict,
    ancestors,
    bound,
    devices,
    listed,
    name,
    not_in_source,
    pci_class,
    portable_reason,
    props,
    source_lacks,
    sysname,
    usb_ids,
    usb_interface_class,
    worst,
)
from hwinspector.probes.checks.links import bluetooth_links, wifi_links

# USB vendors whose devices are fingerprint sensors (libfprint's supported-device list, by vendor):
# Validity/Synaptics, Goodix, AuthenTec, UPEK, EgisTec, FPC, FocalTech, Next Biometrics.
FINGERPRINT_VENDORS = frozenset({"138a", "27c6", "08ff", "147e", "1c7a", "10a5", "2808", "298d"})
_FINGERPRINT_NAME = re.compile(r"fingerprint|biometric", re.IGNORECASE)
_TOUCH_NAME = re.compile(r"touch ?pad|track ?pad|glidepoint|clickpad|touch ?screen", re.IGNORECASE)
# Video nodes that are not cameras: memory-to-memory codecs, ISPs and scalers (Raspberry Pi, i.MX, Rockchip).
_V4L_NOT_CAMERA = re.compile(r"isp|codec|enc|dec|m2m|hevc|h264|vp9|jpeg|scaler|rga|hantro", re.IGNORECASE)
# ACPI ids of HID over I2C (touchpads and touchscreens of most laptops since 2015).
_I2C_HID = re.compile(r"PNP0C50|ACPI0C50", re.IGNORECASE)


def _by_path(devs: Sequence[Device]) -> dict[str, Device]:
    return {str(d.get("path")): d for d in devs}


def _driver_above(dev: Device, by_path: dict[str, Device]) -> str | None:
    """The driver of the nearest bound ancestor: what makes a class device (net, sound card) exist."""
    for node in ancestors(dev, by_path):
        if node.get("driver"):
            return str(node["driver"])
    return None


def _devices_verdict(
    cid: str,
    title: str,
    hardware: Sequence[Device],
    working: Sequence[str],
    what: str,
    hint: str,
    extra: Sequence[str] = (),
) -> Verdict:
    """Hardware that needs a driver, and the lines that show the driver produced what it should."""
    unbound = [d for d in hardware if not bound(d)]
    evidence = [*working, *extra, *(N_("{name}: no driver").format(name=name(d)) for d in unbound)]
    if unbound:
        return Verdict(
            cid,
            title,
            Status.FAIL,
            N_("{n} {what} device(s) without a driver").format(n=len(unbound), what=what),
            tuple(listed(evidence)),
            hint,
        )
    if hardware and not working:
        drivers = ", ".join(sorted({str(d.get("driver")) for d in hardware}))
        return Verdict(
            cid,
            title,
            Status.WARNING,
            N_("{what} hardware bound ({drivers}) but nothing registered").format(what=what, drivers=drivers),
            tuple(listed([*(f"{name(d)} ({d.get('driver')})" for d in hardware), *extra])),
            hint,
        )
    if not working:
        return Verdict(
            cid, title, Status.NA, N_("not applicable: no {what} hardware found").format(what=what), tuple(extra)
        )
    return Verdict(cid, title, Status.PASS, N_("{what} present and bound").format(what=what), tuple(listed(evidence)))


def _follow_links(verdict: Verdict, links: tuple[Status, str, list[str]] | None, hint: str) -> Verdict:
    """Present and bound is not yet working: the wireless chain decides the rest (kept as it is without one)."""
    if links is None or verdict.status in (Status.FAIL, Status.NA):
        return verdict
    status, summary, evidence = links
    worse = worst([verdict.status, status])
    if worse is Status.PASS:
        return Verdict(
            verdict.check, verdict.title, Status.PASS, summary, tuple(listed([*verdict.evidence, *evidence]))
        )
    text = summary if status is worse else verdict.summary
    return Verdict(verdict.check, verdict.title, worse, text, tuple(listed([*evidence, *verdict.evidence])), hint)


def _lacks_devices(sections: Sections, cid: str, title: str) -> Verdict | None:
    return not_in_source(cid, title, N_("the device list is")) if source_lacks(sections, "devices") else None


def check_audio(sections: Sections) -> Verdict:
    cid, title = "audio", N_("Audio")
    if (v := audio_verdict(sections)) is not None:
        return v  # the whole chain, where the source has it
    if (v := _lacks_devices(sections, cid, title)) is not None:
        return v
    devs = devices(sections)
    by_path = _by_path(devs)
    # PCI multimedia audio (0401) and HD audio (0403) controllers; USB audio control interfaces (class 1/1).
    hardware = [d for d in devs if pci_class(d) in ((0x04, 0x01), (0x04, 0x03)) or usb_interface_class(d) == (1, 1, 0)]
    cards = [d for d in devs if d.get("subsystem") == "sound" and re.fullmatch(r"card\d+", sysname(d))]
    working = [f"{sysname(c)}: {name(c)} ({_driver_above(c, by_path) or 'no driver'})" for c in cards]
    return _devices_verdict(
        cid,
        title,
        hardware,
        working,
        N_("audio"),
        N_("Check snd_hda_intel or SOF in the kernel log (codec probe, DSP firmware)."),
    )


def check_network(sections: Sections) -> Verdict:
    cid, title = "network", N_("Network")
    if (v := _lacks_devices(sections, cid, title)) is not None:
        return v
    devs = devices(sections)
    by_path = _by_path(devs)
    # PCI network controllers (02xx) and wireless controllers (0dxx) other than Bluetooth (0d11).
    hardware = [
        d for d in devs if (c := pci_class(d)) is not None and (c[0] == 0x02 or (c[0] == 0x0D and c[1] != 0x11))
    ]
    working = []
    for d in devs:
        if d.get("subsystem") != "net" or str(d.get("path", "")).startswith("/devices/virtual/"):
            continue
        kind = {"wlan": N_("wireless"), "wwan": N_("mobile broadband")}.get(str(d.get("devtype")), N_("wired"))
        working.append(f"{kind}: {sysname(d)} ({_driver_above(d, by_path) or 'no driver'})")
    working.sort()
    verdict = _devices_verdict(
        cid,
        title,
        hardware,
        working,
        N_("network"),
        N_(
            "A network controller without a driver: the Drivers page lists matching modules; Wi-Fi "
            "often needs firmware."
        ),
    )
    return _follow_links(verdict, wifi_links(sections), N_("The Wireless page shows where the Wi-Fi chain breaks."))


def check_bluetooth(sections: Sections) -> Verdict:
    cid, title = "bluetooth", N_("Bluetooth")
    if (v := _lacks_devices(sections, cid, title)) is not None:
        return v
    devs = devices(sections)
    by_path = _by_path(devs)
    # USB class E0/01/01 is "Wireless Controller, RF, Bluetooth programming interface"; PCI 0d11 is Bluetooth.
    hardware = [d for d in devs if usb_interface_class(d) == (0xE0, 0x01, 0x01) or pci_class(d) == (0x0D, 0x11)]
    hcis = [d for d in devs if d.get("subsystem") == "bluetooth" and re.fullmatch(r"hci\d+", sysname(d))]
    working = []
    for h in hcis:
        above = [a for a in ancestors(h, by_path) if a.get("subsystem") in ("usb", "pci", "serial", "platform")]
        where = (
            name(above[1])
            if len(above) > 1 and above[0].get("devtype") == "usb_interface"
            else (name(above[0]) if above else "?")
        )
        working.append(
            N_("{sysname} on {where} ({driver_above})").format(
                sysname=sysname(h), where=where, driver_above=_driver_above(h, by_path) or "no driver"
            )
        )
    verdict = _devices_verdict(
        cid,
        title,
        hardware,
        working,
        N_("Bluetooth"),
        N_("btusb bound without an hci device usually means its firmware failed to load."),
    )
    return _follow_links(
        verdict, bluetooth_links(sections), N_("The Wireless page shows where the Bluetooth chain breaks.")
    )


def _is_camera_node(d: Device, by_path: dict[str, Device]) -> bool:
    if d.get("subsystem") != "video4linux":
        return False
    caps = props(d).get("ID_V4L_CAPABILITIES")
    product = props(d).get("ID_V4L_PRODUCT") or name(d)
    if caps is not None:
        return ":capture:" in caps and not _V4L_NOT_CAMERA.search(product)
    # No udev properties (a live machine without udevd): a node under a UVC interface is a camera.
    return any(usb_interface_class(a) == (0x0E, 0x01, 0x00) for a in ancestors(d, by_path))


def check_camera(sections: Sections) -> Verdict:
    cid, title = "camera", N_("Camera")
    if (v := camera_verdict(sections)) is not None:
        return v
    if (v := _lacks_devices(sections, cid, title)) is not None:
        return v
    devs = devices(sections)
    by_path = _by_path(devs)
    # USB Video Class control interfaces (0e/01), and Intel's imaging units behind MIPI cameras (IPU).
    hardware = [
        d
        for d in devs
        if ((c := usb_interface_class(d)) is not None and c[:2] == (0x0E, 0x01))
        or (pci_class(d) is not None and re.search(r"\bIPU\b|Imaging|Image Processing", name(d)))
    ]
    nodes = [d for d in devs if _is_camera_node(d, by_path)]
    working = [
        f"{sysname(n)}: {props(n).get('ID_V4L_PRODUCT') or name(n)} ({_driver_above(n, by_path) or 'no driver'})"
        for n in nodes
    ]
    return _devices_verdict(
        cid,
        title,
        hardware,
        working,
        N_("camera"),
        N_("uvcvideo (USB) or the IPU driver and its sensor firmware (MIPI) did not register a video node."),
    )


def _fingerprint(dev: Device) -> bool:
    if dev.get("subsystem") != "usb" or dev.get("devtype") != "usb_device":
        return False
    ids = usb_ids(dev)
    if ids is not None:
        vid, pid = ids
        if vid in FINGERPRINT_VENDORS:
            return True
        # Synaptics USB devices from 0x0080 on are Prometheus/Metallica fingerprint sensors (keyboard
        # touchpads below); Elan's fingerprint sensors are 0x0c00-0x0cff (its touchscreens are elsewhere).
        if (vid == "06cb" and int(pid, 16) >= 0x80) or (vid == "04f3" and pid.startswith("0c")):
            return True
    model = props(dev).get("ID_MODEL_FROM_DATABASE") or ""
    return bool(_FINGERPRINT_NAME.search(f"{name(dev)} {model}"))


def check_fingerprint(sections: Sections) -> Verdict:
    cid, title = "fingerprint", N_("Fingerprint reader")
    if (v := _lacks_devices(sections, cid, title)) is not None:
        return v
    found = [d for d in devices(sections) if _fingerprint(d)]
    if not found:
        return Verdict(cid, title, Status.NA, N_("not applicable: no fingerprint reader found"))
    lines = [
        N_("{name} (USB {usb_ids})").format(name=name(d), usb_ids=":".join(usb_ids(d) or ("?", "?"))) for d in found
    ]
    return Verdict(
        cid,
        title,
        Status.PASS,
        N_("present; used from user space (libfprint), no kernel driver needed"),
        tuple(listed(lines)),
        N_("Whether libfprint supports this sensor shows in fprintd-list; enrolment is the real test."),
    )


def _touch_kind(d: Device) -> str | None:
    if d.get("subsystem") != "input" or not re.fullmatch(r"input\d+", sysname(d)):
        return None
    p = props(d)
    if p.get("ID_INPUT_TOUCHPAD") == "1":
        return "touchpad"
    if p.get("ID_INPUT_TOUCHSCREEN") == "1":
        return "touchscreen"
    if "ID_INPUT" not in p and (m := _TOUCH_NAME.search(name(d))):
        return "touchscreen" if "screen" in m.group(0).lower() else "touchpad"
    return None


def check_touch(sections: Sections) -> Verdict:
    cid, title = "touch", N_("Touchpad and touchscreen")
    if (v := _lacks_devices(sections, cid, title)) is not None:
        return v
    devs = devices(sections)
    by_path = _by_path(devs)
    # HID over I2C devices have no input device until i2c_hid binds: they are the hardware to check.
    hardware = [
        d
        for d in devs
        if d.get("subsystem") == "i2c" and _I2C_HID.search(str(d.get("modalias") or props(d).get("MODALIAS") or ""))
    ]
    working = []
    for d in devs:
        kind = _touch_kind(d)
        if kind is not None:
            working.append(f"{kind}: {name(d)} ({_driver_above(d, by_path) or 'no driver'})")
    verdict = _devices_verdict(
        cid,
        title,
        hardware,
        working,
        N_("touch input"),
        N_("Check i2c_hid_acpi, hid_multitouch or psmouse in the kernel log."),
    )
    if verdict.status is Status.NA and (why := portable_reason(sections)) is not None:
        return Verdict(
            cid,
            title,
            Status.WARNING,
            N_("portable machine, but no touchpad found"),
            (N_("portable: {why}").format(why=why), N_("no input device is a touchpad or a touchscreen")),
            N_("A laptop's touchpad is on I2C (i2c_hid_acpi), SMBus (elan_i2c, psmouse-rmi) or PS/2 (psmouse)."),
        )
    return verdict

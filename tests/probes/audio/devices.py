"""Hand-made device lists for audio and camera chains (shaped like udevadm records of real machines)."""

from __future__ import annotations

from hwinspector.probes.devices.tree import Device, make_device


def dev(
    path: str, subsystem: str, driver: str | None = None, devtype: str | None = None, **props: str
) -> Device:  # fmt: skip
    parent = path.rsplit("/", 1)[0] if path.count("/") > 2 else None
    p = {"SUBSYSTEM": subsystem, **props}
    if devtype:
        p["DEVTYPE"] = devtype
    if driver:
        p["DRIVER"] = driver
    return make_device(path, parent, p, subsystem=subsystem, driver=driver)


def chain_of(*devs: Device) -> list[Device]:
    """Fill in the parent devices a path implies, like a dump has, and point each device at its nearest
    ancestor device. Class directories ("sound", "video4linux", "input") are not devices in sysfs."""
    by = {d.path: d for d in devs}
    for d in list(devs):
        p = d.path
        while p.count("/") > 2:
            p = p.rsplit("/", 1)[0]
            if p.rsplit("/", 1)[1] not in ("sound", "video4linux", "input"):
                by.setdefault(p, make_device(p, None, {}))
    out = []
    for d in by.values():
        p, parent = d.path, None
        while p.count("/") > 1 and parent is None:
            p = p.rsplit("/", 1)[0]
            parent = p if p in by else None
        props = dict(d.properties)
        out.append(make_device(d.path, parent, props, dict(d.attributes), subsystem=d.subsystem, driver=d.driver))
    return sorted(out, key=lambda d: d.path)


PCI = "/devices/pci0000:00"


def sof_glk(with_card: bool = True) -> list[Device]:
    """A Gemini Lake laptop with SOF and an ES8336 codec (thesofproject/linux#4656): DSP, machine driver, card."""
    ctl = f"{PCI}/0000:00:0e.0"
    devs = [
        dev(ctl, "pci", "sof-audio-pci-intel-apl", PCI_CLASS="40100", PCI_ID="8086:3198", PCI_SLOT_NAME="0000:00:0e.0",
            ID_MODEL_FROM_DATABASE="Celeron/Pentium Silver Processor High Definition Audio"),
    ]  # fmt: skip
    if with_card:
        mach = f"{ctl}/sof-essx8336"
        card = f"{mach}/sound/card0"
        devs += [
            dev(mach, "platform", "sof-essx8336"),
            dev(card, "sound"),
            dev(f"{card}/pcmC0D0p", "sound", DEVNAME="/dev/snd/pcmC0D0p"),
            dev(f"{card}/pcmC0D0c", "sound", DEVNAME="/dev/snd/pcmC0D0c"),
            dev(f"{card}/pcmC0D5p", "sound", DEVNAME="/dev/snd/pcmC0D5p"),
            dev(f"{card}/input12", "input", NAME='"sof-essx8336 Headset"'),
        ]
    return chain_of(*devs)


def hda_desktop(bound: bool = True, card: bool = True) -> list[Device]:
    ctl = f"{PCI}/0000:00:1f.3"
    devs = [
        dev(ctl, "pci", "snd_hda_intel" if bound else None, PCI_CLASS="40300", PCI_ID="8086:a348",
            PCI_SLOT_NAME="0000:00:1f.3", ID_MODEL_FROM_DATABASE="Cannon Lake PCH cAVS"),
    ]  # fmt: skip
    if card:
        c = f"{ctl}/sound/card0"
        devs += [
            dev(c, "sound"),
            dev(f"{c}/pcmC0D0p", "sound"),
            dev(f"{c}/pcmC0D0c", "sound"),
            dev(f"{ctl}/hdaudioC0D0", "hdaudio", "snd_hda_codec_realtek", MODALIAS="hdaudio:v10EC0256r00100002a01"),
            dev(f"{c}/hwC0D0", "sound"),
        ]
    return chain_of(*devs)

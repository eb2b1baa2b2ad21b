"""Every Wi-Fi, Bluetooth, Type-C and Thunderbolt device of every corpus udevadm dump shows in its chain,
with the driver the dump records (read independently from the dump's text)."""

from __future__ import annotations

from pathlib import Path

from hwinspector.probes.machine.chains import usbc_for, wireless_for
from hwinspector.probes.machine.snapshot import load_snapshot


def _records(text: str) -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {}
    cur: dict[str, str] | None = None
    for line in text.splitlines():
        if line.startswith("P: "):
            cur = out.setdefault(line[3:].rstrip("/"), {})
        elif line.startswith("E: ") and cur is not None:
            k, _, v = line[3:].partition("=")
            cur[k] = v
        elif not line.strip():
            cur = None
    return out


def _driver_above(path: str, recs: dict[str, dict[str, str]]) -> str | None:
    """The DRIVER of the record itself or the nearest ancestor record that has one."""
    p = path
    while p.count("/") > 1:
        if recs.get(p, {}).get("DRIVER"):
            return recs[p]["DRIVER"]
        p = p.rsplit("/", 1)[0]
    return None


def test_every_radio_and_port_in_the_corpus_dumps_shows_with_its_driver(corpus: Path) -> None:
    files = sorted((corpus / "udev/checkbox-udevadm_data").glob("*.txt"))
    assert files
    seen = {"ieee80211": 0, "bluetooth": 0, "typec": 0, "wlan": 0}
    for f in files:
        recs = _records(f.read_text(errors="replace"))
        snap = load_snapshot(f)
        wireless = wireless_for(snap)
        usbc = usbc_for(snap)
        phys = {r.devpath: r for r in wireless.wifi}
        hcis = {r.devpath: r for r in wireless.bluetooth}
        ifaces = {i.devpath: r for r in wireless.wifi for i in r.interfaces}
        ports = {p.devpath: p for p in usbc.ports}
        tb = {d.devpath for dom in usbc.domains for d in dom.devices} | {d.devpath for d in usbc.domains}
        for path, e in recs.items():
            sub, name = e.get("SUBSYSTEM"), path.rsplit("/", 1)[-1]
            want = _driver_above(path, recs)
            if sub == "ieee80211":
                seen["ieee80211"] += 1
                assert path in phys, f"{f.name}: {path} missing from the Wi-Fi chain"
                hw = phys[path].hardware
                assert hw is not None and hw.driver == want, f"{f.name}: {path} driver {hw} != {want}"
            elif sub == "net" and e.get("DEVTYPE") == "wlan":
                seen["wlan"] += 1
                assert path in ifaces, f"{f.name}: {path} missing from the Wi-Fi chain"
                hw = ifaces[path].hardware
                assert hw is not None and hw.driver == want
            elif sub == "bluetooth" and name.startswith("hci") and ":" not in name:
                seen["bluetooth"] += 1
                assert path in hcis, f"{f.name}: {path} missing from the Bluetooth chain"
                hw = hcis[path].hardware
                assert hw is not None and hw.driver == want, f"{f.name}: {path} driver {hw} != {want}"
            elif sub == "typec" and e.get("DEVTYPE") == "typec_port":
                seen["typec"] += 1
                assert path in ports, f"{f.name}: {path} missing from the USB-C chain"
                assert ports[path].driver == want
            elif sub == "thunderbolt":
                assert path in tb, f"{f.name}: {path} missing from the Thunderbolt chain"
    # the corpus as it is: ten Wi-Fi phys, six Bluetooth controllers, one UCSI port
    assert seen["ieee80211"] >= 10 and seen["bluetooth"] >= 6 and seen["typec"] >= 1, seen

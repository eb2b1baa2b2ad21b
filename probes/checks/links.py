"""Scorecard checks that follow a chain to its end: USB-C, Thunderbolt, and the wireless links of network and Bluetooth.

They read the ``usbc`` and ``wireless`` sections (each ``{"inputs": …, "chain": …}``); "works end to end"
is said only when every link of every chain is there and the source could see every link.
"""

from __future__ import annotations

from typing import Any

from hwinspector.i18n import N_
from hwinspector.probes.checks.base import Sections, Status, Verdict, devices, listed, not_in_source, source_lacks


def chain_of(sections: Sections, name: str) -> dict[str, Any] | None:
    sec = sections.get(name)
    if sec is None or not sec.available or not isinstance(sec.data, dict):
        return None
    chain = sec.data.get("chain")
    return chain if isinstance(chain, dict) else None


def _list(doc: dict[str, Any], key: str) -> list[dict[str, Any]]:
    v = doc.get(key)
    return [x for x in v if isinstance(x, dict)] if isinstance(v, list | tuple) else []


def _problems(chain: dict[str, Any], subjects: set[str]) -> list[dict[str, Any]]:
    return [p for p in _list(chain, "problems") if p.get("subject") in subjects and p.get("severity") != "info"]


def _status(problems: list[dict[str, Any]]) -> Status:
    if any(p.get("severity") == "error" for p in problems):
        return Status.FAIL
    return Status.WARNING if problems else Status.PASS


def wifi_links(sections: Sections) -> tuple[Status, str, list[str]] | None:
    """(status, summary, evidence) of every Wi-Fi radio's chain; None where the source has no wireless chain."""
    chain = chain_of(sections, "wireless")
    if chain is None or not _list(chain, "wifi"):
        return None
    evidence: list[str] = []
    problems: list[dict[str, Any]] = []
    unseen: list[str] = []
    for w in _list(chain, "wifi"):
        ifaces = [str(i.get("name")) for i in _list(w, "interfaces")]
        subject = str(w.get("phy") or (ifaces[0] if ifaces else w.get("devpath")))
        mine = _problems(chain, {subject})
        problems += mine
        hw: dict[str, Any] = w["hardware"] if isinstance(w.get("hardware"), dict) else {}
        evidence.append(f"{subject}: {hw.get('driver') or 'no driver'} → {', '.join(ifaces) or 'no interface'}")
        evidence += [f"{subject}: {p.get('detail')}" for p in mine]
    if chain.get("firmware") == {} or any("no kernel log" in str(n) for n in chain.get("notes") or []):
        unseen.append(N_("firmware (no kernel log)"))
    status = _status(problems)
    if status is Status.PASS and unseen:
        return (
            status,
            N_("Wi-Fi bound up to its interface; not seen: {unseen}").format(unseen=", ".join(unseen)),
            evidence,
        )
    if status is Status.PASS:
        return status, N_("Wi-Fi works end to end (device, driver, firmware, radio, interface)"), evidence
    return status, N_("Wi-Fi: {detail}").format(detail=problems[0].get("detail")), evidence


def bluetooth_links(sections: Sections) -> tuple[Status, str, list[str]] | None:
    chain = chain_of(sections, "wireless")
    if chain is None or not _list(chain, "bluetooth"):
        return None
    raw = chain.get("bluez")
    bluez: dict[str, Any] | None = raw if isinstance(raw, dict) else None
    evidence: list[str] = []
    problems: list[dict[str, Any]] = []
    for b in _list(chain, "bluetooth"):
        hci = str(b.get("hci"))
        mine = _problems(chain, {hci})
        problems += mine
        hw: dict[str, Any] = b["hardware"] if isinstance(b.get("hardware"), dict) else {}
        evidence.append(f"{hci}: {hw.get('driver') or 'no driver'}")
        evidence += [f"{hci}: {p.get('detail')}" for p in mine]
    status = _status(problems)
    if status is not Status.PASS:
        return status, N_("Bluetooth: {detail}").format(detail=problems[0].get("detail")), evidence
    if bluez is None:
        return status, N_("Bluetooth bound up to the controller; BlueZ is not part of this source"), evidence
    if not bluez.get("running"):
        return (
            Status.WARNING,
            N_("Bluetooth bound, but {reason}").format(reason=bluez.get("reason") or "BlueZ is not running"),
            evidence,
        )
    return (
        status,
        N_("Bluetooth works end to end (device, driver, firmware, controller, BlueZ adapter powered)"),
        evidence,
    )


def _unbound_ucsi(sections: Sections) -> list[str]:
    """UCSI controllers the firmware describes (ACPI USBC000 / PNP0CA0) that no driver took."""
    out = []
    for d in devices(sections):
        modalias = str((d.get("properties") or {}).get("MODALIAS") or "")
        if d.get("subsystem") == "platform" and "PNP0CA0" in modalias.upper() and not d.get("driver"):
            out.append(str(d.get("path", "")).rsplit("/", 1)[-1])
    return out


def check_usbc(sections: Sections) -> Verdict:
    cid, title = "usbc", "USB-C"
    hint = N_(
        "The USB-C page shows each port's chain; ucsi_acpi and the EC firmware own roles and power on most laptops."
    )
    chain = chain_of(sections, "usbc")
    if chain is None:
        if source_lacks(sections, "usbc") and source_lacks(sections, "devices"):
            return not_in_source(cid, title, N_("USB-C ports are"), sections, "usbc")
        chain = {"ports": [], "problems": []}
    unbound = _unbound_ucsi(sections)
    ports = _list(chain, "ports")
    if unbound:
        return Verdict(cid, title, Status.FAIL,
                       N_("USB-C controller {unbound} has no driver (ucsi_acpi)").format(unbound=', '.join(unbound)),
                       tuple(unbound), hint)  # fmt: skip
    if not ports:
        return Verdict(cid, title, Status.NA, N_("not applicable: no USB-C port registered"))
    names = {str(p.get("name")) for p in ports}
    problems = _problems(chain, names)
    evidence = []
    for p in ports:
        partner = p.get("partner") if isinstance(p.get("partner"), dict) else None
        modes = [str(a.get("description") or a.get("svid")) for a in _list(p, "altmodes") if a.get("active")]
        what = "empty" if partner is None else (N_("in use") + (f", {', '.join(modes)}" if modes else ""))
        evidence.append(f"{p.get('name')}: {p.get('driver') or 'no driver'}, {what}")
    evidence += [f"{p.get('subject')}: {p.get('detail')}" for p in problems]
    status = _status(problems)
    if status is not Status.PASS:
        return Verdict(cid, title, status, str(problems[0].get("detail")), tuple(listed(evidence)), hint)
    if not all(p.get("attributes_known") for p in ports):
        return Verdict(cid, title, Status.PASS,
                       N_("{n} USB-C port(s) bound; roles and power not in this source").format(n=len(ports)),
                       tuple(listed(evidence)))  # fmt: skip
    used = sum(1 for p in ports if p.get("partner"))
    summary = N_("{n} USB-C port(s); ").format(n=len(ports)) + (
        N_("{used} in use, each working end to end").format(used=used)
        if used
        else N_("none in use (connect a charger or dock to test)")
    )
    return Verdict(cid, title, Status.PASS, summary, tuple(listed(evidence)))


def check_thunderbolt(sections: Sections) -> Verdict:
    cid, title = "thunderbolt", N_("Thunderbolt / USB4")
    hint = N_("The USB-C page lists each domain; boltctl authorises devices (security level user).")
    chain = chain_of(sections, "usbc")
    if chain is None:
        return not_in_source(cid, title, N_("Thunderbolt is"), sections, "usbc")
    domains = _list(chain, "domains")
    raw = chain.get("orphan_controllers")
    orphans: list[Any] = list(raw) if isinstance(raw, list | tuple) else []
    if not domains and not orphans:
        return Verdict(cid, title, Status.NA, N_("not applicable: no Thunderbolt or USB4 controller"))
    subjects = {str(d.get("name")) for d in domains} | {str(o[0]) for o in orphans if isinstance(o, list | tuple) and o}
    devs = [x for d in domains for x in _list(d, "devices") if not x.get("host")]
    subjects |= {str(x.get("name")) for x in devs}
    problems = _problems(chain, subjects)
    evidence = [
        N_("{name}: {driver}, security {security}").format(
            name=d.get("name"), driver=d.get("driver") or "no driver", security=d.get("security")
        )
        for d in domains
    ]
    evidence += [
        N_("{name}: {vendor} {model}, authorized {authorized}").format(
            name=x.get("name"), vendor=x.get("vendor"), model=x.get("model"), authorized=x.get("authorized")
        )
        for x in devs
    ]
    evidence += [f"{p.get('subject')}: {p.get('detail')}" for p in problems]
    status = _status(problems)
    if status is not Status.PASS:
        return Verdict(cid, title, status, str(problems[0].get("detail")), tuple(listed(evidence)), hint)
    summary = f"{len(domains)} domain(s); " + (
        N_("{n} device(s), all authorised").format(n=len(devs))
        if devs
        else N_("no device connected (connect a dock to test)")
    )
    return Verdict(cid, title, Status.PASS, summary, tuple(listed(evidence)))

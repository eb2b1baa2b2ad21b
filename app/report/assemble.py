"""Assembling a capture: the privacy filter over every artifact, the manifest, the summaries.

``redact`` is fast and repeatable: the GUI's preview runs it again whenever a category is relaxed.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from hwinspector import __version__
from hwinspector.probes.machine.sections import Section
from hwinspector.report import bundle
from hwinspector.report.bundle import Artifact
from hwinspector.report.raw_collectors import JSON, RawResult, RawSpec

if TYPE_CHECKING:
    from hwinspector.report.capture import CaptureOptions, Collected


class Redactor(Protocol):
    """What capture needs of ``hwinspector.report.privacy.PrivacyFilter``."""

    def learn_text(self, s: str, *, where: str = "") -> None: ...
    def learn_json(self, obj: Any, *, where: str = "") -> None: ...
    def text(self, s: str, *, where: str = "") -> str: ...
    def json(self, obj: Any, *, where: str = "") -> Any: ...
    def edid(self, data: bytes) -> bytes: ...
    def recording(self, raw: bytes) -> bytes: ...
    def findings(self) -> dict[str, list[tuple[str, str]]]: ...
    def counts(self) -> dict[str, int]: ...


@dataclass(frozen=True)
class PrivacySetup:
    """The key and the known identifiers, gathered once; each preview builds a fresh filter from them."""

    key: bytes
    context: Any

    @classmethod
    def load(cls, options: CaptureOptions, key: bytes | None = None, key_path: Path | None = None) -> PrivacySetup:
        from hwinspector.report import privacy

        k = key if key is not None else privacy.load_or_create_key(key_path)
        return cls(k, privacy.gather_context(options.sysfs, options.procfs, options.etc, devfs=options.devfs))

    def make_filter(self, relaxed: Iterable[str]) -> Redactor:
        from hwinspector.report import privacy

        f: Redactor = privacy.PrivacyFilter(self.key, relaxed=tuple(relaxed), context=self.context)
        return f

    @property
    def fingerprint(self) -> str:
        from hwinspector.report import privacy

        return privacy.key_fingerprint(self.key)


def categories() -> tuple[str, ...]:
    from hwinspector.report import privacy

    return tuple(privacy.CATEGORIES)


@dataclass
class Redacted:
    """What would be written: filtered artifacts and sections, and what the filter found (for the preview)."""

    artifacts: list[Artifact]
    sections: dict[str, dict[str, Any]]  # {"available","reason","data"} after the filter
    notes: str
    steps: list[str]
    not_collected: list[dict[str, Any]]
    privacy: dict[str, Any]  # the manifest's privacy summary
    findings: dict[str, list[tuple[str, str]]] = field(default_factory=dict)  # never written anywhere


class _Plain:
    """``--no-redact``: the filter that changes nothing (the manifest says so)."""

    def learn_text(self, s: str, *, where: str = "") -> None:
        return None

    def learn_json(self, obj: Any, *, where: str = "") -> None:
        return None

    def text(self, s: str, *, where: str = "") -> str:
        return s

    def json(self, obj: Any, *, where: str = "") -> Any:
        return obj

    def edid(self, data: bytes) -> bytes:
        return data

    def recording(self, raw: bytes) -> bytes:
        return raw

    def findings(self) -> dict[str, list[tuple[str, str]]]:
        return {}

    def counts(self) -> dict[str, int]:
        return {}


def _decode(data: bytes) -> str:
    # surrogateescape: bytes that are not UTF-8 (a tool printing garbage) pass through unchanged.
    return data.decode("utf-8", "surrogateescape")


def _media(data: bytes, declared: str) -> str:
    if declared.startswith("text/"):
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            return "application/octet-stream"
    return declared


def _json_bytes(doc: Any) -> bytes:
    return (json.dumps(doc, indent=1, ensure_ascii=False, allow_nan=False, default=str) + "\n").encode()


def redact(collected: Collected, setup: PrivacySetup | None, relaxed: Iterable[str] = ()) -> Redacted:
    """Apply the privacy filter to every artifact (``setup`` None: ``--no-redact``, nothing changes).

    Fail closed: an artifact the filter cannot handle is left out and listed under not_collected.
    """
    relaxed = frozenset(relaxed)
    f = setup.make_filter(relaxed) if setup is not None else _Plain()
    options = collected.options
    # Learn first: a serial named only in a late artifact (udevadm's ID_SERIAL) is masked everywhere.
    for res in collected.raw:
        if res.spec.privacy == "text":
            f.learn_text(_decode(res.data), where=res.spec.path)
    for name, sec in collected.sections.items():
        f.learn_json(sec.to_json(), where=f"structured/{name}.json")
    artifacts: list[Artifact] = []
    left_out: list[dict[str, Any]] = []

    def guarded(
        step: str, producer: dict[str, Any], make: Callable[[], Artifact], what: str = "privacy filter"
    ) -> None:
        try:
            artifacts.append(make())
        except Exception as exc:  # fail closed: never keep what the filter could not read
            # only the exception's type: its message could quote the very value being masked
            reason = f"{what} failed ({type(exc).__name__}); left out"
            left_out.append({"step": step, "producer": producer, "reason": reason})

    def note(text: str | None) -> str | None:
        return f.text(text, where="manifest.json") if text else text

    for res in collected.raw:
        spec = res.spec

        def raw_artifact(res: RawResult = res, spec: RawSpec = spec) -> Artifact:
            if spec.privacy == "edid":
                data = f.edid(res.data)
            elif spec.privacy == "binary":
                data = res.data  # a firmware table of numbers (gpu_metrics): nothing in it identifies anyone
            else:
                data = f.text(_decode(res.data), where=spec.path).encode("utf-8", "surrogateescape")
            return Artifact(
                spec.path,
                data,
                "raw",
                _media(data, spec.media_type),
                spec.subsystem,
                res.producer,
                res.exit_code,
                res.started,
                res.finished,
                res.truncated,
                note(res.error),
            )

        guarded(spec.step, res.producer, raw_artifact)
    sections: dict[str, dict[str, Any]] = {}
    for name, sec in sorted(collected.sections.items()):
        where = f"structured/{name}.json"

        def structured(sec: Section = sec, where: str = where, name: str = name) -> Artifact:
            sections[name] = f.json(sec.to_json(), where=where)
            return Artifact(
                where,
                _json_bytes(sections[name]),
                "structured",
                JSON,
                name,
                {"probe": f"hwinspector.probes.machine.sections:{name}"},
                None,
                collected.created,
                collected.finished,
            )

        guarded(f"section {name}", {"probe": f"hwinspector.probes.machine.sections:{name}"}, structured)
    if sections:
        producer = {"probe": "hwinspector.probes.checks.scorecard"}
        guarded(
            "scorecard",
            producer,
            lambda: Artifact(
                "structured/scorecard.json",
                _json_bytes(_scorecard(sections)),
                "structured",
                JSON,
                "scorecard",
                producer,
                None,
                collected.created,
                collected.finished,
            ),
            "scorecard",
        )
    if collected.recording is not None:
        info = collected.recording_info
        producer = {"probe": "hwinspector.probes.telemetry.session", "channels": info.get("channels", [])}
        raw_rec = collected.recording
        guarded(
            "telemetry recording",
            producer,
            lambda: Artifact(
                "recordings/telemetry.jsonl.gz",
                f.recording(raw_rec),
                "recording",
                "application/gzip",
                "telemetry",
                producer,
                None,
                collected.created,
                collected.finished,
                False,
                note(info.get("error")),
            ),
        )
    notes = f.text(options.notes, where="attachments/notes.md")
    steps = [f.text(x, where="attachments/notes.md") for x in options.steps]
    if notes.strip() or steps:
        artifacts.append(
            Artifact(
                "attachments/notes.md",
                notes_markdown(notes, steps).encode(),
                "attachment",
                "text/markdown; charset=utf-8",
                "notes",
                {"probe": "QA notes"},
            )
        )
    artifacts += collected.attachments
    not_collected = [{**e, "reason": note(str(e.get("reason", "")))} for e in collected.not_collected] + left_out
    if setup is not None:
        counts = f.counts()
        cats = {c: {"count": int(counts.get(c, 0)), "relaxed": c in relaxed} for c in categories()}
        privacy = {"redacted": True, "key_fingerprint": setup.fingerprint, "categories": cats}
    else:
        privacy = {
            "redacted": False,
            "key_fingerprint": None,
            "categories": {},
            "note": "captured with --no-redact: identifying values are included as read",
        }
    return Redacted(artifacts, sections, notes, steps, not_collected, privacy, f.findings())


def _scorecard(sections: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    """The enablement scorecard, judged on the redacted sections (what the bundle's reader will see too)."""
    from hwinspector.probes.checks.scorecard import run_scorecard, scorecard_json

    secs = {n: Section.from_json(n, d) for n, d in sections.items()}
    return scorecard_json(secs, run_scorecard(secs))


def notes_markdown(notes: str, steps: Sequence[str]) -> str:
    out = ["# QA notes", ""]
    if notes.strip():
        out += [notes.strip(), ""]
    if steps:
        out += ["## Steps", ""] + [f"{i}. {st}" for i, st in enumerate(steps, 1)] + [""]
    return "\n".join(out)


def system_summary(sections: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    ident = sections.get("identity", {}).get("data") or {}
    from hwinspector.probes.machine.identity import Identity

    fields = {k: ident.get(k) for k in Identity.__dataclass_fields__ if isinstance(ident, dict)}
    title = Identity(**fields).title if fields else "Unknown machine"
    keys = (
        "vendor",
        "product",
        "family",
        "bios_vendor",
        "bios_version",
        "bios_date",
        "firmware_type",
        "cpu_model",
        "memory_bytes",
        "os_name",
        "kernel",
        "architecture",
    )
    return {"title": title, **{k: ident.get(k) for k in keys}}


def build(collected: Collected, redacted: Redacted) -> tuple[dict[str, Any], list[Artifact]]:
    """The manifest (without its artifact list: the writer fills it) and every artifact with the summaries."""
    from hwinspector.report import summary_html, summary_md

    manifest: dict[str, Any] = {
        "schema_version": bundle.SCHEMA_VERSION,
        "report_id": collected.report_id,
        "created": bundle.iso_utc(collected.created),
        "generator": {"name": bundle.GENERATOR, "version": __version__},
        "system": system_summary(redacted.sections),
        "privacy": redacted.privacy,
        "notes": redacted.notes,
        "steps": redacted.steps,
        "capture": {
            "finished": bundle.iso_utc(collected.finished or collected.created),
            "command_timeout_s": collected.options.command_timeout_s,
            "output_cap_bytes": collected.options.output_cap_bytes,
        },
        "not_collected": sorted(redacted.not_collected, key=lambda e: str(e.get("step"))),
    }
    artifacts = list(redacted.artifacts)
    recording = next((a.data for a in artifacts if a.kind == "recording"), None)
    html = summary_html.render(manifest, redacted.sections, artifacts, recording)
    md = summary_md.render(manifest, redacted.sections, artifacts)
    artifacts.append(
        Artifact(
            "summary.html",
            html.encode(),
            "summary",
            "text/html; charset=utf-8",
            None,
            {"probe": "hwinspector.report.summary_html"},
        )
    )
    artifacts.append(
        Artifact(
            "summary.md",
            md.encode(),
            "summary",
            "text/markdown; charset=utf-8",
            None,
            {"probe": "hwinspector.report.summary_md"},
        )
    )
    return manifest, artifacts

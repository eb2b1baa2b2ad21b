"""Overview page: what machine this is, what the source is, and whether anything needs attention."""

from __future__ import annotations

from collections import Counter

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from hwinspector.pages.base import Page
from hwinspector.probes.naming import kind_rank
from hwinspector.probes.snapshot import Snapshot
from hwinspector.widgets import dim
from hwinspector.widgets.status_icons import status_icon


def _value(label: QLabel, text: str | None) -> None:
    label.setText(text or "unknown")
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)


class OverviewPage(Page):
    page_id = "overview"
    title = "Overview"
    order = 10
    description = "The machine at a glance"

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.heading = QLabel()
        f = self.heading.font()
        f.setPointSizeF(f.pointSizeF() * 1.8)
        f.setBold(True)
        self.heading.setFont(f)
        self.subheading = QLabel()
        dim(self.subheading)
        ident = QGroupBox("Machine")
        form = QFormLayout(ident)
        self.fields: dict[str, QLabel] = {}
        for key in ("Vendor", "Product", "Operating system", "Kernel", "Source", "Devices", "Drivers in use"):
            lab = QLabel()
            self.fields[key] = lab
            form.addRow(f"{key}:", lab)
        self.problem_icon = QLabel()
        self.problem_text = QLabel()
        self.problem_text.setWordWrap(True)
        self.problem_button = QPushButton("Show problems")
        self.problem_button.clicked.connect(lambda: self.navigate.emit("drivers", ""))
        pbox = QGroupBox("Driver health")
        prow = QHBoxLayout(pbox)
        prow.addWidget(self.problem_icon)
        prow.addWidget(self.problem_text, 1)
        prow.addWidget(self.problem_button)
        self.kinds_box = QGroupBox("Devices by kind")
        self.kinds_grid = QGridLayout(self.kinds_box)
        self.notes = QLabel()
        self.notes.setWordWrap(True)
        dim(self.notes)
        lay = QVBoxLayout(self)
        lay.addWidget(self.heading)
        lay.addWidget(self.subheading)
        row = QHBoxLayout()
        row.addWidget(ident, 1)
        row.addWidget(self.kinds_box, 1)
        lay.addLayout(row)
        lay.addWidget(pbox)
        lay.addWidget(self.notes)
        lay.addStretch(1)

    def set_snapshot(self, snapshot: Snapshot) -> None:
        s = snapshot.system
        name = " ".join(x for x in (s.vendor, s.product) if x) or (
            "This machine" if snapshot.source.is_live else "Unknown machine"
        )
        self.heading.setText(name)
        self.subheading.setText(
            "Live machine" if snapshot.source.is_live else f"Captured machine, read from {snapshot.source.label}"
        )
        _value(self.fields["Vendor"], s.vendor)
        _value(self.fields["Product"], s.product)
        _value(
            self.fields["Operating system"],
            s.os_name or ("not in this source" if not snapshot.source.is_live else None),
        )
        _value(self.fields["Kernel"], s.kernel or ("not in this source" if not snapshot.source.is_live else None))
        _value(self.fields["Source"], snapshot.source.label)
        _value(self.fields["Devices"], str(len(snapshot.devices)))
        _value(self.fields["Drivers in use"], str(sum(1 for b in snapshot.bindings if b.devices)))
        errors = [p for p in snapshot.problems if p.severity == "error"]
        warnings = [p for p in snapshot.problems if p.severity != "error"]
        status = "error" if errors else "warning" if warnings else "ok"
        self.problem_icon.setPixmap(status_icon(status).pixmap(32, 32))
        if not snapshot.problems:
            self.problem_text.setText("Every device that needs a driver has one; no firmware load failures.")
        else:
            self.problem_text.setText(
                f"{len(errors)} serious problem(s), {len(warnings)} warning(s): "
                + "; ".join(p.name or p.detail for p in snapshot.problems[:3])
                + ("…" if len(snapshot.problems) > 3 else "")
            )
        self.problem_button.setVisible(bool(snapshot.problems))
        while self.kinds_grid.count():
            item = self.kinds_grid.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        counts = Counter(d.kind for d in snapshot.devices)
        for i, (kind, n) in enumerate(sorted(counts.items(), key=lambda kv: kind_rank(kv[0]))):
            k = QLabel(kind)
            v = QLabel(str(n))
            v.setAlignment(Qt.AlignmentFlag.AlignRight)
            self.kinds_grid.addWidget(k, i // 2, (i % 2) * 2)
            self.kinds_grid.addWidget(v, i // 2, (i % 2) * 2 + 1)
        notes = list(snapshot.source.notes)
        shown = notes[:4] + ([f"… and {len(notes) - 4} more"] if len(notes) > 4 else [])
        self.notes.setText("\n".join(f"• {n}" for n in shown))
        self.notes.setToolTip("\n".join(notes))

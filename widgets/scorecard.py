"""The enablement scorecard: one card per subsystem with its status, the evidence and what to look at next."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QAccessible, QColor, QFocusEvent, QPainter, QPaintEvent, QPalette, QPen, QResizeEvent
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget

from hwinspector.i18n import N_, _
from hwinspector.widgets import accessible, dim
from hwinspector.widgets.status_icons import COLORS, status_icon
from hwinspector.widgets.tile import blend, paint_stripe, panel_color

# Verdict status -> the icon family of status_icons, the word on the card.
# "checking": a check still waiting for a slow source (the page shows the others first).
ICONS = {"pass": "ok", "warning": "warning", "fail": "error", "n/a": "na", "checking": "na"}
WORDS = {"pass": N_("PASS"), "warning": N_("WARNING"), "fail": N_("FAIL"), "n/a": N_("N/A"), "checking": N_("CHECKING")}
# Brighter variants on dark backgrounds keep the status words above 4.5:1 contrast (WCAG AA); on light ones the
# icons' colours are for shapes (3:1), and words take these darker ones (about 5:1 on a card).
_DARK = {"ok": "#5cd17a", "warning": "#ffc93c", "error": "#ff6b6b", "na": "#a0a0a0"}
_LIGHT_TEXT = {"ok": "#1a6e2e", "warning": "#7a5600", "error": "#b3261e", "na": "#5f5f5f"}
MAX_EVIDENCE_LINES = 4


@dataclass(frozen=True, slots=True)
class CardData:
    """What one card shows; the page turns a probe's verdict into this (widgets never import probes)."""

    check: str
    status: str  # "pass" | "warning" | "fail" | "n/a" | "checking"
    title: str
    summary: str
    evidence: tuple[str, ...] = ()
    hint: str = ""


def is_dark(palette: QPalette) -> bool:
    return palette.color(QPalette.ColorRole.Window).lightness() < 128


def status_color(status: str, palette: QPalette, *, text: bool = False) -> QColor:
    """A status's colour for this palette; ``text``: for words, which need more contrast than a stripe."""
    key = ICONS.get(status, "na")
    if is_dark(palette):
        return QColor(_DARK[key])
    return QColor(_LIGHT_TEXT[key] if text else COLORS[key])


class VerdictCard(QWidget):
    """One verdict; ``compact`` leaves out the evidence and the hint (presentation mode).

    In the window a card takes the keyboard focus (Tab), draws a focus ring, and tells a screen reader its
    title, its status in words and its summary (the name), then the evidence and the hint (the description).
    """

    accessible_role = QAccessible.Role.Grouping  # widgets.accessible

    def __init__(self, card: CardData, compact: bool = False, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        accessible.install()
        self.card = card
        self.compact = compact
        if not compact:
            self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        # Preferred, not Maximum: a wrapped label's size hint assumes a width; narrower cards need more height.
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.icon = QLabel()
        self.title = QLabel(card.title)
        self.title.setWordWrap(True)
        self.word = QLabel(_(WORDS.get(card.status, card.status.upper())))
        self.word.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.summary = QLabel(card.summary)
        self.summary.setWordWrap(True)
        shown = list(card.evidence[:MAX_EVIDENCE_LINES])
        if len(card.evidence) > MAX_EVIDENCE_LINES:
            shown.append(_("… {n} more (hover to see all)").format(n=len(card.evidence) - MAX_EVIDENCE_LINES))
        self.evidence = QLabel("\n".join(f"• {e}" for e in shown))
        self.evidence.setWordWrap(True)
        dim(self.evidence)
        self.hint = QLabel(_("Next: {hint}").format(hint=card.hint) if card.hint else "")
        self.hint.setWordWrap(True)
        for label in (self.title, self.summary, self.evidence, self.hint):
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            label.setTextFormat(Qt.TextFormat.PlainText)
        self.evidence.setVisible(bool(shown) and not compact)
        self.word.setVisible(not compact)  # on a projector the icon's shape and the stripe say it; titles need the room
        self.hint.setVisible(bool(card.hint) and not compact)
        if card.evidence:
            self.setToolTip("\n".join(card.evidence))
        status = _(WORDS.get(card.status, card.status))
        self.setAccessibleName(
            _("{title}: {status}. {summary}").format(title=card.title, status=status, summary=card.summary)
        )
        said = [*card.evidence, *([_("Next: {hint}").format(hint=card.hint)] if card.hint else [])]
        self.setAccessibleDescription("\n".join(said))
        head = QHBoxLayout()
        head.addWidget(self.icon, 0, Qt.AlignmentFlag.AlignTop)
        head.addWidget(self.title, 1)
        head.addWidget(self.word, 0, Qt.AlignmentFlag.AlignTop)
        lay = QVBoxLayout(self)
        lay.addLayout(head)
        lay.addWidget(self.summary)
        lay.addWidget(self.evidence)
        lay.addWidget(self.hint)
        lay.addStretch(1)  # a card taller than its text (its row's neighbour is longer) keeps the text at the top
        if card.status in ("n/a", "checking"):
            dim(self.title)
            dim(self.summary)
        self.set_scale(None)

    def set_scale(self, px: int | None) -> None:
        """Type size in pixels for the summary (None: the application font), the rest in proportion."""
        base = self.font()
        size = float(px) if px is not None else float(base.pixelSize() if base.pixelSize() > 0 else base.pointSizeF())
        use_px = px is not None or base.pixelSize() > 0

        def sized(label: QLabel, factor: float, bold: bool = False, italic: bool = False) -> None:
            f = label.font()
            if use_px:
                f.setPixelSize(max(8, round(size * factor)))
            else:
                f.setPointSizeF(max(6.0, size * factor))
            f.setBold(bold)
            f.setItalic(italic)
            label.setFont(f)

        sized(self.title, 1.15, bold=True)
        sized(self.word, 0.85, bold=True)
        sized(self.summary, 1.0)
        sized(self.evidence, 0.9)
        sized(self.hint, 0.9, italic=True)
        icon_px = round(self.title.fontMetrics().height() * 1.1)
        # drawn at the label's device pixel ratio, at any size: sharp at scale 2 and in 4K presentation type
        self.icon.setPixmap(
            status_icon(ICONS.get(self.card.status, "na")).pixmap(QSize(icon_px, icon_px), self.devicePixelRatioF())
        )
        self._apply_word_color()
        m = round(self.title.fontMetrics().height() * 0.6)
        lay = self.layout()
        if lay is not None:
            lay.setContentsMargins(m + m // 2, m, m, m)
            lay.setSpacing(max(2, m // 3))

    def _apply_word_color(self) -> None:
        pal = self.word.palette()
        pal.setColor(QPalette.ColorRole.WindowText, status_color(self.card.status, self.palette(), text=True))
        self.word.setPalette(pal)

    def paintEvent(self, event: QPaintEvent) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        pal = self.palette()
        r = QRectF(self.rect()).adjusted(1, 1, -1, -1)
        radius = min(10.0, r.height() / 6)
        border = blend(pal.color(QPalette.ColorRole.Window), pal.color(QPalette.ColorRole.WindowText), 0.22)
        p.setPen(QPen(border, 1))
        p.setBrush(panel_color(pal))
        p.drawRoundedRect(r, radius, radius)
        stripe = max(4.0, self.title.fontMetrics().height() / 4)
        paint_stripe(p, r, radius, status_color(self.card.status, pal), stripe)
        if self.hasFocus():
            p.setPen(QPen(pal.color(QPalette.ColorRole.Highlight), 2, Qt.PenStyle.SolidLine))
            p.setBrush(Qt.BrushStyle.NoBrush)
            p.drawRoundedRect(r.adjusted(2, 2, -2, -2), radius, radius)
        p.end()

    def focusInEvent(self, event: QFocusEvent) -> None:
        super().focusInEvent(event)
        self.update()

    def focusOutEvent(self, event: QFocusEvent) -> None:
        super().focusOutEvent(event)
        self.update()


class ScorecardView(QWidget):
    """Cards in as many columns as the width allows; not-applicable ones last, smaller, or as one line."""

    def __init__(self, compact: bool = False, min_card_width: int = 340, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.compact = compact
        self.min_card_width = min_card_width
        self.max_columns = 4
        self.scale_px: int | None = None
        self.cards: list[VerdictCard] = []
        self.grid = QGridLayout()
        self.grid.setSpacing(10)
        self.na_line = QLabel()
        self.na_line.setWordWrap(True)
        self.na_line.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        dim(self.na_line)
        self.na_line.hide()
        self.empty = QLabel()
        self.empty.setWordWrap(True)
        dim(self.empty)
        self.empty.hide()
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.empty)
        lay.addLayout(self.grid)
        lay.addWidget(self.na_line)
        lay.addStretch(1)
        self._columns = 0

    def set_cards(self, cards: Sequence[CardData]) -> None:
        """Show these cards in this order (in compact mode the not-applicable ones become one line)."""
        for c in self.cards:
            self.grid.removeWidget(c)
            c.deleteLater()
        self.cards = []
        shown = [c for c in cards if not (self.compact and c.status == "n/a")]
        na = [c for c in cards if self.compact and c.status == "n/a"]
        for data in shown:
            card = VerdictCard(data, self.compact, self)
            if self.scale_px is not None:
                card.set_scale(self.scale_px)
            self.cards.append(card)
        self.na_line.setText(
            _("Not applicable here: {value}").format(value=", ".join(c.title for c in na)) if na else ""
        )
        self.na_line.setVisible(bool(na))
        self.empty.hide()
        self._columns = 0
        self._reflow()

    def show_message(self, text: str) -> None:
        """In place of the cards: why there are none yet (collecting, unreadable source)."""
        self.set_cards([])
        self.empty.setText(text)
        self.empty.show()

    def set_scale(self, px: int) -> None:
        self.scale_px = px
        for c in self.cards:
            c.set_scale(px)
        f = self.na_line.font()
        f.setPixelSize(max(8, round(px * 0.9)))
        self.na_line.setFont(f)
        self.grid.setSpacing(max(6, px // 2))

    def columns_for(self, width: int) -> int:
        return max(1, min(self.max_columns, width // max(1, self.min_card_width)))

    def _reflow(self) -> None:
        columns = self.columns_for(self.width())
        if columns == self._columns and all(self.grid.indexOf(c) >= 0 for c in self.cards):
            return
        self._columns = columns
        for c in self.cards:
            self.grid.removeWidget(c)
        for i, c in enumerate(self.cards):
            self.grid.addWidget(c, i // columns, i % columns)
        for col in range(self.max_columns):
            self.grid.setColumnStretch(col, 1 if col < columns else 0)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._reflow()

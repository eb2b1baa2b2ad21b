"""The Power page's power profiles and sleep sections, and the table helpers its service tabs share."""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QButtonGroup,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from hwinspector.i18n import N_, _, localize
from hwinspector.models.profiles import HoldModel, ProfileModel, drivers_text, profile_label, profiles_status
from hwinspector.models.sleep import InhibitorModel, can_rows, kernel_sleep_rows, mem_sleep_note, session_text
from hwinspector.probes.services.bus import PowerProfiles, ProfileSwitchResult, SleepInfo
from hwinspector.widgets import dim
from hwinspector.widgets.explained_view import ExplainedView
from hwinspector.widgets.reading_table import reading_table
from hwinspector.widgets.status_icons import COLORS, status_icon

if TYPE_CHECKING:
    from hwinspector.bus_bridge import BusBridge

WAITING = N_("Waiting for the system bus…")
REFUSED_STYLE = f"background: #fdecea; color: #611a15; padding: 6px; border-left: 4px solid {COLORS['error']};"
SEGMENT_STYLE = (
    "QPushButton { padding: 6px 12px; border: 1px solid palette(mid); background: palette(button); }"
    "QPushButton:checked { background: palette(highlight); color: palette(highlighted-text); font-weight: bold; }"
    "QPushButton:disabled:!checked { color: palette(mid); }"
)
OK_STYLE = f"padding: 6px; border-left: 4px solid {COLORS['ok']};"


def fit_rows(view: QTableView, rows: int, most: int = 8, widest: int = 0) -> None:
    """As tall as its rows (two holds should not take the space of twenty); with ``widest``, columns are
    capped and elided instead of scrolling sideways (the tooltips hold the whole text)."""
    view.resizeColumnsToContents()
    if widest:
        view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        for col in range(view.model().columnCount()):
            view.setColumnWidth(col, min(view.columnWidth(col), widest))
    n = min(max(rows, 1), most)
    header = view.horizontalHeader().sizeHint().height()
    view.setFixedHeight(header + n * view.verticalHeader().defaultSectionSize() + 2 * view.frameWidth() + 2)


class ProfilesPanel(QGroupBox):
    """power-profiles-daemon: switch with a segmented control; the daemon's refusal is shown as it said it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(_("Power profiles"), parent)
        self.bus: BusBridge | None = None
        self.profiles: PowerProfiles | None = None
        self.pending: str | None = None
        self.buttons: dict[str, QPushButton] = {}
        self.group = QButtonGroup(self)
        self.group.setExclusive(True)
        self.group.buttonClicked.connect(self._clicked)
        self._row = QHBoxLayout()
        self._row.setSpacing(0)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.result = QLabel()
        self.result.setWordWrap(True)
        self.result.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.result.hide()
        self.model = ProfileModel(self)
        self.view = reading_table(self.model)
        self.holds = HoldModel(self)
        self.holds_view = reading_table(self.holds)
        self.no_holds = QLabel(_("No application holds a profile."))
        dim(self.no_holds)
        content = QWidget()
        lay = QVBoxLayout(content)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addLayout(self._row)
        lay.addWidget(self.status)
        lay.addWidget(self.result)
        lay.addWidget(QLabel(_("Profiles and their drivers")))
        lay.addWidget(self.view)
        lay.addWidget(QLabel(_("Holds")))
        lay.addWidget(self.holds_view)
        lay.addWidget(self.no_holds)
        lay.addStretch(1)
        self.body = ExplainedView(content)
        self.body.explain(_(WAITING))
        QVBoxLayout(self).addWidget(self.body)

    def set_bus(self, bus: BusBridge) -> None:
        self.bus = bus
        bus.profiles_changed.connect(self.show_profiles)
        bus.profile_switch_done.connect(self.show_switch_result)
        latest = bus.latest("power-profiles")
        if isinstance(latest, PowerProfiles):
            self.show_profiles(latest)

    def show_profiles(self, pp: PowerProfiles) -> None:
        self.profiles = pp
        if not pp.available:
            self.body.explain(_("power-profiles-daemon: not available: {reason}").format(reason=localize(pp.reason)))
            return
        self.body.show_view()
        names = [p.name for p in pp.profiles]
        if names != list(self.buttons):
            for b in self.buttons.values():
                self.group.removeButton(b)
                b.deleteLater()
            self.buttons = {}
            for p in pp.profiles:
                b = QPushButton(profile_label(p.name))
                b.setCheckable(True)
                b.setMinimumWidth(110)
                b.setStyleSheet(SEGMENT_STYLE)
                self.group.addButton(b)
                self._row.addWidget(b)
                self.buttons[p.name] = b
        for p in pp.profiles:
            self.buttons[p.name].setToolTip(f"{p.name}: {drivers_text(p)}")
        self._check_active()
        self.status.setText(
            profiles_status(pp)
            + (_(" (power-profiles-daemon {version})").format(version=pp.version) if pp.version else "")
        )
        self.model.set_profiles(pp)
        fit_rows(self.view, self.model.rowCount(), 5, 220)
        self.holds.set_rows(pp.holds)
        fit_rows(self.holds_view, self.holds.rowCount(), 5, 260)
        self.holds_view.setVisible(bool(pp.holds))
        self.no_holds.setVisible(not pp.holds)

    def _check_active(self) -> None:
        """The buttons show the daemon's state, never a wish: a click is undone until the daemon agrees."""
        active = self.profiles.active_profile if self.profiles is not None else ""
        for name, b in self.buttons.items():
            b.setChecked(name == active)
            b.setEnabled(self.pending is None)

    def switch_to(self, profile: str) -> None:
        if self.bus is None or self.pending is not None:
            return
        self.pending = profile
        self.bus.set_power_profile(profile)
        self.result.setStyleSheet(OK_STYLE)
        self.result.setText(
            _("Asking power-profiles-daemon to switch to {profile_label}…").format(profile_label=profile_label(profile))
        )
        self.result.show()
        self._check_active()

    def _clicked(self, button: QAbstractButton) -> None:
        name = next((n for n, b in self.buttons.items() if b is button), None)
        active = self.profiles.active_profile if self.profiles is not None else None
        if name is None or name == active:
            self._check_active()
            return
        self.switch_to(name)

    def show_switch_result(self, result: ProfileSwitchResult) -> None:
        self.pending = None
        if result.ok:
            self.result.setStyleSheet(OK_STYLE)
            self.result.setText(_("Switched to {profile_label}.").format(profile_label=profile_label(result.requested)))
        else:
            self.result.setStyleSheet(REFUSED_STYLE)
            self.result.setText(
                _("power-profiles-daemon refused to switch to {profile_label}:\n{error_name}: {message}").format(
                    profile_label=profile_label(result.requested), error_name=result.error_name, message=result.message
                )
            )
        self.result.show()
        self._check_active()


class SleepPanel(QGroupBox):
    """What logind lets this machine do, who holds it back, our session, and the kernel's sleep states."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(_("Sleep"), parent)
        self.info: SleepInfo | None = None
        self.can_grid = QGridLayout()
        self.can_grid.setColumnStretch(2, 1)
        self.session = QLabel()
        self.session.setWordWrap(True)
        self.session.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.inhibitors = InhibitorModel(self)
        self.inhibitors_view = reading_table(self.inhibitors)
        self.no_inhibitors = QLabel(_("Nothing inhibits sleep."))
        dim(self.no_inhibitors)
        logind = QWidget()
        ll = QVBoxLayout(logind)
        ll.setContentsMargins(0, 0, 0, 0)
        ll.addLayout(self.can_grid)
        ll.addWidget(self.session)
        ll.addWidget(QLabel(_("Inhibitors")))
        ll.addWidget(self.inhibitors_view)
        ll.addWidget(self.no_inhibitors)
        self.logind = ExplainedView(logind)
        self.logind.explain(_(WAITING))
        self.kernel = QLabel()
        self.kernel.setWordWrap(True)
        self.kernel.setTextFormat(Qt.TextFormat.RichText)
        self.kernel.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.note = QLabel()
        self.note.setWordWrap(True)
        self.note.setStyleSheet("background: #fff4ce; color: #5c4400; padding: 6px; border-radius: 4px;")
        self.note.hide()
        lay = QVBoxLayout(self)
        lay.addWidget(self.logind)
        lay.addWidget(QLabel(_("Kernel sleep states")))
        lay.addWidget(self.kernel)
        lay.addWidget(self.note)
        lay.addStretch(1)
        self._can_widgets: list[QWidget] = []

    def set_bus(self, bus: BusBridge) -> None:
        bus.sleep_changed.connect(self.show_sleep)
        latest = bus.latest("logind")
        if isinstance(latest, SleepInfo):
            self.show_sleep(latest)

    def show_sleep(self, info: SleepInfo) -> None:
        self.info = info
        k = info.kernel
        rows = kernel_sleep_rows(k)
        self.kernel.setText("<br>".join(f"<tt>{escape(name)}</tt>: {escape(value)}" for name, value in rows))
        note = mem_sleep_note(k)
        self.note.setText(note)
        self.note.setVisible(bool(note))
        lg = info.logind
        if not lg.available:
            self.logind.explain(_("systemd-logind: not available: {reason}").format(reason=localize(lg.reason)))
            return
        self.logind.show_view()
        for w in self._can_widgets:
            w.deleteLater()
        self._can_widgets = []
        for row, (label, status, words) in enumerate(can_rows(lg)):
            icon, name, answer = QLabel(), QLabel(label), QLabel(words)
            icon.setPixmap(status_icon(status).pixmap(16, 16))
            for col, w in enumerate((icon, name, answer)):
                self.can_grid.addWidget(w, row, col)
                self._can_widgets.append(w)
        self.session.setText(_("Our session: {session_text}").format(session_text=session_text(lg)))
        self.inhibitors.set_rows(lg.inhibitors)
        fit_rows(self.inhibitors_view, self.inhibitors.rowCount(), 6, 200)
        self.inhibitors_view.setVisible(bool(lg.inhibitors))
        self.no_inhibitors.setText(lg.inhibitors_reason or _("Nothing inhibits sleep."))
        self.no_inhibitors.setVisible(not lg.inhibitors)

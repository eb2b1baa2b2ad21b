"""The Telemetry page's channel browser: every channel by device, with search, Defaults and None."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Signal
from PySide6.QtWidgets import QHBoxLayout, QHeaderView, QLabel, QLineEdit, QPushButton, QTreeView, QVBoxLayout, QWidget

from hwinspector.i18n import _, localize, ngettext
from hwinspector.models.channels import ChannelModel, ChannelRole
from hwinspector.probes.telemetry.channels import Catalogue, Channel
from hwinspector.widgets import dim
from hwinspector.widgets.device_tree_view import TextFilterProxy


def _channel_text(index: QModelIndex | QPersistentModelIndex) -> str:
    ch = index.data(ChannelRole)
    if isinstance(ch, Channel):
        return f"{ch.id} {ch.label} {ch.device} {ch.unit}"
    return str(index.data() or "")


class ChannelBrowser(QWidget):
    """The channels of a catalogue, tickable where readable; ``selection_changed`` when the ticks change."""

    selection_changed = Signal()
    defaults_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.channels = ChannelModel(self)
        self.channels.selection_changed.connect(self.selection_changed)
        self.proxy = TextFilterProxy(_channel_text, self)
        self.proxy.setSourceModel(self.channels)
        self.tree = QTreeView()
        self.tree.setModel(self.proxy)
        self.tree.setUniformRowHeights(True)
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        self.search = QLineEdit()
        self.search.setPlaceholderText(_("Find channels"))
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self._filter)
        defaults = QPushButton(_("Defaults"))
        defaults.setToolTip(_("Package power, CPU temperature, per-core frequency, battery power"))
        defaults.clicked.connect(self.defaults_requested)
        none = QPushButton(_("None"))
        none.clicked.connect(lambda: self.channels.set_checked([]))
        self.note = QLabel()
        self.note.setWordWrap(True)
        dim(self.note)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.search)
        lay.addWidget(self.tree, 1)
        row = QHBoxLayout()
        row.addWidget(defaults)
        row.addWidget(none)
        lay.addLayout(row)
        lay.addWidget(self.note)

    def show_catalogue(self, cat: Catalogue, chosen: list[str]) -> None:
        """List the catalogue's channels with these ticked, and say what is missing and why."""
        self.channels.set_channels(list(cat.channels), chosen)
        self.tree.expandAll()
        notes = [f"{name}: {localize(why)}" for name, why in cat.unavailable.items()]
        unreadable = sum(not c.readable for c in cat.channels)
        if unreadable:
            notes.insert(
                0,
                ngettext(
                    "{unreadable} channel not readable (hover for why)",
                    "{unreadable} channels not readable (hover for why)",
                    unreadable,
                ).format(unreadable=unreadable),
            )
        self.note.setText("\n".join(notes))

    def _filter(self, text: str) -> None:
        self.proxy.set_text(text)
        self.tree.expandAll()

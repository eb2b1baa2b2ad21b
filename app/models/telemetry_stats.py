"""The statistics table under the plots: last, min, mean and max of each channel over the visible window."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from enum import IntEnum

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor, QIcon, QPixmap

from hwinspector.i18n import N_, _

AnyIndex = QModelIndex | QPersistentModelIndex


class StatsColumn(IntEnum):
    CHANNEL = 0
    LAST = 1
    MIN = 2
    MEAN = 3
    MAX = 4
    CURSOR = 5


_HEADERS = (N_("Channel"), N_("Last"), N_("Min"), N_("Mean"), N_("Max"), N_("At cursor"))


@dataclass(frozen=True, slots=True)
class StatsRow:
    id: str
    label: str
    unit: str
    color: str
    last: float = math.nan
    min: float = math.nan
    mean: float = math.nan
    max: float = math.nan
    cursor: float = math.nan


def format_value(value: float, unit: str) -> str:
    if math.isnan(value):
        return "—"
    digits = 0 if abs(value) >= 1000 else 1 if abs(value) >= 100 else 2 if abs(value) >= 1 else 3
    return f"{value:,.{digits}f} {unit}"


class StatsModel(QAbstractTableModel):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[StatsRow] = []
        self._swatches: dict[str, QIcon] = {}

    def swatch(self, color: str) -> QIcon:
        """One icon per colour, made once. A QColor as decoration makes the view build a new icon on
        every repaint, each with its own entry in Qt's pixmap cache: with 64 rows refreshed twice a
        second that fills the cache's 10 MB within minutes."""
        icon = self._swatches.get(color)
        if icon is None:
            pixmap = QPixmap(12, 12)
            pixmap.fill(QColor(color))
            icon = self._swatches[color] = QIcon(pixmap)
        return icon

    def set_rows(self, rows: Sequence[StatsRow]) -> None:
        if [r.id for r in rows] != [r.id for r in self._rows]:
            self.beginResetModel()
            self._rows = list(rows)
            self.endResetModel()
            return
        self._rows = list(rows)
        if rows:
            self.dataChanged.emit(self.index(0, 1), self.index(len(rows) - 1, len(StatsColumn) - 1))

    def rows(self) -> list[StatsRow]:
        return list(self._rows)

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(StatsColumn)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole and 0 <= section < 6:
            return _(_HEADERS[section])
        return None

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        r = self._rows[index.row()]
        col = StatsColumn(index.column())
        if role == Qt.ItemDataRole.DisplayRole:
            if col == StatsColumn.CHANNEL:
                return r.label
            value = {
                StatsColumn.LAST: r.last,
                StatsColumn.MIN: r.min,
                StatsColumn.MEAN: r.mean,
                StatsColumn.MAX: r.max,
                StatsColumn.CURSOR: r.cursor,
            }[col]
            return format_value(value, r.unit)
        if role == Qt.ItemDataRole.DecorationRole and col == StatsColumn.CHANNEL:
            return self.swatch(r.color)
        if role == Qt.ItemDataRole.TextAlignmentRole and col != StatsColumn.CHANNEL:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole:
            return r.id
        return None

"""What screen readers hear of the views we paint ourselves: chain boxes, plots, cards (Qt's AT-SPI bridge).

Qt describes its own widgets to assistive technology; a widget that paints its content itself is one
anonymous "filler" to it. Such a widget says what it is with class attributes, and ``install()`` (called by
the widget's constructor) adds a factory that Qt asks for the widget's accessible interface:

- ``accessible_role``: a ``QAccessible.Role`` (Chart for a plot, Grouping for a card, List for a chain);
  the name and description are the widget's ``accessibleName()`` and ``accessibleDescription()``;
- ``accessible_leaf = True``: no children (a plot's viewport and scroll bars are not parts a user reads);
- ``accessible_items()`` (a method): the keys of items drawn inside (the boxes of a chain), each read through
  ``accessible_item(key) -> AccessibleItem``; the widget calls ``items_changed`` after a relayout and
  ``item_focused`` when its current item moves, so a screen reader follows the arrow keys.

Methods answering "none" return None (nullptr to Qt), which PySide's stubs do not allow: hence the
``type: ignore[override]`` on them. Item interfaces are not QObjects: Qt keeps them by id in its cache, and
Python keeps each alive in ``_ALIVE`` until its item goes (``QAccessible.deleteAccessibleInterface`` deletes
the C++ side first; the order matters).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Any, Protocol

from PySide6.QtCore import QLocale, QObject, QRect, Qt
from PySide6.QtGui import QAccessible, QAccessibleEvent, QAccessibleInterface, QWindow
from PySide6.QtWidgets import QAccessibleWidget, QListWidgetItem, QWidget

from hwinspector.i18n import N_, _
from hwinspector.widgets.status_icons import WORDS, status_icon, status_of

EMPTY = N_("empty")
NO_VALUE = N_("no value")
_SPOKEN_STATUS = ("warning", "error", "info")  # a tick on every healthy row would only be noise
_installed = False
_ALIVE: dict[int, _Item] = {}  # unique id -> interface: Python's reference while Qt's cache holds the C++ object
_IDS = "_accessible_item_ids"  # on an items view: {key: unique id}


@dataclass(frozen=True, slots=True)
class AccessibleItem:
    """One drawn item as assistive technology reads it."""

    name: str
    description: str
    rect: QRect  # in global (screen) coordinates
    current: bool


class ItemsView(Protocol):
    def accessible_items(self) -> list[str]: ...
    def accessible_item(self, key: str) -> AccessibleItem | None: ...
    def select_key(self, key: str) -> bool: ...


def install() -> None:
    """Add the factory once per process (idempotent; every custom-painted widget calls it)."""
    global _installed
    if not _installed:
        QAccessible.installFactory(_factory)
        _installed = True


def _factory(key: str, obj: QObject) -> QAccessibleInterface | None:
    role = getattr(obj, "accessible_role", None)
    if role is None or not isinstance(obj, QWidget):
        return None
    if callable(getattr(obj, "accessible_items", None)):
        return _ItemsWidget(obj, role)
    return _Widget(obj, role, leaf=bool(getattr(obj, "accessible_leaf", False)))


class _Widget(QAccessibleWidget):
    """A widget with the role it declares; a leaf hides its children (viewport, scroll bars)."""

    def __init__(self, widget: QWidget, role: QAccessible.Role, *, leaf: bool = False) -> None:
        super().__init__(widget, role)
        self._leaf = leaf

    def childCount(self) -> int:
        return 0 if self._leaf else super().childCount()

    def child(self, index: int) -> QAccessibleInterface | None:  # type: ignore[override]
        return None if self._leaf else super().child(index)

    def childAt(self, x: int, y: int) -> QAccessibleInterface | None:  # type: ignore[override]
        return None if self._leaf else super().childAt(x, y)

    def indexOfChild(self, child: QAccessibleInterface) -> int:
        return -1 if self._leaf else super().indexOfChild(child)


class _ItemsWidget(QAccessibleWidget):
    """A view whose children are the items it draws (and nothing else)."""

    def __init__(self, widget: QWidget, role: QAccessible.Role) -> None:
        super().__init__(widget, role)
        self._view = widget

    def _keys(self) -> list[str]:
        return list(self._view.accessible_items())  # type: ignore[attr-defined]

    def childCount(self) -> int:
        return len(self._keys())

    def child(self, index: int) -> QAccessibleInterface | None:  # type: ignore[override]
        keys = self._keys()
        return _item(self._view, keys[index]) if 0 <= index < len(keys) else None

    def indexOfChild(self, child: QAccessibleInterface) -> int:
        if isinstance(child, _Item):
            keys = self._keys()
            return keys.index(child.key) if child.key in keys else -1
        return -1

    def childAt(self, x: int, y: int) -> QAccessibleInterface | None:  # type: ignore[override]
        for key in self._keys():
            item = self._view.accessible_item(key)  # type: ignore[attr-defined]
            if item is not None and item.rect.contains(x, y):
                return _item(self._view, key)
        return None

    def focusChild(self) -> QAccessibleInterface | None:  # type: ignore[override]
        if not self._view.hasFocus():
            return None
        for key in self._keys():
            item = self._view.accessible_item(key)  # type: ignore[attr-defined]
            if item is not None and item.current:
                return _item(self._view, key)
        return None


class _Item(QAccessibleInterface):
    """One item of an items view, found again by its key on every question (the view relayouts freely)."""

    def __init__(self, view: QWidget, key: str, role: QAccessible.Role) -> None:
        super().__init__()
        self.view, self.key, self._role = view, key, role

    def _data(self) -> AccessibleItem | None:
        return self.view.accessible_item(self.key)  # type: ignore[attr-defined,no-any-return]

    def isValid(self) -> bool:
        return self._data() is not None

    def object(self) -> QObject | None:  # type: ignore[override]
        return None

    def window(self) -> QWindow | None:  # type: ignore[override]
        return self.view.window().windowHandle()

    def relations(self, match: Any = None) -> list[Any]:
        return []

    def focusChild(self) -> QAccessibleInterface | None:  # type: ignore[override]
        return None

    def childAt(self, x: int, y: int) -> QAccessibleInterface | None:  # type: ignore[override]
        return None

    def parent(self) -> QAccessibleInterface | None:  # type: ignore[override]
        return QAccessible.queryAccessibleInterface(self.view)

    def child(self, index: int) -> QAccessibleInterface | None:  # type: ignore[override]
        return None

    def childCount(self) -> int:
        return 0

    def indexOfChild(self, child: QAccessibleInterface) -> int:
        return -1

    def text(self, t: QAccessible.Text) -> str:
        data = self._data()
        if data is None:
            return ""
        if t == QAccessible.Text.Name:
            return data.name
        if t == QAccessible.Text.Description:
            return data.description
        return ""

    def setText(self, t: QAccessible.Text, text: str) -> None:
        pass  # read-only

    def rect(self) -> QRect:
        data = self._data()
        return data.rect if data is not None else QRect()

    def role(self) -> QAccessible.Role:
        return self._role

    def state(self) -> QAccessible.State:
        s = QAccessible.State()
        data = self._data()
        if data is None:
            s.invalid = True
            return s
        s.focusable = True
        s.selectable = True
        s.selected = data.current
        s.focused = data.current and self.view.hasFocus()
        if not self.view.isVisible():
            s.invisible = True
        return s


def _item(view: QWidget, key: str) -> _Item:
    ids: dict[str, int] = view.__dict__.setdefault(_IDS, {})
    uid = ids.get(key)
    if uid is not None and uid in _ALIVE:
        return _ALIVE[uid]
    item = _Item(view, key, getattr(view, "accessible_item_role", QAccessible.Role.ListItem))
    uid = QAccessible.registerAccessibleInterface(item)
    ids[key] = uid
    _ALIVE[uid] = item
    if len(ids) == 1:
        view.destroyed.connect(lambda *_: _forget(ids, set(ids)))
    return item


def _forget(ids: dict[str, int], keys: set[str]) -> None:
    for key in keys:
        uid = ids.pop(key, None)
        item = _ALIVE.pop(uid, None) if uid is not None else None
        if uid is not None and item is not None:
            # Qt deletes the C++ object while Python still holds the wrapper, which then knows it is gone;
            # dropping the wrapper first would delete it under Qt's cache.
            QAccessible.deleteAccessibleInterface(uid)
        del item


def items_changed(view: QWidget, keys: set[str]) -> None:
    """After a relayout: items that are gone leave Qt's cache; a screen reader re-reads the children."""
    ids: dict[str, int] = view.__dict__.get(_IDS, {})
    _forget(ids, set(ids) - keys)
    if QAccessible.isActive():
        QAccessible.updateAccessibility(QAccessibleEvent(view, QAccessible.Event.ObjectReorder))


def item_focused(view: QWidget, key: str, keys: list[str]) -> None:
    """The current item moved: the screen reader announces it (only while the view has the focus)."""
    if not QAccessible.isActive() or key not in keys:
        return
    index = keys.index(key)
    for kind in (QAccessible.Event.Selection, QAccessible.Event.Focus):
        if kind == QAccessible.Event.Focus and not view.hasFocus():
            continue
        event = QAccessibleEvent(view, kind)
        event.setChild(index)
        QAccessible.updateAccessibility(event)


def cell_text(display: object, decoration: object = None, level: object = None) -> str:
    """What a screen reader says for a table cell (``Qt.AccessibleTextRole``): never nothing, and the status
    its icon or its level bar shows in words ("i915, warning"); an em dash, our sign for "no reading", as words."""
    text = "" if display is None else str(display).strip()
    if not text:
        text = _(EMPTY)
    elif text == "—":
        text = _(NO_VALUE)
    status = status_of(decoration) or (level if isinstance(level, str) else None)
    if status in _SPOKEN_STATUS:
        return _("{text}, {status}").format(text=text, status=_(WORDS[status]))
    return text


def status_item(status: str, text: str) -> QListWidgetItem:
    """A list row with a status icon whose status a screen reader says too ("warning: no firmware")."""
    item = QListWidgetItem(status_icon(status), text)
    item.setToolTip(text)
    spoken = _("{status}: {text}").format(status=_(WORDS.get(status, status)), text=text)
    item.setData(Qt.ItemDataRole.AccessibleTextRole, spoken)
    return item


def number(value: float) -> str:
    """A reading as the window's locale writes it, with as many decimals as its size deserves."""
    digits = 0 if abs(value) >= 100 else 1 if abs(value) >= 10 else 2
    return QLocale().toString(float(value), "f", digits)


def series_text(label: str, unit: str, last: float | None, low: float, high: float) -> str:
    """One plotted channel in words: "Package power: last 4.31 W, lowest 2.10 W, highest 9.87 W"."""
    if last is None or math.isnan(last):
        return _("{channel}: no reading yet").format(channel=label)

    def q(v: float) -> str:
        return f"{number(v)} {unit}".strip() if not math.isnan(v) else "—"

    return _("{channel}: last {last}, lowest {low}, highest {high}").format(
        channel=label, last=q(last), low=q(low), high=q(high)
    )


class Describer:
    """Sets a widget's accessible description at most once per ``interval_s`` (a plot redraws 30 times a second;
    a screen reader wants to hear the numbers, not a stream of them), and only when the text changed."""

    def __init__(self, widget: QWidget, interval_s: float = 1.0) -> None:
        self.widget, self.interval_s = widget, interval_s
        self._at = -math.inf

    def due(self) -> bool:
        return time.monotonic() - self._at >= self.interval_s

    def set(self, text: str, *, force: bool = False) -> None:
        if not force and not self.due():
            return
        self._at = time.monotonic()
        if text != self.widget.accessibleDescription():
            self.widget.setAccessibleDescription(text)  # Qt tells assistive technology itself

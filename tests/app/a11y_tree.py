"""Qt's own accessibility tree, read in process (no AT-SPI needed): what a screen reader would be handed."""

from __future__ import annotations

from PySide6.QtGui import QAccessible, QAccessibleInterface
from PySide6.QtWidgets import QWidget

MAX_CHILDREN = 400  # the first cells of a big table say what the rest say


def walk(root: QWidget) -> list[tuple[QAccessibleInterface, str]]:
    """Every interface under ``root`` that is not invisible, with a path of roles and names for messages."""
    out: list[tuple[QAccessibleInterface, str]] = []
    top = QAccessible.queryAccessibleInterface(root)
    if top is None:
        return out

    def visit(iface: QAccessibleInterface, path: str) -> None:
        if iface.state().invisible:
            return
        name = iface.text(QAccessible.Text.Name)
        obj = iface.object()
        here = f"{path}/{iface.role().name}:{name[:30]!r}" + (f"<{type(obj).__name__}>" if obj is not None else "")
        out.append((iface, here))
        for i in range(min(iface.childCount(), MAX_CHILDREN)):
            child = iface.child(i)
            if child is not None and child.isValid():
                visit(child, here)

    visit(top, "")
    return out


def unnamed_focusable(root: QWidget) -> list[str]:
    """Focusable, visible objects without a name: what the AT-SPI walker counts, in process."""
    return [
        path for iface, path in walk(root) if iface.state().focusable and not iface.text(QAccessible.Text.Name).strip()
    ]

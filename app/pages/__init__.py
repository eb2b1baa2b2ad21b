"""The pages of the main window, discovered from this package: one module per page.

The sidebar needs each page's id, title, order and description before any page exists: they are read
from the modules' source (class attributes given as literals) without importing them, so start-up does
not pay for every page's imports (plotting, D-Bus, …). A page's module is imported when it is built.
"""

from __future__ import annotations

import ast
import importlib
import pkgutil
from dataclasses import dataclass
from pathlib import Path

from hwinspector.pages.base import Page

_FIELDS = ("page_id", "title", "order", "description")


@dataclass(frozen=True, slots=True)
class PageInfo:
    """A sidebar entry: what a page is called, and the module that builds it."""

    module: str
    page_id: str
    title: str
    order: int
    description: str

    def load(self) -> type[Page]:
        """Import the page's module and return its Page subclass."""
        module = importlib.import_module(f"{__name__}.{self.module}")
        for obj in vars(module).values():
            if isinstance(obj, type) and issubclass(obj, Page) and obj is not Page and obj.page_id == self.page_id:
                return obj
        raise LookupError(f"{module.__name__} defines no page {self.page_id!r}")


def _literal_pages(name: str, source: str) -> list[PageInfo] | None:
    """Page classes of one module from its syntax tree; None when an attribute is not a plain literal."""
    found: list[PageInfo] = []
    for node in ast.parse(source).body:
        if not isinstance(node, ast.ClassDef):
            continue
        attrs: dict[str, object] = {}
        for stmt in node.body:
            if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name):
                key = stmt.targets[0].id
                if key in _FIELDS:
                    value = stmt.value
                    # title = N_("Overview"): marked for translation, translated where the sidebar shows it
                    if isinstance(value, ast.Call) and isinstance(value.func, ast.Name) and value.func.id == "N_":
                        value = value.args[0] if len(value.args) == 1 else value
                    if not isinstance(value, ast.Constant):
                        return None
                    attrs[key] = value.value
        if attrs.get("page_id"):
            found.append(
                PageInfo(
                    name,
                    str(attrs["page_id"]),
                    str(attrs.get("title", "")),
                    order if isinstance(order := attrs.get("order", 100), int) else 100,
                    str(attrs.get("description", "")),
                )
            )
    return found


def page_infos() -> list[PageInfo]:
    """Every page, in sidebar order, without importing the page modules where their source says enough."""
    found: dict[str, PageInfo] = {}
    for info in pkgutil.iter_modules(__path__):
        if info.name == "base" or info.name.startswith("_"):
            continue
        try:
            source = (Path(__path__[0]) / f"{info.name}.py").read_text(encoding="utf-8")
            pages = _literal_pages(info.name, source)
        except (OSError, SyntaxError, SystemError):
            # compiled-only installs or unusual sources: ask the module itself. SystemError: CPython 3.11's
            # "AST constructor recursion depth mismatch" when another thread compiles at the same moment
            # (seen once in the suite under load; fixed in later CPython releases), which the import does not hit.
            pages = None
        if pages is None:
            module = importlib.import_module(f"{__name__}.{info.name}")
            pages = [
                PageInfo(info.name, obj.page_id, obj.title, obj.order, obj.description)
                for obj in vars(module).values()
                if isinstance(obj, type) and issubclass(obj, Page) and obj is not Page and obj.page_id
            ]
        for p in pages:
            found[p.page_id] = p
    return sorted(found.values(), key=lambda p: (p.order, p.title))


def discover_pages() -> list[type[Page]]:
    """Every Page subclass defined in a module of this package, in sidebar order (imports them all)."""
    return [info.load() for info in page_infos()]

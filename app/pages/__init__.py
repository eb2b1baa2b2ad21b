"""The pages of the main window, discovered from this package: one module per page."""

from __future__ import annotations

import importlib
import pkgutil

from hwinspector.pages.base import Page


def discover_pages() -> list[type[Page]]:
    """Every Page subclass defined in a module of this package, in sidebar order."""
    found: dict[str, type[Page]] = {}
    for info in pkgutil.iter_modules(__path__):
        if info.name == "base" or info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        for obj in vars(module).values():
            if isinstance(obj, type) and issubclass(obj, Page) and obj is not Page and obj.page_id:
                found[obj.page_id] = obj
    return sorted(found.values(), key=lambda cls: (cls.order, cls.title))

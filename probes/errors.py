"""Errors that probes raise for the pages and the CLI to turn into explanations."""

from __future__ import annotations


class ProbeUnavailable(Exception):
    """A whole subsystem cannot be read here (absent, no permission, not supported).

    The page shows ``reason`` in place of the data; the CLI prints it. It is state, not a crash.
    """

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class InputFormatError(ValueError):
    """A file given by the user (a dump, a bundle, a recording) cannot be parsed.

    ``line`` is 1-based where the format has lines, else None; ``str()`` is a one-line message.
    """

    def __init__(self, source: str, reason: str, line: int | None = None) -> None:
        where = f"{source}:{line}" if line is not None else source
        super().__init__(f"{where}: {reason}")
        self.source = source
        self.reason = reason
        self.line = line

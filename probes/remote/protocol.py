"""The remote protocol: length-framed messages on a byte stream, with limits for an untrusted peer.

A frame on the wire is ``<N>\\n<channel>\\n<payload>``: N counts the bytes of ``<channel>\\n<payload>``
in decimal (at most 10 digits), the channel is a short ASCII id (empty for the control channel) and
the payload is one JSON object. Control messages carry a ``command`` (init, open, close, ping, pong);
a ``close`` may carry a ``problem`` code. The framing follows Cockpit's stream transport
(doc/protocol.md there); the channel kinds and problem codes are ours.

Everything here is stdlib-only on purpose: the zero-install agent carries a copy of the parts it
needs, and the reader must hold against a peer that sends garbage, huge or endless frames.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import IO, Any

VERSION = 1
CONTROL = ""
# A frame larger than this is refused: telemetry batches are ~100 kB, file chunks 256 kB.
MAX_FRAME_BYTES = 4 * 1024 * 1024
_MAX_DIGITS = 10
_CHANNEL_RE = re.compile(r"[A-Za-z0-9._:-]{0,64}")

# Problem codes: a fixed set the client knows how to explain; anything else reads as internal-error.
PROBLEMS: dict[str, str] = {
    "no-hwinspector": "hwinspector is not installed there and it has no python3 to run a temporary agent",
    "authentication-failed": "ssh could not log in (no key or password it may use)",
    "unknown-hostkey": "the host key is not in known_hosts; check its fingerprint, then add it (ssh HOST once)",
    "changed-hostkey": "the host key CHANGED since it was recorded in known_hosts (a reinstall, or an attack)",
    "unknown-host": "the host name does not resolve",
    "no-host": "nothing answers on that host's ssh port",
    "protocol-error": "the other side does not speak the hwinspector protocol",
    "too-large": "the other side sent a message over the size limit",
    "not-supported": "the agent there cannot do this",
    "timeout": "the other side stopped answering",
    "terminated": "the connection was closed",
    "internal-error": "the agent failed",
}


class ProtocolError(Exception):
    """The peer broke the protocol; ``problem`` is one of PROBLEMS."""

    def __init__(self, problem: str, detail: str) -> None:
        super().__init__(detail)
        self.problem = problem if problem in PROBLEMS else "internal-error"
        self.detail = detail


@dataclass(frozen=True)  # no slots: the zero-install agent runs this on Python 3.9
class Frame:
    channel: str
    message: dict[str, Any]

    @property
    def command(self) -> str | None:
        c = self.message.get("command")
        return c if isinstance(c, str) else None


def shown(raw: bytes, limit: int = 80) -> str:
    """A peer's bytes as a short, printable excerpt for an error message (never markup, never escapes)."""
    text = raw[:limit].decode("utf-8", "replace")
    text = "".join(c if c.isprintable() else "·" for c in text)
    return repr(text) + ("…" if len(raw) > limit else "")


def encode(channel: str, message: dict[str, Any]) -> bytes:
    if not _CHANNEL_RE.fullmatch(channel):
        raise ValueError(f"bad channel id {channel!r}")
    body = channel.encode() + b"\n" + json.dumps(message, separators=(",", ":"), allow_nan=False).encode()
    if len(body) > MAX_FRAME_BYTES:
        raise ValueError(f"message of {len(body)} bytes is over the {MAX_FRAME_BYTES}-byte frame limit")
    return str(len(body)).encode() + b"\n" + body


def control(command: str, **fields: Any) -> bytes:
    return encode(CONTROL, {"command": command, **fields})


def _read_exact(stream: IO[bytes], n: int) -> bytes:
    parts: list[bytes] = []
    while n:
        chunk = stream.read(n)
        if not chunk:
            break
        parts.append(chunk)
        n -= len(chunk)
    return b"".join(parts)


def decode_body(body: bytes) -> Frame:
    nl = body.find(b"\n")
    if nl < 0:
        raise ProtocolError("protocol-error", f"a frame without a channel line: {shown(body)}")
    channel = body[:nl].decode("ascii", "replace")
    if not _CHANNEL_RE.fullmatch(channel):
        raise ProtocolError("protocol-error", f"a bad channel id {shown(body[:nl])}")
    try:
        message = json.loads(body[nl + 1 :])
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise ProtocolError("protocol-error", f"a frame that is not JSON: {shown(body[nl + 1 :])}") from None
    if not isinstance(message, dict):
        raise ProtocolError("protocol-error", f"a frame that is not a JSON object: {shown(body[nl + 1 :])}")
    if channel == CONTROL and not isinstance(message.get("command"), str):
        raise ProtocolError("protocol-error", "a control message without a command")
    return Frame(channel, message)


def read_frame(stream: IO[bytes], max_bytes: int = MAX_FRAME_BYTES) -> Frame | None:
    """The next frame, or None at a clean end of stream (between frames).

    Raises ProtocolError for anything else: a length line that is not a number (a shell banner, a
    Python traceback), a frame over ``max_bytes``, a stream cut inside a frame, a body that is not JSON.
    """
    head = b""
    while True:
        c = stream.read(1)
        if not c:
            if not head:
                return None
            raise ProtocolError("terminated", f"the stream ended inside a length line {shown(head)}")
        if c == b"\n":
            break
        head += c
        if not c.isdigit() or len(head) > _MAX_DIGITS:
            # what is already buffered, for the message; read() would wait for 80 bytes that may never come
            more = getattr(stream, "read1", None)
            rest = head + (more(80) if more else b"")
            if head.isdigit():
                raise ProtocolError("too-large", f"a frame length of more than {_MAX_DIGITS} digits {shown(rest)}")
            raise ProtocolError("protocol-error", f"expected a frame length, got {shown(rest)}")
    if not head:
        raise ProtocolError("protocol-error", "an empty frame length line")
    size = int(head)
    if size > max_bytes:
        raise ProtocolError("too-large", f"a frame of {size} bytes (the limit is {max_bytes})")
    body = _read_exact(stream, size)
    if len(body) < size:
        raise ProtocolError("terminated", f"the stream ended inside a frame ({len(body)} of {size} bytes)")
    return decode_body(body)

"""The frame reader against well-formed, garbage, huge, cut and endless input."""

from __future__ import annotations

import io
import json

import pytest

from hwinspector.probes.remote.protocol import (
    MAX_FRAME_BYTES,
    ProtocolError,
    control,
    encode,
    read_frame,
    shown,
)


def frames(data: bytes) -> list[object]:
    stream = io.BytesIO(data)
    out = []
    while (f := read_frame(stream)) is not None:
        out.append((f.channel, f.message))
    return out


def test_round_trip_of_control_and_channel_frames() -> None:
    data = control("init", version=1, capabilities=["cli"]) + encode("7", {"type": "data", "v": [1.5, None]})
    assert frames(data) == [
        ("", {"command": "init", "version": 1, "capabilities": ["cli"]}),
        ("7", {"type": "data", "v": [1.5, None]}),
    ]


def test_the_wire_format_is_a_decimal_length_line_then_channel_line_then_json() -> None:
    data = encode("3", {"a": 1})
    body = b'3\n{"a":1}'
    assert data == str(len(body)).encode() + b"\n" + body


def test_clean_end_between_frames_is_none() -> None:
    assert read_frame(io.BytesIO(b"")) is None


@pytest.mark.parametrize(
    ("data", "problem", "says"),
    [
        (b"Welcome to Ubuntu 24.04 LTS\n", "protocol-error", "expected a frame length, got 'Welcome"),
        (b"\n", "protocol-error", "empty frame length"),
        (b"12345678901\n", "too-large", "more than 10 digits"),
        (b"1" * 100_000, "too-large", "more than 10 digits"),
        (b"A" * 10_000_000, "protocol-error", "expected a frame length"),
        (str(MAX_FRAME_BYTES + 1).encode() + b"\n", "too-large", "limit"),
        (b"100\n\nabc", "terminated", "inside a frame (4 of 100 bytes)"),
        (b"12", "terminated", "inside a length line"),
        (b"5\nabcde", "protocol-error", "without a channel line"),
        (b"5\n\nnope", "protocol-error", "not JSON"),
        (b"4\n\n[1]", "protocol-error", "not a JSON object"),
        (b'8\n\n{"a":1}', "protocol-error", "without a command"),
        (b'10\n<b>\n{"a":1}', "protocol-error", "bad channel id"),
        (b"6\n\n\xff\xfe\x00\x01\xff", "protocol-error", "not JSON"),
    ],
)
def test_hostile_input_is_a_named_problem(data: bytes, problem: str, says: str) -> None:
    with pytest.raises(ProtocolError) as caught:
        frames(data)
    assert caught.value.problem == problem
    assert says in caught.value.detail
    assert len(caught.value.detail) < 300  # an excerpt, never the whole flood


def test_deeply_nested_json_is_refused_not_a_crash() -> None:
    body = b"\n" + b"[" * 100_000 + b"]" * 100_000
    with pytest.raises(ProtocolError) as caught:
        frames(str(len(body)).encode() + b"\n" + body)
    assert caught.value.problem == "protocol-error"


def test_a_smaller_limit_applies() -> None:
    data = encode("1", {"x": "y" * 1000})
    with pytest.raises(ProtocolError, match="limit is 100"):
        read_frame(io.BytesIO(data), max_bytes=100)


def test_encoding_refuses_oversize_and_bad_channels() -> None:
    with pytest.raises(ValueError, match="frame limit"):
        encode("1", {"x": "y" * MAX_FRAME_BYTES})
    with pytest.raises(ValueError, match="channel"):
        encode("a\nb", {})
    with pytest.raises(ValueError):
        encode("1", {"x": float("nan")})


def test_shown_excerpt_has_no_control_characters() -> None:
    text = shown(b"\x1b[31mred\x07\x00" + b"x" * 200)
    assert "\x1b" not in text and "\x07" not in text and "\x00" not in text
    assert text.endswith("…")
    assert json.loads(json.dumps(text)) == text

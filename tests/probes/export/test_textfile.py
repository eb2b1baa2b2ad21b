"""Textfile writes are atomic: a reader polling the file sees the old or the new content, never a mix."""

from __future__ import annotations

import stat
import threading
from pathlib import Path

import pytest

from hwinspector.probes.export.textfile import write_atomic
from tests.probes.sysfs_builder import call_unprivileged, shared_tmp


def body(n: int) -> str:
    # Big enough that a non-atomic write would be seen half-done (several pages per write).
    lines = [f'hwinspector_test_value{{index="{i}"}} {n}' for i in range(3000)]
    return "# TYPE hwinspector_test_value gauge\n" + "\n".join(lines) + f"\n# end {n}\n"


def test_a_polling_reader_never_sees_a_partial_file(tmp_path: Path) -> None:
    write_atomic(tmp_path, body(0))
    stop = threading.Event()
    seen: list[str] = []
    bad: list[str] = []

    def reader() -> None:
        while not stop.is_set():
            text = (tmp_path / "hwinspector.prom").read_text()
            n = text.rsplit("# end ", 1)[-1].strip()
            if not n.isdigit() or text != body(int(n)):
                bad.append(text[-80:])
            seen.append(n)

    t = threading.Thread(target=reader)
    t.start()
    try:
        for n in range(1, 60):
            write_atomic(tmp_path, body(n))
    finally:
        stop.set()
        t.join(30)
    assert not bad
    assert len(set(seen)) > 1  # the reader really overlapped the writes
    # Only the one .prom file is left: temporary files neither pile up nor end in .prom.
    assert sorted(p.name for p in tmp_path.iterdir()) == ["hwinspector.prom"]


def test_the_file_is_readable_by_node_exporters_user(tmp_path: Path) -> None:
    path = write_atomic(tmp_path, body(1))
    assert stat.S_IMODE(path.stat().st_mode) == 0o644


def test_a_failed_write_keeps_the_old_file_and_leaves_no_temporary(tmp_path: Path) -> None:
    write_atomic(tmp_path, body(1))

    with pytest.raises(TypeError):
        write_atomic(tmp_path, 12345)  # type: ignore[arg-type]
    assert (tmp_path / "hwinspector.prom").read_text() == body(1)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["hwinspector.prom"]


def test_a_missing_folder_is_an_oserror(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        write_atomic(tmp_path / "absent", body(1))


def test_names_the_collector_would_not_read_are_refused(tmp_path: Path) -> None:
    for name in ("hwinspector.txt", "../x.prom", "sub/x.prom"):
        with pytest.raises(ValueError):
            write_atomic(tmp_path, body(1), name=name)
    assert list(tmp_path.iterdir()) == []


def _try_write(directory: Path) -> str:
    try:
        write_atomic(directory, body(1))
    except OSError as exc:
        return type(exc).__name__
    return "written"


def test_a_write_to_a_folder_it_may_not_write_fails_cleanly() -> None:
    with shared_tmp() as d:
        (d / "hwinspector.prom").write_text(body(0))
        d.chmod(0o755)  # root's folder: others may read, not write
        assert call_unprivileged(_try_write, d) == "PermissionError"
        assert (d / "hwinspector.prom").read_text() == body(0)
        assert sorted(p.name for p in d.iterdir()) == ["hwinspector.prom"]

"""A real OpenSSH server on 127.0.0.1 for the remote tests: its own host key, one authorized user key.

The client side is the real ``ssh`` with ``-F`` a config naming the alias ``target`` (strict host
key checking, batch mode); HWINSPECTOR_SSH carries it, as a lab would. Every sshd started here and
its per-connection children are ended by pid when the test finishes.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import psutil
import pytest

SSHD = Path("/usr/sbin/sshd")
VENV_AGENT = Path(sys.executable).with_name("hwinspector")


@dataclass
class Sshd:
    dir: Path
    port: int
    proc: subprocess.Popen[bytes]
    host_key: Path
    known_hosts: Path
    config: Path
    log: IO[bytes]

    @property
    def env(self) -> dict[str, str]:
        """The environment for a client reaching ``target`` with the installed agent from this checkout."""
        return dict(
            os.environ,
            HWINSPECTOR_SSH=f"ssh -F {self.config}",
            HWINSPECTOR_REMOTE_AGENT=str(VENV_AGENT),
        )

    def zero_install_env(self) -> dict[str, str]:
        """As ``env``, but the target has no hwinspector command: only its python3."""
        return dict(self.env, HWINSPECTOR_REMOTE_AGENT="/nonexistent/hwinspector")

    def fingerprint(self) -> str:
        """The host key's fingerprint as ssh-keygen prints it ("256 SHA256:… comment (ED25519)")."""
        line = subprocess.run(
            ["ssh-keygen", "-lf", str(self.host_key.with_suffix(".pub"))], capture_output=True, text=True, check=True
        ).stdout
        assert line.rstrip().endswith("(ED25519)"), line
        return line.split()[1]

    def connections(self) -> list[psutil.Process]:
        """The listener's per-connection children (one per live ssh session)."""
        try:
            return psutil.Process(self.proc.pid).children()
        except psutil.NoSuchProcess:
            return []

    def drop_connections(self) -> None:
        for child in self.connections():
            with contextlib.suppress(psutil.NoSuchProcess):
                child.kill()

    def stop(self) -> None:
        kids = self.connections()
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        for child in kids:
            with contextlib.suppress(psutil.NoSuchProcess):
                child.kill()
        self.log.close()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _keygen(path: Path) -> None:
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(path)], check=True)


def start_sshd(tmp: Path) -> Sshd:
    if not SSHD.exists() or shutil.which("ssh") is None:
        pytest.skip("openssh-server and openssh-client are needed (make sysdeps installs them)")
    if os.geteuid() != 0:
        pytest.skip("sshd needs root here (it runs as root in CI) to switch to the test user")
    d = tmp / "sshd"
    d.mkdir()
    host_key, user_key = d / "host_key", d / "user_key"
    _keygen(host_key)
    _keygen(user_key)
    (d / "authorized_keys").write_text((d / "user_key.pub").read_text())
    port = _free_port()
    cfg = d / "sshd_config"
    cfg.write_text(
        f"ListenAddress 127.0.0.1\nPort {port}\nHostKey {host_key}\nAuthorizedKeysFile {d}/authorized_keys\n"
        "UsePAM no\nStrictModes no\nPidFile none\nPasswordAuthentication no\nKbdInteractiveAuthentication no\n"
    )
    known = d / "known_hosts"
    known.write_text(f"[127.0.0.1]:{port} {(d / 'host_key.pub').read_text()}")
    client = d / "ssh_config"
    client.write_text(
        f"Host target\n  HostName 127.0.0.1\n  Port {port}\n  User {psutil.Process().username()}\n"
        f"  IdentityFile {user_key}\n  IdentitiesOnly yes\n  UserKnownHostsFile {known}\n"
        "  GlobalKnownHostsFile /dev/null\n  StrictHostKeyChecking yes\n  BatchMode yes\n"
    )
    Path("/run/sshd").mkdir(exist_ok=True)
    log = open(d / "sshd.log", "wb")  # noqa: SIM115 (closed by stop())
    proc = subprocess.Popen([str(SSHD), "-D", "-e", "-f", str(cfg)], stdout=subprocess.DEVNULL, stderr=log)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            log.close()
            raise RuntimeError(f"sshd exited: {(d / 'sshd.log').read_text()}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            break
        except OSError:
            time.sleep(0.05)
    return Sshd(d, port, proc, host_key, known, client, log)


@pytest.fixture
def sshd(tmp_path: Path) -> Iterator[Sshd]:
    server = start_sshd(tmp_path)
    try:
        yield server
    finally:
        server.stop()

"""The transport is the system ssh: it honours ~/.ssh/config, the agent, ProxyJump, FIDO keys, known_hosts.

``HWINSPECTOR_SSH`` replaces the ssh command line (split like a shell would, as ``GIT_SSH_COMMAND``);
the options added here come after it, the host and the remote command last. Host keys are never
accepted silently: ``StrictHostKeyChecking=yes`` overrides an ``accept-new`` or ``no`` in a config,
and an unknown key and a changed key are told apart from ssh's messages.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
from collections.abc import Mapping

# ssh's exit status for its own errors; a remote command's status passes through otherwise.
SSH_FAILED = 255
NOT_FOUND = 127
NO_PYTHON_MARK = "hwinspector-agent: no-python"
_BOOT = (
    "import sys,json\n"
    "if sys.version_info<(3,9):\n"
    " sys.stderr.write('"
    + NO_PYTHON_MARK
    + " (python %s is older than 3.9)\\n'%sys.version.split()[0]);sys.exit(127)\n"
    "o=sys.stdout.buffer;m=b'\\n'+json.dumps({'command':'boot','python':sys.version.split()[0]}).encode()\n"
    "o.write(str(len(m)).encode()+b'\\n'+m);o.flush()\n"
    "i=sys.stdin.buffer;n=int(i.readline());exec(compile(i.read(n),'hwinspector-agent','exec'))\n"
)


def remote_script(agent: str = "hwinspector", python: str = "python3") -> str:
    """The remote command: the installed agent, else python3 reading a temporary agent from the link."""
    boot = shlex.quote(_BOOT)
    a, py = shlex.quote(agent), shlex.quote(python)
    lines = [
        f"if command -v {a} >/dev/null 2>&1; then exec {a} agent; fi",
        f"if command -v {py} >/dev/null 2>&1; then exec {py} -c {boot}; fi",
        f"echo '{NO_PYTHON_MARK}' >&2; exit {NOT_FOUND}",
    ]
    return "sh -c " + shlex.quote("\n".join(lines))


def ssh_argv(host: str, *, batch: bool, env: Mapping[str, str] | None = None) -> list[str]:
    if not host or host.startswith("-") or any(c.isspace() for c in host):
        raise ValueError(f"not a host name: {host!r}")
    env = os.environ if env is None else env
    base = shlex.split(env.get("HWINSPECTOR_SSH", "")) or ["ssh"]
    opts = [
        "-T",  # no terminal: the stream carries frames only
        "-o",
        "StrictHostKeyChecking=yes",
        "-o",
        "ServerAliveInterval=5",  # a dropped link is noticed within ~15 s even when idle
        "-o",
        "ServerAliveCountMax=3",
        "-o",
        "ConnectTimeout=15",
    ]
    if batch:
        opts += ["-o", "BatchMode=yes"]
    script = remote_script(
        env.get("HWINSPECTOR_REMOTE_AGENT") or "hwinspector", env.get("HWINSPECTOR_REMOTE_PYTHON") or "python3"
    )
    return [*base, *opts, "--", host, script]


_RULES: list[tuple[str, re.Pattern[str]]] = [
    ("changed-hostkey", re.compile(r"REMOTE HOST IDENTIFICATION HAS CHANGED|Host key for .* has changed")),
    ("unknown-hostkey", re.compile(r"No \S+ host key is known for|host key is not known|authenticity of host")),
    ("unknown-hostkey", re.compile(r"Host key verification failed")),
    ("authentication-failed", re.compile(r"Permission denied \(|Too many authentication failures")),
    ("unknown-host", re.compile(r"Could not resolve hostname")),
    ("no-host", re.compile(r"Connection refused|Connection timed out|No route to host|Network is unreachable")),
]


# ssh -v: "debug1: Server host key: ssh-ed25519 SHA256:…" (sshconnect.c, verify_host_key)
_SERVER_KEY = re.compile(r"Server host key: (\S+) ((?:SHA256|MD5):[A-Za-z0-9+/=:]+)")
# The key type as ssh's own prompt names it ("ED25519 key fingerprint is SHA256:…"), and its file there.
_KEY_TYPES = {
    "ssh-ed25519": ("ED25519", "ed25519"),
    "ssh-ed25519-cert-v01@openssh.com": ("ED25519-CERT", "ed25519"),
    "ecdsa-sha2-nistp256": ("ECDSA", "ecdsa"),
    "ecdsa-sha2-nistp384": ("ECDSA", "ecdsa"),
    "ecdsa-sha2-nistp521": ("ECDSA", "ecdsa"),
    "ssh-rsa": ("RSA", "rsa"),
    "rsa-sha2-256": ("RSA", "rsa"),
    "rsa-sha2-512": ("RSA", "rsa"),
}


def offered_host_key(
    host: str, env: Mapping[str, str] | None = None, timeout_s: float = 20.0
) -> tuple[str, str, str] | None:
    """(type as ssh names it, fingerprint, the key's file on that machine) of the key HOST offers.

    One more connection through the same ssh (its config: HostName, Port, ProxyJump) that stops at the
    host key check, as the first one did, with ``-v`` so ssh prints the key it was shown. Strict
    checking stays on: nothing is accepted and known_hosts is never written. None when ssh does not say.
    """
    env = os.environ if env is None else env
    base = shlex.split(env.get("HWINSPECTOR_SSH", "")) or ["ssh"]
    argv = [*base, "-v", "-T", "-o", "StrictHostKeyChecking=yes", "-o", "BatchMode=yes", "-o", "ConnectTimeout=15"]
    try:
        done = subprocess.run(
            [*argv, "--", host, "true"],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=timeout_s,
            env=dict(env),
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    m = _SERVER_KEY.search(done.stderr.decode("utf-8", "replace"))
    if m is None:
        return None
    name, file = _KEY_TYPES.get(m.group(1), (printable(m.group(1)).upper(), ""))
    where = f"/etc/ssh/ssh_host_{file}_key.pub" if file else "/etc/ssh/ssh_host_*_key.pub"
    return name, m.group(2), where


def unknown_key_message(host: str, key: tuple[str, str, str] | None, line: str = "") -> str:
    """The one line for a host key that is not in known_hosts: what it is and how to check it."""
    from hwinspector.i18n import _

    if key is None:
        text = _(
            "the host key is not in known_hosts, and it is never accepted silently: check its "
            "fingerprint and accept it once with `ssh {host}` in a terminal"
        ).format(host=host)
        return f"{text} ({line})" if line else text
    kind, fingerprint, where = key
    return _(
        "the host key is not in known_hosts, and it is never accepted silently: {host} offers the {kind} key "
        "{fingerprint}; compare it with `ssh-keygen -lf {where}` run on that machine (its console, or ask its "
        "owner), then accept it once with `ssh {host}` in a terminal"
    ).format(host=host, kind=kind, fingerprint=fingerprint, where=where)


def classify(stderr: str, exit_status: int | None) -> tuple[str, str]:
    """(problem code, one line for a person) from ssh's stderr and exit status."""
    if NO_PYTHON_MARK in stderr or (exit_status == NOT_FOUND and "not found" in stderr):
        return "no-hwinspector", (
            "hwinspector is not installed there and there is no python3 (3.9 or later) to run a temporary agent; "
            "install it on that machine: `sudo apt install hwinspector` (deb), `sudo snap install hwinspector` "
            "or `pip install hwinspector`"
        )
    for problem, rx in _RULES:
        m = rx.search(stderr)
        if m:
            line = _line_of(stderr, m.start())
            if problem == "changed-hostkey":
                return problem, (
                    "the host key has CHANGED since it was recorded in known_hosts (the machine was reinstalled, "
                    "or someone is in the middle); refusing to connect: check the new key's fingerprint with "
                    "the machine's owner, then remove the old one (ssh-keygen -R HOST)"
                )
            if problem == "unknown-hostkey":
                return problem, unknown_key_message("HOST", None, line)
            if problem == "authentication-failed":
                return (
                    problem,
                    f"ssh could not log in without asking ({line}); "
                    "add your key (ssh-copy-id) or load it into ssh-agent",
                )
            return problem, line
    tail = _last_line(stderr)
    if exit_status == SSH_FAILED:
        return "no-host", tail or "ssh failed (exit status 255)"
    return "terminated", tail or f"the agent ended (exit status {exit_status})"


def _line_of(text: str, pos: int) -> str:
    start = text.rfind("\n", 0, pos) + 1
    end = text.find("\n", pos)
    return printable(text[start : end if end >= 0 else len(text)].strip())


def _last_line(text: str) -> str:
    lines = [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("@")]
    return printable(lines[-1]) if lines else ""


_CONTROL = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b[@-_]|[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def printable(text: str) -> str:
    """Text from the other side, safe for a terminal: escape sequences and control characters removed."""
    return _CONTROL.sub("", text)

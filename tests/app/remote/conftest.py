"""Fixtures for the remote window tests: a real sshd on loopback."""

from tests.sshd import sshd

__all__ = ["sshd"]

"""Fixtures for the CLI tests: a real sshd on loopback for --host."""

from tests.sshd import sshd

__all__ = ["sshd"]

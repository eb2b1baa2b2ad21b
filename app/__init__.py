"""hwinspector: a Linux desktop hardware inspector."""

__version__ = "0.1.0"

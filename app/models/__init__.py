"""Qt item models over probe dataclasses."""

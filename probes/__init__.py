"""Qt-free probes: read the system (or a saved copy of it) into immutable dataclasses."""

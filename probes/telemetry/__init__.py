"""Telemetry: the high-rate sampler (native and Python), the channel catalogue, sessions, recordings."""

"""Evidence bundles: capture (raw artifacts, structured sections, telemetry), privacy, writing, reading."""

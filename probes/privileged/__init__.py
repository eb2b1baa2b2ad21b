"""The privileged side: a small helper that reads root-only counters by fixed ids, and its client."""

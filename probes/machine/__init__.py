"""The whole machine: identity, the JSON sections bundles store, and the Snapshot pages show."""

"""Reading evidence bundles from anyone: safe extraction, manifest, checksums, the Snapshot inside."""

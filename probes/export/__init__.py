"""Metrics for fleets: Prometheus families from the probes, cached so a scrape never waits on slow ones."""

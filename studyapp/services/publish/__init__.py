"""Outputs: the exporter list, the replication package."""

"""Defects: import, distributions, cross-tabulation, the reengineering workflow."""

"""Sub-views of the Claims page."""

"""Sub-views of the Agreement page."""

"""Sub-views of the Interviews page."""

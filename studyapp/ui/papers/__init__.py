"""Sub-views of the Papers page."""

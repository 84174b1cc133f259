"""Sub-views of the Defects page."""

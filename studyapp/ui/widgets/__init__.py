"""UI parts more than one page uses."""

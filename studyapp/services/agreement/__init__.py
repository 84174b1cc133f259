"""Agreement: per field, tree level and round; reports; adjudication; rater files (`irr`)."""

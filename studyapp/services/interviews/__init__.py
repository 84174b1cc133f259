"""Interviews: transcripts import, tags and quote spans, qualitative analysis, saturation."""

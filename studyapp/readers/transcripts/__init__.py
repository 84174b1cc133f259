"""Transcript readers, one module per format: `text` (speaker-turn plain text), `docx` (Word),
`vtt` (WebVTT and SubRip captions); `participants` and `codes` read the CSV tables that go with
interviews. They are registered in `studyapp.readers` (the one registry); this package imports none
of them.
"""

"""Paper readers, one module per format: `bibtex`, `ris`, `wos` (Web of Science plain text),
`medline` (PubMed), `csv` (database CSV and tab-delimited exports, with their column profiles);
`records` holds the record shape they share. They are registered in `studyapp.readers` (the one
registry), which detects a file's format from its content; this package imports none of them.
"""

"""Claims: claims.yaml, validation against datasets and the study's codings, verdicts, charts, reports."""

"""Typed errors that carry where the problem is, so every message can name file and line/record.

Services raise these; the CLI turns them into one-line messages and a non-zero exit, and pages
show them with `st.error`. Nothing catches them silently.
"""

from __future__ import annotations


class StudyError(Exception):
    """Base class for every error studyapp reports to a user."""

    def __init__(self, message: str, *, path: str | None = None, line: int | None = None,
                 record: int | str | None = None):
        super().__init__(message)
        self.message = message
        self.path = str(path) if path is not None else None
        self.line = line
        self.record = record

    def where(self) -> str:
        parts = []
        if self.path:
            parts.append(self.path + (f":{self.line}" if self.line is not None else ""))
        elif self.line is not None:
            parts.append(f"line {self.line}")
        if self.record is not None:
            parts.append(f"record {self.record}")
        return ", ".join(parts)

    def __str__(self) -> str:
        where = self.where()
        return f"{where}: {self.message}" if where else self.message


class InvalidCodebook(StudyError):
    """A codebook file that cannot be used: bad YAML, duplicate id, unknown parent, wrong type..."""


class InvalidInput(StudyError):
    """An input file (import, rater sheet, labels) that cannot be read as a whole.

    `record` is the 1-based record number (or id) where reading failed when known.
    """


class NotFound(StudyError):
    """A study, unit, coder, codebook or field that does not exist."""


class PermissionDenied(StudyError):
    """The acting coder's role does not allow this action (e.g. a coder adjudicating)."""


class UnknownCode(StudyError):
    """A value that matches no code of the field it is meant for."""

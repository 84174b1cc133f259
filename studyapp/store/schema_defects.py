"""Schema migrations of the defects feature (registered on the study's one migration list, in order).

Add new migrations at the end of this module; never edit one that has been released.
"""

from studyapp.store.migrations import migrations  # noqa: F401


@migrations()
def defects_001_issue_index(db) -> None:
    """Defect units are found by their issue (`attrs.issue`, e.g. `owner/repo#42`) when labels are
    imported by URL or issue number and when more defects of one issue are added."""
    db.executescript(
        """
        CREATE INDEX idx_units_defect_issue ON units (json_extract(attrs, '$.issue'), id)
            WHERE kind = 'defect';
        """
    )

"""Schema migrations of the defects feature (listed in order in `__init__.ORDER`).

Never edit a released migration: add a new function here and append it to `__init__.ORDER`.
"""


def defects_001_issue_index(db) -> None:
    """Defect units are found by their issue (`attrs.issue`, e.g. `owner/repo#42`) when labels are
    imported by URL or issue number and when more defects of one issue are added."""
    db.executescript(
        """
        CREATE INDEX idx_units_defect_issue ON units (json_extract(attrs, '$.issue'), id)
            WHERE kind = 'defect';
        """
    )

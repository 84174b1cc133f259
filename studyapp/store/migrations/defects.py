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


def defects_002_issue_is_repo_and_number(db) -> None:
    """A defect's issue is its repository and number (`owner/repo#42`): studies whose defects came in
    with the bare number as `issue` (the demo builder wrote `issue: "3"`) grouped `yolo-lite#3` and
    `pose-hourglass#3` as one issue. Such units get `issue = repo#number` (or `#number` without a
    repository) and a numeric `number`."""
    db.executescript(
        """
        UPDATE units SET attrs = json_set(attrs,
                '$.issue', coalesce(json_extract(attrs, '$.repo'), '') || '#' || json_extract(attrs, '$.issue'),
                '$.number', CAST(json_extract(attrs, '$.issue') AS INTEGER))
            WHERE kind = 'defect'
              AND json_extract(attrs, '$.issue') IS NOT NULL
              AND instr(json_extract(attrs, '$.issue'), '#') = 0
              AND trim(json_extract(attrs, '$.issue'), '0123456789') = '';
        """
    )

"""The `studyapp` command line: one short command per service function.

The command groups are listed here, one module each, named as its group (`cli/papers.py` holds
`studyapp papers ...`). Each feature's group also carries its commands that have a root name of
their own, so one feature is one group: `studyapp papers import` is `studyapp import papers`,
`papers prisma` is `prisma`, `papers screen` is `screen`; `interviews import|participants|saturation`,
`defects import|labels|crosstab`, `claims validate|turnover|dataset`. The root names stay.
"""

from studyapp.cli import (  # noqa: F401  (each module adds its commands to `main`)
    agreement,
    backup,
    claims,
    codebook,
    coder,
    dataset,
    defects,
    interop,
    interviews,
    irr,
    package,
    papers,
    screen,
    study,
)
from studyapp.cli.app import main

#: Feature-group spellings of root commands: (group, name, command).
ALIASES = [
    (papers.papers_group, "import", papers.import_papers_cmd),
    (papers.papers_group, "prisma", papers.prisma_cmd),
    (papers.papers_group, "screen", screen.screen_group),
    (interviews.interviews_group, "import", interviews.import_transcripts_cmd),
    (interviews.interviews_group, "participants", interviews.import_participants_cmd),
    (interviews.interviews_group, "saturation", interviews.saturation_cmd),
    (interviews.interviews_group, "import-qdpx", interop.import_qdpx_cmd),
    (defects.defects_group, "import", defects.import_defects_cmd),
    (defects.defects_group, "labels", defects.import_labels_cmd),
    (defects.defects_group, "crosstab", defects.crosstab_cmd),
    (claims.claims_group, "validate", claims.validate_cmd),
    (claims.claims_group, "turnover", claims.turnover_cmd),
    (claims.claims_group, "dataset", dataset.dataset_group),
]
for _group, _name, _cmd in ALIASES:
    _group.add_command(_cmd, _name)

__all__ = ["main", "ALIASES"]

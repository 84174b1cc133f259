"""studyapp: a mixed-methods study workbench for empirical software-engineering research.

The small public Python API: open a study, load a codebook. Everything else lives in
`studyapp.services` (use cases), `studyapp.stats` (pure statistics) and `studyapp.store` (SQL).
"""

__version__ = "0.1.0"

from studyapp.errors import StudyError  # noqa: E402


def open_study(path):
    """Open (or create) the study in folder `path` and return its `Store`."""
    from studyapp.store import Store

    return Store.open(path)


def load_codebook(path):
    """Load and validate a YAML codebook file; raises `InvalidCodebook` naming file and line."""
    from studyapp.domain.codebook_yaml import load_codebook as _load

    return _load(path)


__all__ = ["StudyError", "open_study", "load_codebook", "__version__"]

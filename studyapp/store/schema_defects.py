"""Schema migrations of the defects feature (registered on the study's one migration list, in order).

Add new migrations at the end of this module; never edit one that has been released.
"""

from studyapp.store.migrations import migrations  # noqa: F401

"""The `studyapp` command line: one short command per service function.

Each module in this package adds its commands to the `main` group (see `app.py`); they are found
by import here, so adding a command group never means editing a shared list.
"""

import importlib
import pkgutil

from studyapp.cli.app import main

for _mod in pkgutil.iter_modules(__path__):
    if _mod.name != "app":
        importlib.import_module(f"{__name__}.{_mod.name}")

__all__ = ["main"]

"""The study store: the only package that holds SQL. See `base.Store`."""

from studyapp.store.base import DB_NAME, Store

__all__ = ["Store", "DB_NAME"]

"""A timer thread that interrupts a dataset query when it outlives its time limit.

Why beside the progress handler: the handler runs only every N virtual-machine steps and inside the
query's own thread: a handler that is slow to come round (or replaced) lets a query run on past the
limit. `sqlite3_interrupt` from another thread sets the flag SQLite checks at its next step, on time
whatever the handler's period. Neither can stop one function call midway (nothing can, in-process):
the functions whose one call could run long are bounded separately (`sandbox_functions`, the value
and pattern length limits).

The contract: `arm(seconds)` before a query, `disarm()` after it (also on error); `fired` says
whether the last armed query was interrupted. One watchdog per connection, closed with it.
"""

from __future__ import annotations

import sqlite3
import threading
import time


class Watchdog:
    def __init__(self, conn: sqlite3.Connection):
        self._conn = conn
        self._cond = threading.Condition()
        self._deadline: float | None = None
        self._closed = False
        self.fired = False
        self._thread = threading.Thread(target=self._watch, name="dataset-watchdog", daemon=True)
        self._thread.start()

    def arm(self, seconds: float) -> None:
        with self._cond:
            self.fired = False
            self._deadline = time.monotonic() + seconds
            self._cond.notify()

    def disarm(self) -> None:
        with self._cond:
            self._deadline = None
            self._cond.notify()

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._deadline = None
            self._cond.notify()
        self._thread.join(timeout=5)

    def _watch(self) -> None:
        with self._cond:
            while not self._closed:
                if self._deadline is None:
                    self._cond.wait()
                    continue
                left = self._deadline - time.monotonic()
                if left > 0:
                    self._cond.wait(left)
                    continue
                self._deadline = None
                self.fired = True
                self._conn.interrupt()

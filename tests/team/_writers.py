"""Writer processes for the team tests (spawned: this module must import without pytest)."""

from __future__ import annotations

import time


def write_annotations(folder: str, coder: str, n: int, batch: int = 1) -> dict:
    """Write `n` small annotations as `coder` through `code_many`, `batch` rows per call, on the
    study's defects and rounds r0, r1...; returns counts, timings and any error text."""
    from studyapp.services.coding import CodingRow, code_many
    from studyapp.store import Store

    store = Store.open(folder)
    try:
        ids = [u["id"] for u in store.units.list("defect", with_text=False)]
        rows = [CodingRow(ids[i % len(ids)], "tiny", "effort", coder, i, round=f"r{i // len(ids)}")
                for i in range(n)]
        t0, written, errors, slowest = time.perf_counter(), 0, [], 0.0
        for i in range(0, n, batch):
            t = time.perf_counter()
            try:
                written += code_many(store, rows[i:i + batch])
            except Exception as e:  # noqa: BLE001 - reported to the test
                errors.append(f"{type(e).__name__}: {e}")
            slowest = max(slowest, time.perf_counter() - t)
        return {"coder": coder, "written": written, "errors": errors, "seconds": time.perf_counter() - t0,
                "slowest": slowest}
    finally:
        store.close()


def write_until(folder: str, coder: str, stop_file: str, started_file: str) -> int:
    """Write one annotation at a time until `stop_file` exists (touching `started_file` after the
    first); returns how many were written. For backups and exports taken while a coder works."""
    import os
    from pathlib import Path

    from studyapp.services.coding import CodingRow, code_many
    from studyapp.store import Store

    store = Store.open(folder)
    try:
        ids = [u["id"] for u in store.units.list("defect", with_text=False)]
        i = 0
        while not os.path.exists(stop_file) and i < 200_000:
            code_many(store, [CodingRow(ids[i % len(ids)], "tiny", "effort", coder, i)])
            i += 1
            if i == 1:
                Path(started_file).touch()
        return i
    finally:
        store.close()

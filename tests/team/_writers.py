"""Writer processes for the team tests (spawned: this module must import without pytest)."""

from __future__ import annotations

import time


def write_annotations(folder: str, coder: str, n: int, batch: int = 1, barrier=None) -> dict:
    """Write `n` small annotations as `coder` through `code_many`, `batch` rows per call, on the
    study's defects and rounds r0, r1...; returns counts, timings and any error text. With a
    `barrier` (a multiprocessing Barrier), every writer starts writing at the same moment."""
    from studyapp.services.coding.coding import CodingRow, code_many
    from studyapp.store import Store

    store = Store.open(folder)
    try:
        ids = [u["id"] for u in store.units.list("defect", with_text=False)]
        rows = [CodingRow(ids[i % len(ids)], "tiny", "effort", coder, i, round=f"r{i // len(ids)}")
                for i in range(n)]
        if barrier is not None:
            barrier.wait(timeout=120)
        started = time.time()
        t0, written, errors, slowest = time.perf_counter(), 0, [], 0.0
        for i in range(0, n, batch):
            t = time.perf_counter()
            try:
                written += code_many(store, rows[i:i + batch])
            except Exception as e:  # noqa: BLE001 - reported to the test
                errors.append(f"{type(e).__name__}: {e}")
            slowest = max(slowest, time.perf_counter() - t)
        return {"coder": coder, "written": written, "errors": errors, "seconds": time.perf_counter() - t0,
                "slowest": slowest, "started": started, "ended": time.time()}
    finally:
        store.close()


def write_until(folder: str, coder: str, stop_file: str, started_file: str) -> int:
    """Write one annotation at a time until `stop_file` exists (touching `started_file` after the
    first); returns how many were written. For backups and exports taken while a coder works."""
    import os
    from pathlib import Path

    from studyapp.services.coding.coding import CodingRow, code_many
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


def read_until(folder: str, viewer: str, stop_file: str, started_file: str) -> dict:
    """Read the study the way a page does on every rerun (open the store, call the service the
    Defects list and the Home page call) until `stop_file` exists; returns each read's start time
    and duration, the defect counts seen, and any error text."""
    import os
    from pathlib import Path

    from studyapp.services.study.browse import unit_table
    from studyapp.services.study.study import status
    from studyapp.store import Store

    reads, errors = [], []
    while not os.path.exists(stop_file) and len(reads) < 100_000:
        started, t = time.time(), time.perf_counter()
        try:
            with Store.open(folder) as store:
                n = len(unit_table(store, "defect", viewer))
                status(store)
            reads.append((started, time.perf_counter() - t, n))
        except Exception as e:  # noqa: BLE001 - reported to the test
            errors.append(f"{type(e).__name__}: {e}")
        if len(reads) == 1:
            Path(started_file).touch()
    return {"reads": reads, "errors": errors}


def report_to(queue, index: int, fn_name: str, args: tuple, kwargs: dict) -> None:
    """Process target: run one of this module's functions and put (index, result, error) on `queue`."""
    import traceback

    try:
        queue.put((index, globals()[fn_name](*args, **kwargs), None))
    except BaseException:  # noqa: BLE001 - the test shows it
        queue.put((index, None, traceback.format_exc()))

"""The all-models documentation check on DuckDB reading the PeaTMOSS SQLite file, against SQLite itself.

DuckDB is not a dependency of studyapp; this script measures whether it would be worth one. It
runs the documentation score of every model (the query `documentation_popularity` with sample 0
sends, `score_sql(every_model=True)`), in one run:
  - through the library (the sandboxed SQLite connection, pandas frame, everything);
  - bare on a plain read-only sqlite3 connection: the SQLite floor;
  - on DuckDB with the SQLite file attached READ_ONLY and external access switched off
    (`enable_external_access = false`, `lock_configuration = true`), fetched to Python;
and checks the three give the same scores. It then probes what DuckDB still lets a query do with
external access off (attaching or scanning other files), which a sandbox would have to refuse.

Needs: pip install duckdb==1.5.5 duckdb-extension-sqlite-scanner==1.5.5 (the extension as a PyPI
package, since DuckDB's own extension download is not reachable everywhere).
Run: python benchmarks/bench_duckdb.py [--folder DIR] (the dataset bench_claims.py generates)
"""

from __future__ import annotations

import argparse
import re
import sqlite3
import statistics
import tempfile
import time
from pathlib import Path

from studyapp.datasets.metrics import documentation as doc
from studyapp.datasets.sandbox import open_dataset

ALL = "SELECT m.id, m.context_id, m.downloads AS popularity FROM model m"


def best(fn, repeat: int = 3) -> tuple[float, object]:
    times, out = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return min(times), out


def duck_connection(db: Path):
    import duckdb
    import duckdb_extension_sqlite_scanner as ext_pkg

    ext = next(Path(ext_pkg.__file__).parent.rglob("*.duckdb_extension"))
    con = duckdb.connect()
    con.execute(f"LOAD '{ext}'")
    con.execute("SET sqlite_all_varchar = true")  # SQLite columns hold any type; DuckDB's are strict
    con.execute(f"ATTACH '{db}' AS ds (TYPE sqlite, READ_ONLY)")
    con.execute("USE ds")
    con.execute("SET enable_external_access = false")
    con.execute("SET lock_configuration = true")
    return con


def duck_sql(sql: str) -> str:
    """The same query with the casts DuckDB needs over all-VARCHAR SQLite columns."""
    sql = sql.replace(ALL, "SELECT CAST(m.id AS BIGINT) AS id, m.context_id, CAST(m.downloads AS BIGINT) AS popularity"
                           " FROM model m")
    sql = re.sub(r"SELECT DISTINCT model_id, (\d) AS meta, (\d) AS proxy FROM (\"\w+\") WHERE model_id IS NOT NULL",
                 r"SELECT DISTINCT CAST(model_id AS BIGINT) AS model_id, \1 AS meta, \2 AS proxy FROM \3"
                 r" WHERE model_id IS NOT NULL", sql)
    cols = ", ".join(f"CAST({c} AS DOUBLE) AS {c}" for c in doc.CARD_SECTIONS)
    return sql.replace("LEFT JOIN model_card_section s ON s.model_id = c.id",
                       f"LEFT JOIN (SELECT CAST(model_id AS BIGINT) AS model_id, {cols} FROM model_card_section) s"
                       " ON s.model_id = c.id")


def scores(rows, cols) -> list[tuple]:
    i, m, c = cols.index("id"), cols.index("metadata_score"), cols.index("card_score")
    return sorted((int(r[i]), round(float(r[m]), 12), None if r[c] is None else round(float(r[c]), 12)) for r in rows)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--folder", default=str(Path(tempfile.gettempdir()) / "studyapp-claims"))
    ap.add_argument("--models", type=int, default=281_638)
    args = ap.parse_args()
    db = Path(args.folder) / f"peatmoss-{args.models}.db"
    if not db.exists():
        raise SystemExit(f"{db} is missing: run benchmarks/bench_claims.py --folder {args.folder} first")
    with open_dataset(db) as ds:
        sql, _, _ = doc.score_sql(ds, ALL, "", every_model=True)
        t_lib, metric = best(lambda: doc.popularity_correlation(ds, sample=0))
    plain = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    t_sqlite, rows = best(lambda: plain.execute(sql).fetchall())
    cols = [d[0] for d in plain.execute(sql + " LIMIT 0").description]
    try:
        con = duck_connection(db)
    except ImportError:
        print(f"library (sandboxed SQLite, frame, test data): {t_lib:.3f} s; bare SQLite query: {t_sqlite:.3f} s")
        raise SystemExit("duckdb is not installed: pip install duckdb==1.5.5 duckdb-extension-sqlite-scanner==1.5.5")
    dsql = duck_sql(sql)
    t_duck, drows = best(lambda: con.execute(dsql).fetchall())
    dcols = [d[0] for d in con.execute(dsql).description]
    runs = [best(lambda: con.execute(dsql).fetchall(), repeat=1)[0] for _ in range(5)]
    same = scores(rows, cols) == scores(drows, dcols)
    print(f"documentation score of all {len(rows):,} models ({db.name}):")
    print(f"  through the library (sandboxed SQLite, frame, test data): {t_lib:.3f} s"
          f" = {t_lib / t_sqlite:.2f}x bare SQLite")
    print(f"  bare SQLite query (the floor):                            {t_sqlite:.3f} s")
    print(f"  DuckDB over the same file, read-only, external access off: {t_duck:.3f} s = {t_duck / t_sqlite:.2f}x"
          f" bare SQLite (median of 5: {statistics.median(runs):.3f} s); same scores: {same}")
    print(f"  target for the whole check: < 1 s; value {metric.value:.4f}")
    print("what DuckDB still allows with external access off (a sandbox would have to refuse each):")
    for q in (f"ATTACH '{db}' AS other (TYPE sqlite)", f"SELECT count(*) FROM sqlite_scan('{db}', 'license')",
              "COPY (SELECT 1) TO 'duckdb-bench-out.csv'", "INSERT INTO ds.model (id) VALUES (-1)"):
        try:
            con.execute(q).fetchall()
            print(f"  ALLOWED  {q}")
        except Exception as e:  # duckdb raises its own exception classes
            print(f"  refused  {q}: {str(e).splitlines()[0][:70]}")


if __name__ == "__main__":
    main()

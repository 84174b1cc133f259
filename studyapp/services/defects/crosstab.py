"""Cross-tabulation of two defect fields, with the chi-square test of independence and Cramer's V.

Counts are over defects that have a value in both fields (for the chosen source and tree levels).
Row and column shares answer "of the environment defects, what share are interface defects?".
The test is pingouin's `chi2_independence` (Pearson; Yates' correction on 2x2 tables). It is
reported as undefined, with the reason, when it does not apply: no data, a field with fewer than
two categories observed, or a multi-select field (a defect may fall in several cells, so the cells
are not independent). When more than a fifth of the expected counts are below 5 the result stands
but carries a caution.
"""

from __future__ import annotations

import io
import json
import math
import warnings
from typing import Sequence

from studyapp.domain import spreadsheet_safe
from studyapp.services.defects.analysis import (
    codes_at,
    defect_codebook,
    field_values,
    resolve_source,
)
from studyapp.store import Store


def crosstab(store: Store, rows: str, cols: str, *, codebook: str | None = None, coder: str | None = None,
             final: bool = False, rounds: Sequence[str] | None = None, level: int | None = None,
             row_level: int | None = None, col_level: int | None = None) -> dict:
    """{"rows", "cols", "counts", "chi2", "p", "cramers_v", ...}; `level` applies to both fields
    unless `row_level`/`col_level` say otherwise."""
    cb = defect_codebook(store, codebook)
    source = resolve_source(store, cb, coder=coder, final=final, rounds=rounds)
    rf, cf = cb.require_field(rows), cb.require_field(cols)
    rl = row_level if row_level is not None else level
    cl = col_level if col_level is not None else level
    rv = field_values(store, cb, rows, source, rl)
    cv = field_values(store, cb, cols, source, cl)
    units = sorted(set(rv) & set(cv))
    pairs = []
    for u in units:
        for a in (rv[u] if isinstance(rv[u], list) else [rv[u]]):
            for b in (cv[u] if isinstance(cv[u], list) else [cv[u]]):
                pairs.append((a, b))
    used_r, used_c = {a for a, _ in pairs}, {b for _, b in pairs}
    row_ids = [c for c in codes_at(rf, rl, used_r) if c in used_r]
    col_ids = [c for c in codes_at(cf, cl, used_c) if c in used_c]
    ri, ci = {c: i for i, c in enumerate(row_ids)}, {c: i for i, c in enumerate(col_ids)}
    counts = [[0] * len(col_ids) for _ in row_ids]
    for a, b in pairs:
        counts[ri[a]][ci[b]] += 1
    row_tot = [sum(r) for r in counts]
    col_tot = [sum(counts[i][j] for i in range(len(row_ids))) for j in range(len(col_ids))]
    result = {
        "codebook": cb.id, "source": source.describe(), "row_field": rows, "col_field": cols,
        "row_field_label": rf.label, "col_field_label": cf.label, "row_level": rl, "col_level": cl,
        "rows": row_ids, "cols": col_ids,
        "row_labels": [_label(rf, c) for c in row_ids], "col_labels": [_label(cf, c) for c in col_ids],
        "counts": counts, "row_totals": row_tot, "col_totals": col_tot, "n": len(units), "n_pairs": len(pairs),
        "row_pct": [[c / row_tot[i] if row_tot[i] else None for c in r] for i, r in enumerate(counts)],
        "col_pct": [[c / col_tot[j] if col_tot[j] else None for j, c in enumerate(r)] for r in counts],
    }
    result.update(chi_square(counts, rows if rf.is_multi else cols if cf.is_multi else None))
    return result


def _label(field, code_id: str) -> str:
    code = field.code(code_id)
    return code.label if code else code_id


def chi_square(counts: list[list[int]], multi_field: str | None = None) -> dict:
    """chi2, p, dof, cramers_v (pingouin) or None with `undefined_reason`; `caution` for sparse tables."""
    out = {"chi2": None, "p": None, "dof": None, "cramers_v": None, "test": "Pearson chi-square (pingouin)",
           "undefined_reason": None, "caution": None}
    n = sum(map(sum, counts))
    if multi_field:
        out["undefined_reason"] = (f"{multi_field} is a multi-select field: a defect can fall in several cells, so "
                                   "the cells are not independent and chi-square does not apply")
        return out
    if n == 0:
        out["undefined_reason"] = "no defect has values in both fields"
        return out
    if len(counts) < 2 or len(counts[0]) < 2:
        which = "rows" if len(counts) < 2 else "columns"
        out["undefined_reason"] = f"chi-square needs at least two categories on each side; the {which} have one"
        return out
    import pandas as pd
    import pingouin

    obs = [(i, j) for i, r in enumerate(counts) for j, c in enumerate(r) for _ in range(c)]
    df = pd.DataFrame(obs, columns=["r", "c"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected, _, stats = pingouin.chi2_independence(df, "r", "c", correction=True)
    pearson = stats.loc[stats["test"] == "pearson"].iloc[0]
    chi2, p, v = float(pearson["chi2"]), float(pearson["pval"]), float(pearson["cramer"])
    if not all(map(math.isfinite, (chi2, p, v))):
        out["undefined_reason"] = "the test statistic is not finite for this table"
        return out
    low = float((expected.to_numpy() < 5).mean())
    out.update(chi2=chi2, p=p, dof=int(pearson["dof"]), cramers_v=v, expected_below_5=low,
               yates=len(counts) == 2 and len(counts[0]) == 2)
    if low > 0.2:
        out["caution"] = (f"{low:.0%} of the expected counts are below 5: the chi-square approximation may be "
                          "poor (merge rare categories or read a higher tree level)")
    return out


def share(result: dict, row_code: str, col_code: str) -> dict:
    """Of the defects in row `row_code`, the share in column `col_code` (and the counts behind it)."""
    i, j = result["rows"].index(row_code), result["cols"].index(col_code)
    num, den = result["counts"][i][j], result["row_totals"][i]
    return {"numerator": num, "denominator": den, "share": num / den if den else None}


def frame(result: dict):
    """The counts as a DataFrame with row and column totals, code labels as headings."""
    import pandas as pd

    corner = f"{_field_label(result, 'row')} \\ {_field_label(result, 'col')}"
    rows = [[label, *r, t] for label, r, t in zip(result["row_labels"], result["counts"], result["row_totals"])]
    rows.append(["Total", *result["col_totals"], result["n_pairs"]])
    return pd.DataFrame(rows, columns=[corner, *result["col_labels"], "Total"])


def chi_square_note(result: dict) -> str:
    """The chi-square result (or why there is none) in one sentence."""
    if result["undefined_reason"]:
        return f"Chi-square: undefined ({result['undefined_reason']})."
    return (f"Pearson chi-square = {result['chi2']:.3f}, dof = {result['dof']}, p = {result['p']:.3g}, "
            f"Cramer's V = {result['cramers_v']:.3f}.")


def paper_table(result: dict) -> dict:
    """The table a paper shows (`df`, with `caption`, `notes` and `label`), for `tables.render_table`."""
    notes = [chi_square_note(result)] + ([f"Caution: {result['caution']}"] if result.get("caution") else [])
    return {"df": frame(result), "notes": notes, "label": f"tab:crosstab-{result['row_field']}-{result['col_field']}",
            "caption": f"{_field_label(result, 'row')} x {_field_label(result, 'col')} ({result['source']}; "
                       f"n = {result['n']} defects)"}


def _field_label(result: dict, side: str) -> str:
    """The field's label as people read it (results made before labels were kept: its id)."""
    return result.get(f"{side}_field_label") or result[f"{side}_field"]


def render(result: dict, fmt: str = "json") -> str:
    """The result as JSON, CSV (counts, with totals), LaTeX or Markdown (labelled counts with totals,
    the test below) or an aligned text table (counts and row %)."""
    if fmt == "json":
        return json.dumps(result, indent=2)
    if fmt in ("latex", "markdown"):
        from studyapp.render.tables import render_table

        return render_table(fmt=fmt, **paper_table(result)).rstrip("\n")
    if fmt == "csv":
        buf = io.StringIO()
        w = spreadsheet_safe.writer(buf, lineterminator="\n")
        w.writerow([f"{result['row_field']} \\ {result['col_field']}", *result["cols"], "total"])
        for rid, r, t in zip(result["rows"], result["counts"], result["row_totals"]):
            w.writerow([rid, *r, t])
        w.writerow(["total", *result["col_totals"], result["n_pairs"]])
        return buf.getvalue().rstrip("\n")
    width = max([len(x) for x in result["row_labels"]] + [12])
    cols = [c[:14] for c in result["col_labels"]]
    lines = [f"{result['row_field']} x {result['col_field']} ({result['source']}; n = {result['n']})",
             " " * width + "".join(f"{c:>16}" for c in cols) + f"{'total':>8}"]
    for label, r, pct, t in zip(result["row_labels"], result["counts"], result["row_pct"], result["row_totals"]):
        cells = "".join(f"{c:>7} ({100 * p:4.0f}%)" if p is not None else f"{c:>16}" for c, p in zip(r, pct))
        lines.append(f"{label:<{width}}{cells}{t:>8}")
    lines.append(f"{'total':<{width}}" + "".join(f"{c:>16}" for c in result["col_totals"]) + f"{result['n_pairs']:>8}")
    lines.append(chi_square_note(result))
    if result.get("caution"):
        lines.append(f"Caution: {result['caution']}")
    return "\n".join(lines)

"""`studyapp irr`: inter-rater agreement from rater files, no study needed (like ReCal).

The command only parses options, calls `services.irr_files` and prints; the numbers are those of
`studyapp.stats.summarize`. Machine formats (json, csv, markdown, latex) keep stdout clean: notes
about merged label variants and ignored columns go to stderr.
"""

from __future__ import annotations

import json

import click

from studyapp.cli.app import main, reports_errors
from studyapp.domain.spreadsheet_safe import csv_text
from studyapp.render import tables
from studyapp.services.agreement.irr_files import (
    LEVELS,
    IrrReport,
    irr_from_long_file,
    irr_from_rater_files,
)
from studyapp.stats.bands import KRIPPENDORFF_2004

STAT_KEYS = ("percent_agreement", "cohen_kappa", "fleiss_kappa", "krippendorff_alpha", "gwet_ac1")
FORMATS = ("table", "json", "csv", "markdown", "latex")
BAND_NOTE = (f"band: {KRIPPENDORFF_2004} for alpha: >= .800 reliable, >= .667 tentative conclusions only, "
             "below unreliable")
#: (json key, table header, latex header)
COLUMNS = (("n_units", "units", "Units"), ("n_coders", "coders", "Coders"),
           ("percent_agreement", "agree", "Agree"), ("cohen_kappa", "cohen", r"Cohen $\kappa$"),
           ("fleiss_kappa", "fleiss", r"Fleiss $\kappa$"), ("krippendorff_alpha", "alpha", r"$\alpha$"),
           ("alpha_ci95", "alpha 95% CI", r"95\% CI"), ("gwet_ac1", "AC1", "AC1"), ("alpha_band", "band", "Band"))


@main.command("irr")
@click.argument("files", nargs=-1, type=click.Path())
@click.option("--long", "long_file", type=click.Path(), help="One long file: a row per unit, coder and value.")
@click.option("--key", help="Column that identifies units in every rater file (default: align rows by order).")
@click.option("--fields", help="Comma-separated columns to compare (default: every common column).")
@click.option("--unit", help="Unit column of the --long file (default: unit).")
@click.option("--coder", help="Coder column of the --long file (default: coder).")
@click.option("--value", help="Value column of the --long file (default: value).")
@click.option("--where", "where", multiple=True, metavar="COLUMN=VALUE",
              help="Only the --long file's rows whose COLUMN holds VALUE (repeatable), e.g. --where field=stage.")
@click.option("--multi", metavar="SEP",
              help="Each value is a set of codes separated by SEP (alpha with the MASI distance).")
@click.option("--level", type=click.Choice(LEVELS), default="nominal", show_default=True,
              help="Level of measurement for Krippendorff's alpha.")
@click.option("--normalize", is_flag=True, help="Trim and case-fold labels; report the variants merged.")
@click.option("--missing", multiple=True, metavar="TEXT",
              help="Cell text that means missing, besides empty cells (repeatable), e.g. --missing nan.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True)
@click.option("--n-boot", type=click.IntRange(min=0), default=1000, show_default=True,
              help="Bootstrap resamples for the alpha interval (0: none).")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the bootstrap.")
@reports_errors
def irr_cmd(files, long_file, key, fields, unit, coder, value, where, multi, level, normalize, missing, fmt, n_boot,
            seed) -> None:
    """Agreement between coders from rater FILES (one CSV/XLSX per coder, named by file stem) or --long FILE.

    Prints, per field, percent agreement, Cohen's kappa (two coders), Fleiss' kappa, Krippendorff's
    alpha with a 95% bootstrap interval, Gwet's AC1 and the alpha band.
    """
    common = dict(level=level, normalize=normalize, missing=missing, seed=seed, n_boot=n_boot, multi=multi)
    if long_file:
        if files or key or fields:
            raise click.UsageError("--long takes one file and no FILES, --key or --fields")
        report = irr_from_long_file(long_file, unit=unit or "unit", coder=coder or "coder",
                                    value=value or "value", where=_where(where), **common)
    else:
        if unit or coder or value or where:
            raise click.UsageError("--unit, --coder, --value and --where go with --long FILE")
        if len(files) < 2:
            raise click.UsageError("give two or more rater files (one per coder), or --long FILE")
        field_list = [f.strip() for f in fields.split(",") if f.strip()] if fields else None
        report = irr_from_rater_files(list(files), key=key, fields=field_list, **common)
    click.echo(RENDER[fmt](report), nl=False)
    notes = _notes(report)
    if notes:
        click.echo("\n".join(notes), err=fmt != "table")


def _where(pairs: tuple[str, ...]) -> dict[str, str]:
    out = {}
    for p in pairs:
        col, sep, val = p.partition("=")
        if not sep or not col.strip():
            raise click.BadParameter(f"{p!r}: expected COLUMN=VALUE", param_hint="--where")
        out[col.strip()] = val.strip()
    return out


def _notes(report: IrrReport) -> list[str]:
    lines = list(report.notes)
    for name, groups in report.merged().items():
        for label, variants in groups.items():
            lines.append(f"{name}: merged {', '.join(repr(v) for v in variants)} as {label!r}")
    return lines


def _rows(report: IrrReport) -> list[tuple[str, dict]]:
    return [(name, f.to_json()) for name, f in report.fields.items()]


def _num(v, digits: int = 3) -> str:
    if v is None:
        return "n/a"
    if isinstance(v, list):
        return f"[{v[0]:.{digits}f}, {v[1]:.{digits}f}]"
    if isinstance(v, float):
        return f"{v:.{digits}f}"
    return str(v)


def _cell(row: dict, key: str, digits: int = 3) -> str:
    """A number, `n/a` when undefined (the reason is printed below), `-` when not applicable."""
    if row.get(key) is None and key in STAT_KEYS and key not in row["undefined_reasons"]:
        return "-"
    if key == "alpha_band":
        return row[key] or "-"
    if key == "alpha_ci95" and row[key] is None:
        return "-"  # not computed (--n-boot 0) or alpha undefined
    return _num(row.get(key), digits)


def _reasons(report: IrrReport) -> list[str]:
    return [f"{name}: {row['undefined_reason']}" for name, row in _rows(report) if row["undefined_reason"]]


def render_table(report: IrrReport) -> str:
    head = ["field"] + [h for _, h, _ in COLUMNS]
    body = [[name] + [_cell(row, k) for k, _, _ in COLUMNS] for name, row in _rows(report)]
    widths = [max(len(r[i]) for r in [head] + body) for i in range(len(head))]
    fmt = lambda r: "  ".join(c.ljust(w) if i in (0, len(r) - 1) else c.rjust(w)  # noqa: E731
                              for i, (c, w) in enumerate(zip(r, widths))).rstrip()
    lines = [fmt(head), fmt(["-" * w for w in widths])] + [fmt(r) for r in body]
    lines += ["", f"{len(report.coders)} coders: {', '.join(report.coders)}; {report.n_units} units", BAND_NOTE]
    lines += _reasons(report)
    return "\n".join(lines) + "\n"


def render_json(report: IrrReport) -> str:
    return json.dumps(report.to_json(), indent=2, ensure_ascii=False) + "\n"


def render_csv(report: IrrReport) -> str:
    keys = ["n_units", "n_coders", "percent_agreement", "cohen_kappa", "fleiss_kappa", "krippendorff_alpha",
            "alpha_ci_low", "alpha_ci_high", "gwet_ac1", "alpha_band", "undefined_reason"]
    rows = []
    for name, row in _rows(report):
        ci = row["alpha_ci95"] or [None, None]
        row = {**row, "alpha_ci_low": ci[0], "alpha_ci_high": ci[1]}
        rows.append([name] + ["" if row[k] is None else row[k] for k in keys])
    return csv_text(rows, header=["field"] + keys)


def _frame(report: IrrReport):
    import pandas as pd

    return pd.DataFrame([[name] + [_cell(row, k) for k, _, _ in COLUMNS] for name, row in _rows(report)],
                        columns=["field"] + [h for _, h, _ in COLUMNS])


def render_markdown(report: IrrReport) -> str:
    return tables.to_markdown(_frame(report), align="l" + "r" * (len(COLUMNS) - 1) + "l",
                              notes=[BAND_NOTE + "."] + [f"- {r}" for r in _reasons(report)])


def render_latex(report: IrrReport) -> str:
    return tables.to_latex(_frame(report), align="l" + "r" * (len(COLUMNS) - 1) + "l", float_env=False,
                           headers=["Field"] + [t for _, _, t in COLUMNS], notes=[BAND_NOTE] + _reasons(report))


RENDER = {"table": render_table, "json": render_json, "csv": render_csv, "markdown": render_markdown,
          "latex": render_latex}

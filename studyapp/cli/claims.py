"""Claim commands: validate claims on a dataset, turnover of snapshot files, claims.yaml in and out."""

from __future__ import annotations

import json
import sys
import zipfile
from pathlib import Path

import click

from studyapp.cli.app import by_option, main, reports_errors
from studyapp.errors import InvalidInput
from studyapp.services.claims import claims_file as claims_service
from studyapp.services.claims import report as claim_report
from studyapp.services.claims import validation
from studyapp.services.claims.report import COLUMNS
from studyapp.services.claims.turnover import turnover_report, turnover_table
from studyapp.store import Store


def render(records: list[dict], fmt: str) -> str:
    """Validation records as json, markdown, latex, csv (`services.claim_report`) or an aligned text table."""
    if fmt != "table":
        return claim_report.render_records(records, fmt)
    rows = [[claim_report.cell(r[c]) for c in COLUMNS] for r in records]
    widths = [max(len(c), *(len(r[i]) for r in rows)) if rows else len(c) for i, c in enumerate(COLUMNS[:-1])]
    line = lambda cells: "  ".join(x.ljust(w) for x, w in zip(cells, widths))  # noqa: E731
    out = [line(COLUMNS[:-1])]
    for r in rows:
        out += [line(r[:-1]), f"    {r[-1]}"]
    return "\n".join(out)


def _progress(done: int, total: int, what: str) -> None:
    click.echo(f"[{done}/{total}] {what}", err=True)


@main.command("validate")
@click.argument("folder", required=False, type=click.Path(file_okay=False))
@click.option("--dataset", type=click.Path(dir_okay=False), help="The dataset file (default: the study's).")
@click.option("--claims", "claims_file", type=click.Path(dir_okay=False), help="A claims.yaml (default: the study's claims).")
@click.option("--format", "fmt", type=click.Choice(["json", "markdown", "latex", "csv", "table"]), default="table",
              show_default=True, help="markdown/latex/csv: the evidence table, one row per claim.")
@click.option("--claim", "ids", multiple=True, help="Validate only this claim (repeatable).")
@click.option("--no-record", is_flag=True, help="Do not record the outcomes in the study.")
@reports_errors
def validate_cmd(folder: str | None, dataset: str | None, claims_file: str | None, fmt: str, ids: tuple[str, ...],
                 no_record: bool) -> None:
    """Validate the claims of the study in FOLDER (or of --claims) on --dataset; print one record per claim."""
    progress = _progress if sys.stderr.isatty() else None
    if folder is None and Store.exists("."):
        folder = "."
    if folder is not None:
        with Store.open(folder) as store:
            out = validation.validate_study(store, dataset=dataset, claims_file=claims_file, progress=progress,
                                            record=not no_record, actor="cli", ids=ids or None)
    elif claims_file:
        cf = claims_service.read_claims_file(claims_file)
        claims = [c for c in cf.claims if not ids or c["id"] in ids]
        out = validation.validate(claims, dataset=dataset or validation._dataset_path(cf.dataset, cf.path.parent),
                                  base=cf.path.parent, progress=progress)
    else:
        raise InvalidInput("give a study FOLDER or --claims FILE")
    click.echo(render([o.to_json() for o in out], fmt))


@main.command("turnover")
@click.argument("snapshots", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--top", "k", default=1000, show_default=True, help="Size of the top list (k).")
@click.option("--format", "fmt", type=click.Choice(["json", "table"]), default="table", show_default=True)
@reports_errors
def turnover_cmd(snapshots: tuple[str, ...], k: int, fmt: str) -> None:
    """Turnover of the top-K across SNAPSHOT files (CSV name,downloads; one per date, oldest first)."""
    try:
        report = turnover_report(list(snapshots), k=k)
    except (zipfile.BadZipFile, EOFError) as e:  # a .zip/.gz snapshot is read as a compressed CSV
        raise InvalidInput(f"a snapshot file is not a readable compressed CSV: {e}") from None
    click.echo(json.dumps(report, indent=2) if fmt == "json" else turnover_table(report))


@main.group("claims")
def claims_group() -> None:
    """A study's claims and their links (claims.yaml, see docs/claims.md)."""


@claims_group.command("import")
@click.argument("folder", type=click.Path(file_okay=False))
@click.argument("file", type=click.Path(dir_okay=False))
@by_option
@reports_errors
def import_cmd(folder: str, file: str, actor: str) -> None:
    """Add or update the claims of claims.yaml FILE in the study in FOLDER (all or nothing)."""
    with Store.open(folder) as store:
        n = claims_service.import_claims(store, file, actor=actor)
    click.echo(f"imported {n} claim(s) from {file}")


@claims_group.command("export")
@click.argument("folder", type=click.Path(file_okay=False))
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write to this file (default: stdout).")
@reports_errors
def export_cmd(folder: str, output: str | None) -> None:
    """Write the study's claims as claims.yaml."""
    with Store.open(folder) as store:
        text = claims_service.export_claims(store)
    if output:
        Path(output).write_text(text, encoding="utf-8")
        click.echo(f"wrote {output}")
    else:
        click.echo(text, nl=False)


@claims_group.command("list")
@click.argument("folder", type=click.Path(file_okay=False))
@reports_errors
def list_cmd(folder: str) -> None:
    """The study's claims with their last verdict (`id<TAB>verdict<TAB>text`)."""
    with Store.open(folder) as store:
        table = validation.evidence_table(store)
    for r in table.to_dict("records"):
        click.echo(f"{r['claim']}\t{r['verdict']}{' (stale)' if r['stale'] else ''}\t{r['text']}")

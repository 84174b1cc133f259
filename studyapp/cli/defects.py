"""Defect commands: import defects and labels, cross-tabulate fields, distributions, the workflow view."""

from __future__ import annotations

import json

import click

from studyapp.cli.app import by_option, import_group, main, reports_errors
from studyapp.errors import InvalidInput
from studyapp.store import Store


def _pairs(values: tuple[str, ...], what: str) -> dict[str, str]:
    out = {}
    for v in values:
        left, sep, right = v.rpartition("=")
        if not sep or not left.strip() or not right.strip():
            raise InvalidInput(f"{what} must look like COLUMN={what.split('=')[-1]}, got {v!r}")
        out[left.strip()] = right.strip()
    return out


@import_group.command("defects")
@click.argument("folder", type=click.Path(file_okay=False))
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("--column", "columns", multiple=True, metavar="COLUMN=ROLE",
              help="Which column holds what (roles: key url title body number repo owner name state labels "
                   "created_at closed_at author attr). Repeatable; detected from the header otherwise.")
@click.option("--repo", metavar="OWNER/NAME", help="Repository of issues whose file does not name it.")
@click.option("--strict", is_flag=True, help="Refuse the whole import if any issue or row cannot be read.")
@by_option
@reports_errors
def import_defects_cmd(folder: str, files: tuple[str, ...], columns: tuple[str, ...], repo: str | None,
                       strict: bool, actor: str) -> None:
    """Import defects from CSV/XLSX tables or GitHub issue JSON (REST, `gh api --paginate`, `gh issue
    list --json`, GraphQL) into the study in FOLDER, in one transaction."""
    from studyapp.services.defects.imports import import_defects

    with Store.open(folder) as store:
        rep = import_defects(store, files, columns=_pairs(columns, "--column COLUMN=ROLE"), repo=repo, actor=actor,
                             strict=strict)
    for f in rep.files:
        click.echo(f"{f.file}: {f.read} read, {f.imported} imported, {f.duplicates} merged as duplicate "
                   f"(already in the study), {len(f.rejected)} rejected ({f.issues} issues)")
        for x in f.rejected:
            click.echo(f"  rejected: record {x['record']}" + (f" (line {x['line']})" if x.get("line") else "")
                       + f": {x['reason']}")
        for n in f.notes:
            click.echo(f"  note: {n}")
        if f.columns:
            click.echo("  columns: " + ", ".join(f"{role}={col}" for role, col in f.columns.items()))
        if f.not_imported_columns:
            click.echo("  not imported: " + ", ".join(f.not_imported_columns))


@import_group.command("labels")
@click.argument("folder", type=click.Path(file_okay=False))
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--coder", required=True, help="Whose labels these are (an existing coder).")
@click.option("--codebook", required=True, help="The codebook id the labels belong to.")
@click.option("--key", help="The column that names the unit: unit key, issue URL, owner/repo#N or issue number.")
@click.option("--round", "round_", help="The round to file the labels under (created if needed; default: the codebook's active round).")
@click.option("--add-unknown", is_flag=True, help="Add values that match no code as codes of a new codebook version.")
@click.option("--map", "map_file", type=click.Path(exists=True, dir_okay=False),
              help="A reviewed mapping file (YAML: columns -> fields, spellings -> codes).")
@click.option("--column", "columns", multiple=True, metavar="COLUMN=FIELD", help="Read COLUMN as FIELD (repeatable).")
@by_option
@reports_errors
def import_labels_cmd(folder: str, file: str, coder: str, codebook: str, key: str | None, round_: str | None,
                      add_unknown: bool, map_file: str | None, columns: tuple[str, ...], actor: str) -> None:
    """Import a spreadsheet of labels (one row per unit) as CODER's annotations."""
    from studyapp.services.coding.labels import import_labels

    with Store.open(folder) as store:
        rep = import_labels(store, file, coder=coder, codebook=codebook, key=key, round=round_,
                            add_unknown=add_unknown, map_file=map_file,
                            columns=_pairs(columns, "--column COLUMN=FIELD"), actor=actor)
    click.echo(f"{rep.file}: {rep.rows} rows -> {rep.units} units, {rep.written} values written for {rep.coder} "
               f"in round {rep.round} (key column {rep.key_column!r})")
    click.echo("  fields: " + ", ".join(f"{c}={f}" for c, f in rep.columns.items()))
    if rep.not_imported_columns:
        click.echo("  not imported: " + ", ".join(rep.not_imported_columns))
    for fid, codes in rep.added_codes.items():
        click.echo(f"  new codes in {fid} (codebook version {rep.codebook_version}): {', '.join(codes)}")
    if rep.only_this_coder or rep.only_other_coders:
        click.echo(f"  warning: in round {rep.round}, units only {rep.coder} coded: "
                   f"{', '.join(rep.only_this_coder) or '-'}; units only other coders coded: "
                   f"{', '.join(rep.only_other_coders) or '-'} (check the rows line up)", err=True)


def _source_options(fn):
    fn = click.option("--round", "rounds", multiple=True, help="Only these rounds (repeatable).")(fn)
    fn = click.option("--final", is_flag=True, help="Use the adjudicated (final) values.")(fn)
    fn = click.option("--coder", help="Use this coder's labels.")(fn)
    fn = click.option("--codebook", help="The defect codebook (default: the study's only one).")(fn)
    return fn


@main.command("crosstab")
@click.argument("folder", type=click.Path(file_okay=False))
@click.option("--rows", "row_field", required=True, help="Field for the rows.")
@click.option("--cols", "col_field", required=True, help="Field for the columns.")
@click.option("--level", type=int, help="Read hierarchical fields at this tree level (1 = top).")
@click.option("--format", "fmt", type=click.Choice(["json", "csv", "table", "latex", "markdown"]), default="json",
              show_default=True,
              help="latex: a booktabs table; markdown: a pipe table (counts with totals, the test below).")
@_source_options
@reports_errors
def crosstab_cmd(folder, row_field, col_field, level, fmt, codebook, coder, final, rounds) -> None:
    """Cross-tabulate two fields: counts, row/column shares, chi-square and Cramer's V."""
    from studyapp.services.defects.crosstab import crosstab, render

    with Store.open(folder) as store:
        result = crosstab(store, row_field, col_field, codebook=codebook, coder=coder, final=final,
                          rounds=rounds or None, level=level)
    click.echo(render(result, fmt))


@main.group("defects")
def defects_group() -> None:
    """Analyse labelled defects: distributions and the reengineering workflow."""


@defects_group.command("distribution")
@click.argument("folder", type=click.Path(file_okay=False))
@click.argument("field")
@click.option("--level", type=int, help="Read a hierarchical field at this tree level (1 = top).")
@click.option("--format", "fmt", type=click.Choice(["json", "table"]), default="table", show_default=True)
@_source_options
@reports_errors
def distribution_cmd(folder, field, level, fmt, codebook, coder, final, rounds) -> None:
    """How the defects spread over the codes of FIELD (counts and shares)."""
    from studyapp.services.defects.analysis import distribution

    with Store.open(folder) as store:
        d = distribution(store, field, codebook=codebook, coder=coder, final=final, rounds=rounds or None,
                         level=level)
    if fmt == "json":
        click.echo(json.dumps(d, indent=2))
        return
    click.echo(f"{d['label']} ({d['source']}): {d['n']} defects")
    for r in d["rows"]:
        click.echo(f"  {r['label']:<40} {r['count']:>5}  {100 * r['share']:5.1f}%")


@defects_group.command("workflow")
@click.argument("folder", type=click.Path(file_okay=False))
@click.option("--interview-codebook", default="ptm-reuse-interviews", show_default=True,
              help="The interview codebook with the workflow_stage field.")
@click.option("--format", "fmt", type=click.Choice(["json", "dot", "table"]), default="table", show_default=True)
@_source_options
@reports_errors
def workflow_cmd(folder, interview_codebook, fmt, codebook, coder, final, rounds) -> None:
    """The reengineering workflow: defects per stage with manifestations, interview codes beside."""
    from studyapp.services.defects.workflow import (
        workflow_dot,
        workflow_table,
        workflow_view,
    )

    with Store.open(folder) as store:
        view = workflow_view(store, codebook=codebook, coder=coder, final=final, rounds=rounds or None,
                             interview_codebook=interview_codebook)
    click.echo(json.dumps(view, indent=2) if fmt == "json" else workflow_dot(view) if fmt == "dot"
               else workflow_table(view))


@defects_group.command("add")
@click.argument("folder", type=click.Path(file_okay=False))
@click.argument("key")
@reports_errors
def add_defect_cmd(folder: str, key: str) -> None:
    """Add another defect to the issue of the defect KEY (one issue, several defects)."""
    from studyapp.errors import NotFound
    from studyapp.services.defects.imports import add_defect

    with Store.open(folder) as store:
        unit = store.units.by_key("defect", key)
        if unit is None:
            raise NotFound(f"no defect with key {key!r}")
        new = store.units.require(add_defect(store, unit["id"], actor="cli"))
    click.echo(f"added defect {new['key']}")

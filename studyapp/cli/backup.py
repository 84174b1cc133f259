"""Data-safety commands: backup, export, import-study, history."""

from __future__ import annotations

import json
from pathlib import Path

import click

from studyapp.cli.app import main, reports_errors
from studyapp.store import Store


@main.command("backup")
@click.argument("folder", type=click.Path(file_okay=False))
@click.argument("out", type=click.Path())
@reports_errors
def backup_cmd(folder: str, out: str) -> None:
    """Copy the study in FOLDER to OUT (a file, or a folder to put a timestamped file in) with SQLite's
    online backup, safe while the app runs; the copy is checked with PRAGMA integrity_check."""
    from studyapp.services.study.backup import backup_study

    r = backup_study(folder, out)
    click.echo(f"backed up {folder} to {r.path} ({r.bytes:,} bytes, {r.history_entries:,} history entries,"
               f" integrity ok, {r.seconds:.2f} s)")


@main.command("export")
@click.argument("folder", type=click.Path(file_okay=False))
@click.argument("out", type=click.Path(dir_okay=False))
@click.option("--force", is_flag=True, help="Replace OUT if it exists.")
@click.option("--by", "actor", metavar="NAME", help="Who exports (recorded in the archive); only a lead may.")
@reports_errors
def export_cmd(folder: str, out: str, force: bool, actor: str | None) -> None:
    """Export the study in FOLDER to OUT, in the format OUT's suffix names (.zip: the whole study,
    for `studyapp import-study`)."""
    from studyapp.services.publish.exports import export

    with Store.open(folder) as store:
        r = export(store, Path(out), force=force, actor=actor)
    tables = getattr(r, "tables", None)
    extra = f" ({len(tables)} tables, {sum(tables.values()):,} rows)" if isinstance(tables, dict) else ""
    click.echo(f"exported {folder} to {out}{extra}")


@main.command("import-study")
@click.argument("archive", type=click.Path(dir_okay=False))
@click.argument("new_folder", type=click.Path(file_okay=False))
@reports_errors
def import_study_cmd(archive: str, new_folder: str) -> None:
    """Make a new study in NEW_FOLDER from ARCHIVE (a zip from `studyapp export`). Refuses a damaged or
    altered archive, one from a newer studyapp, and an existing study or non-empty folder."""
    from studyapp.services.study.archive import import_study

    r = import_study(archive, new_folder)
    up = f"; upgraded with {', '.join(r.upgraded_with)}" if r.upgraded_with else ""
    click.echo(f"imported {r.title!r} into {r.path} ({len(r.tables)} tables,"
               f" {sum(r.tables.values()):,} rows{up})")


@main.command("history")
@click.argument("folder", type=click.Path(file_okay=False), default=".")
@click.option("--unit", "unit", metavar="KIND:KEY", help="Only this unit (e.g. defect:D1, or a unit id).")
@click.option("--limit", type=int, default=50, show_default=True, help="Newest N changes (0: all).")
@click.option("--as", "viewer", metavar="CODER",
              help="Show what CODER may see: other coders' values stay hidden until reconciliation.")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@reports_errors
def history_cmd(folder: str, unit: str | None, limit: int, viewer: str | None, fmt: str) -> None:
    """The audit trail of the study in FOLDER, newest first: who, when, what, old and new value."""
    from studyapp.services.study.history import (
        parse_unit_ref,
        study_history,
        unit_history,
    )

    with Store.open(folder) as store:
        if viewer:
            store.coders.require(viewer)
        if unit:
            rows = unit_history(store, parse_unit_ref(store, unit), viewer, limit=limit or None,
                                unblinded=viewer is None)
        else:
            rows = study_history(store, viewer, limit=limit or None, unblinded=viewer is None)
    if fmt == "json":
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False, default=str))
        return
    for r in rows:
        where = f" [{r['unit']}]" if r["unit"] and not unit else ""
        change = f": {r['old_text'] or '-'} -> {r['new_text'] or '-'}" if (r["old_text"] or r["new_text"]) else ""
        click.echo(f"{r['at'][:19].replace('T', ' ')}  {r['who'] or '-'}  {r['action']}{where}"
                   f"  {r['what']}{change}".rstrip())
    if not rows:
        click.echo("no changes recorded" + (f" for {unit}" if unit else ""))

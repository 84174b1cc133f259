"""Interchange commands: `studyapp import qdpx` brings a REFI-QDA project (or `.qdc` codebook) in.

Exports go through `studyapp export DIR OUT.qdpx|OUT.qdc` (studyapp/cli/backup.py), which picks the
format by suffix. Warnings (cut selections, skipped sources) go to stderr, the summary to stdout.
"""

from __future__ import annotations

from pathlib import Path

import click

from studyapp.cli.app import import_group, reports_errors
from studyapp.domain.roles import Role
from studyapp.errors import PermissionDenied
from studyapp.store import Store


def _lead(store: Store, by: str | None) -> str:
    """`--by`, else the study's only lead: an import carries every coder's codes, so a lead imports."""
    if by:
        return by
    leads = [c["name"] for c in store.coders.list() if Role.of_coder(c).is_lead]
    if len(leads) != 1:
        raise PermissionDenied("only a lead can import a REFI-QDA project: pass --by NAME"
                               + (f" (one of {', '.join(leads)})" if leads else " (the study has no lead yet)"))
    return leads[0]


@import_group.command("qdpx")
@click.argument("folder", type=click.Path(file_okay=False))
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--by", "by", metavar="NAME", help="The lead who imports (default: the study's only lead).")
@click.option("--codebook", metavar="ID", help="Id of the codebook made from a project's codes "
              "(default: refi-<project name>).")
@click.option("--coder", "default_coder", metavar="NAME",
              help="Who made codings the project attributes to no user (default: the --by lead).")
@reports_errors
def import_qdpx_cmd(folder: str, file: str, by: str | None, codebook: str | None, default_coder: str | None) -> None:
    """Import a REFI-QDA project FILE (.qdpx, or a .qde with sources/ beside it) into the study in
    FOLDER: users become coders, the code tree a codebook, text sources transcripts with segments,
    coded selections quote spans and segment codes, notes memos, sets sets; every GUID is kept for
    the export back. A .qdc FILE adds only its codebook (and code groups). One transaction: a bad
    file changes nothing."""
    from studyapp.interop.refi_import import import_qdc, import_qdpx

    with Store.open(folder) as store:
        actor = _lead(store, by)
        if Path(file).suffix.lower() == ".qdc":
            r = import_qdc(store, file, actor=actor, codebook=codebook)
        else:
            r = import_qdpx(store, file, actor=actor, codebook=codebook, default_coder=default_coder)
    books = ", ".join(f"{cid} (version {vid}{', new' if new else ', unchanged'})" for cid, vid, new in r.codebooks)
    sets = f", {r.sets} set(s)" if r.sets else ""
    if not r.transcripts:
        click.echo(f"codebook {books}{sets}")
        for w in r.warnings:
            click.echo(f"note: {w}", err=True)
        return
    how = "lossless (studyapp export)" if r.lossless else "mapped from another tool's project"
    click.echo(f"imported {len(r.transcripts)} transcript(s), {r.segments} segments, {r.spans} spans, "
               f"{r.annotations} segment codings, {r.memos} memos{sets}; {how}")
    click.echo(f"codebook: {books or 'none'}; coders: {', '.join(r.coders) or 'none'}"
               + (f" (new: {', '.join(r.new_coders)})" if r.new_coders else ""))
    for w in r.warnings:
        click.echo(f"note: {w}", err=True)

"""SLR commands: import papers, duplicates, screening (decide, queue, conflicts, resolve, simulate),
extraction, claims, snowballing, the PRISMA diagram and the exports. Each is a few lines over a
service function in studyapp/services (papers_import, dedup, screening, screening_model,
extraction, paper_claims, prisma, paper_exports)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from studyapp.cli.app import import_group, main, reports_errors
from studyapp.errors import InvalidInput, NotFound
from studyapp.store import Store

STAGE = click.Choice(["ta", "ft"])


def _unit(store: Store, key: str) -> int:
    u = store.units.by_key("paper", key)
    if u is None:
        raise NotFound(f"no paper with key {key!r}")
    return u["id"]


def _report(reports) -> None:
    for r in reports:
        click.echo(f"{r.file} ({r.source}, {r.format}): {r.read} read, {r.imported} imported, {r.duplicates} merged "
                   f"as duplicate, {len(r.rejected)} rejected")
        for n in r.notes:
            click.echo(f"  note: {n}")
        for d in r.duplicate_of:
            click.echo(f"  duplicate: record {d['record']} ({d['key']}) of {d['primary']} by {d['method']}")
        for x in r.rejected:
            click.echo(f"  rejected: record {x['record']}" + (f" (line {x['line']})" if x.get("line") else "")
                       + f": {x['reason']}")


@import_group.command("papers")
@click.argument("folder", type=click.Path(file_okay=False))
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("--source", help="The database the files come from (default: detected, e.g. Scopus, or the file name).")
@click.option("--search-string", help="The search string that produced the files (kept with every record).")
@click.option("--no-dedup", is_flag=True, help="Do not look for duplicates while importing.")
@click.option("--keep-keys", is_flag=True, help="Use the files' own record ids as paper keys (BibTeX keys always are).")
@click.option("--strict", is_flag=True, help="Refuse the whole import if any record cannot be read or has no title.")
@click.option("--by", "actor", default="cli", show_default=True, help="Who imports (for the history).")
@reports_errors
def import_papers_cmd(folder, files, source, search_string, no_dedup, keep_keys, strict, actor) -> None:
    """Import search results (BibTeX, RIS, Web of Science, PubMed/MEDLINE, CSV/TSV exports; the format
    is detected from the content) into the study in FOLDER, in one transaction."""
    from studyapp.services.papers.imports import import_papers

    with Store.open(folder) as store:
        _report(import_papers(store, list(files), source=source, search_string=search_string, actor=actor,
                              dedup=not no_dedup, keep_keys=keep_keys, strict=strict))


@main.group("papers")
def papers_group() -> None:
    """Papers of an SLR: duplicates, extraction, claims, snowballing, exports."""


@papers_group.command("duplicates")
@click.argument("folder", type=click.Path(file_okay=False))
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@reports_errors
def duplicates_cmd(folder, fmt) -> None:
    """List each primary paper with the records linked to it as duplicates."""
    from studyapp.services.papers.dedup import duplicate_groups

    with Store.open(folder) as store:
        groups = duplicate_groups(store)
    if fmt == "json":
        click.echo(json.dumps(groups, indent=2))
        return
    for g in groups:
        click.echo(f"{g['primary_key']} [{g['source']}] {g['title']}")
        for d in g["duplicates"]:
            score = f" ({d['score']:.0f})" if d.get("score") is not None else ""
            click.echo(f"  = {d['key']} [{d['source']}] by {d['method']}{score}"
                       + (f", linked by {d['linked_by']}" if d.get("linked_by") else ""))


@papers_group.command("dedup")
@click.argument("folder", type=click.Path(file_okay=False))
@click.option("--threshold", type=float, default=95.0, show_default=True, help="Title similarity (0-100) for a match.")
@click.option("--by", "actor", default="cli", show_default=True)
@reports_errors
def dedup_cmd(folder, threshold, actor) -> None:
    """Look again for duplicates among all papers (splits made by reviewers are respected)."""
    from studyapp.services.papers.dedup import dedup_study

    with Store.open(folder) as store:
        click.echo(f"{dedup_study(store, threshold=threshold, actor=actor)} new duplicate link(s)")


@papers_group.command("split")
@click.argument("folder", type=click.Path(file_okay=False))
@click.argument("key")
@click.option("--by", "actor", required=True, help="Who splits (for the history).")
@reports_errors
def split_cmd(folder, key, actor) -> None:
    """Undo a wrong merge: paper KEY is no longer a duplicate (and will not be linked again)."""
    from studyapp.services.papers.dedup import split_duplicate

    with Store.open(folder) as store:
        click.echo(f"{key} is no longer a duplicate of {split_duplicate(store, key, actor=actor)}")


@papers_group.command("link")
@click.argument("folder", type=click.Path(file_okay=False))
@click.argument("key")
@click.argument("primary")
@click.option("--by", "actor", required=True, help="Who links (for the history).")
@reports_errors
def link_cmd(folder, key, primary, actor) -> None:
    """Mark paper KEY as a duplicate of paper PRIMARY (a duplicate the automatic rules missed)."""
    from studyapp.services.papers.dedup import link_duplicate

    with Store.open(folder) as store:
        link_duplicate(store, key, primary, actor=actor)
    click.echo(f"{key} is now a duplicate of {primary}")


@papers_group.command("extract")
@click.argument("folder", type=click.Path(file_okay=False))
@click.argument("key")
@click.option("--coder", required=True)
@click.option("--set", "values", multiple=True, metavar="FIELD=VALUE",
              help="A form value (multi fields: codes separated by ';'; empty clears). Repeatable.")
@reports_errors
def extract_cmd(folder, key, coder, values) -> None:
    """Fill (part of) CODER's extraction form for included paper KEY."""
    from studyapp.services.papers.extraction import save

    pairs = {}
    for v in values:
        field, sep, value = v.partition("=")
        if not sep or not field.strip():
            raise InvalidInput(f"--set must look like FIELD=VALUE, got {v!r}")
        pairs[field.strip()] = value
    with Store.open(folder) as store:
        click.echo(f"{save(store, _unit(store, key), coder, pairs)} change(s)")


@papers_group.command("claim")
@click.argument("folder", type=click.Path(file_okay=False))
@click.argument("key")
@click.option("--text", required=True, help="The claim, in one sentence.")
@click.option("--quote", required=True, help="The passage of the paper that makes the claim.")
@click.option("--page", default="", help="Where the quote is (page or section).")
@click.option("--type", "type_", type=click.Choice(["qualitative", "quantitative"]), default="qualitative",
              show_default=True)
@click.option("--validated", is_flag=True, help="The paper backs the claim with quantitative data.")
@click.option("--to", "claim_id", help="Add this paper as another source of an existing claim instead.")
@click.option("--by", "actor", required=True, help="Who extracts the claim.")
@reports_errors
def claim_cmd(folder, key, text, quote, page, type_, validated, claim_id, actor) -> None:
    """Record a claim paper KEY makes, with its supporting quote and page."""
    from studyapp.services.papers import claims as paper_claims

    with Store.open(folder) as store:
        if claim_id:
            paper_claims.add_source(store, claim_id, unit_key=key, quote=quote, page=page, actor=actor)
            click.echo(f"{key} added to claim {claim_id}")
            return
        cid = paper_claims.add_claim(store, text=text, unit_key=key, quote=quote, page=page, type=type_,
                                     validated=validated, actor=actor)
    click.echo(f"claim {cid}")


@papers_group.command("merge-claims")
@click.argument("folder", type=click.Path(file_okay=False))
@click.argument("claim_ids", nargs=-1, required=True)
@click.option("--text", required=True, help="The merged claim's text.")
@click.option("--by", "actor", required=True)
@reports_errors
def merge_claims_cmd(folder, claim_ids, text, actor) -> None:
    """Merge CLAIM_IDS into one claim with all their sources (the merged ones are kept, marked)."""
    from studyapp.services.papers.claims import merge_claims

    with Store.open(folder) as store:
        click.echo(f"claim {merge_claims(store, list(claim_ids), text=text, actor=actor)}")


@papers_group.command("claims")
@click.argument("folder", type=click.Path(file_okay=False))
@click.option("--paper", "key", help="Only claims with this paper as a source.")
@click.option("--all", "include_merged", is_flag=True, help="Also list claims merged into others.")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@reports_errors
def claims_cmd(folder, key, include_merged, fmt) -> None:
    """List the claims extracted from papers, with their sources."""
    from studyapp.services.papers.claims import paper_claims

    with Store.open(folder) as store:
        rows = paper_claims(store, unit_key=key, include_merged=include_merged)
    if fmt == "json":
        click.echo(json.dumps(rows, indent=2))
        return
    for c in rows:
        flag = " [validated quantitatively]" if c["validated_quantitatively"] else ""
        click.echo(f"{c['id']} ({c['type']}){flag}: {c['text']}")
        for s in c["sources"]:
            click.echo(f"  {s['unit_key']} p. {s['page'] or '?'}: \"{s['quote']}\"")


@papers_group.command("snowball")
@click.argument("folder", type=click.Path(file_okay=False))
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("--from", "from_key", required=True, help="The paper whose references (or citations) these are.")
@click.option("--direction", type=click.Choice(["backward", "forward"]), required=True)
@click.option("--round", "round_id", type=int, help="Snowballing round (default: start a new one).")
@click.option("--by", "actor", required=True)
@reports_errors
def snowball_cmd(folder, files, from_key, direction, round_id, actor) -> None:
    """Add records found by snowballing from paper --from (reference or citation lists in any paper format)."""
    from studyapp.services.papers.imports import snowball_files, start_snowball_round

    with Store.open(folder) as store:
        with store.transaction():
            rid = round_id or start_snowball_round(store, direction, actor=actor)
            reports = snowball_files(store, rid, from_key, direction, list(files), actor=actor)
    click.echo(f"snowballing round {rid}")
    _report(reports)


@papers_group.command("export")
@click.argument("folder", type=click.Path(file_okay=False))
@click.argument("what", type=click.Choice(["bibtex", "csv", "screening-csv", "extraction-csv", "extraction-xlsx"]))
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="File to write (default: standard output).")
@click.option("--as", "viewer", help="Whose extraction values may be shown (others' only once reconciliation is open).")
@reports_errors
def export_cmd(folder, what, output, viewer) -> None:
    """Export included papers (bibtex, csv), screening outcomes, or the extraction table (csv, xlsx)."""
    from studyapp.services.papers.exports import export

    with Store.open(folder) as store:
        content, _, _ = export(store, what, viewer)
    _write(content, output)


def _write(content, output) -> None:
    data = content.encode("utf-8") if isinstance(content, str) else content
    if output:
        Path(output).write_bytes(data)
        click.echo(f"wrote {output}", err=True)
    elif isinstance(content, bytes):
        sys.stdout.buffer.write(data)
    else:
        click.echo(content, nl=False)


@main.command("prisma")
@click.argument("folder", type=click.Path(file_okay=False))
@click.option("--format", "fmt", type=click.Choice(["svg", "png", "json"]), default="json", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="File to write (default: standard output).")
@reports_errors
def prisma_cmd(folder, fmt, output) -> None:
    """The PRISMA 2020 flow diagram of the study in FOLDER, from its own records and decisions."""
    from studyapp.services.papers.prisma import prisma

    with Store.open(folder) as store:
        out = prisma(store, fmt)
    _write(json.dumps(out, indent=2) + "\n" if fmt == "json" else out, output)

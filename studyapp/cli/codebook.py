"""Codebook commands: validate files, add a codebook to a study, list a study's codebooks."""

from __future__ import annotations

import sys

import click

from studyapp.cli.app import by_option, main, reports_errors
from studyapp.domain.codebook_yaml import validate_files
from studyapp.services.coding import rounds
from studyapp.services.coding.codebooks import add_code, add_codebook, get_codebook, list_codebooks, set_keywords
from studyapp.store import Store


@main.group("codebook")
def codebook_group() -> None:
    """Validate and manage YAML codebooks."""


@codebook_group.command("validate")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
def validate_cmd(files: tuple[str, ...]) -> None:
    """Check codebook FILES; print `file:line: reason` for each broken one and exit 1 if any is."""
    bad = 0
    for path, cb, err in validate_files(list(files)):
        if err:
            bad += 1
            click.echo(str(err), err=True)
        else:
            n_codes = sum(len(f.all_codes()) for f in cb.fields)
            click.echo(f"{path}: ok ({cb.id} v{cb.version}, {len(cb.fields)} fields, {n_codes} codes)")
    sys.exit(1 if bad else 0)


@codebook_group.command("add")
@click.argument("folder", type=click.Path(file_okay=False))
@click.argument("file", type=click.Path(dir_okay=False))
@by_option
@reports_errors
def add_cmd(folder: str, file: str, actor: str) -> None:
    """Add codebook FILE to the study in FOLDER (a changed file becomes a new version)."""
    with Store.open(folder) as store:
        cb, vid, is_new = add_codebook(store, file, actor=actor)
        n = len(store.codebooks.versions(cb.id))
    if not is_new:
        click.echo(f"{cb.id} v{cb.version}: unchanged (the study already holds this text)")
    elif n == 1:
        click.echo(f"{cb.id} v{cb.version}: added to the study")
    else:
        click.echo(f"{cb.id} v{cb.version}: stored as a new version ({n} versions of {cb.id} in the study;"
                   " earlier codings keep the version they were made with)")


@codebook_group.command("list")
@click.argument("folder", type=click.Path(file_okay=False))
@reports_errors
def list_cmd(folder: str) -> None:
    """List the codebooks of the study in FOLDER with their versions."""
    with Store.open(folder) as store:
        for cb in list_codebooks(store):
            n = len(store.codebooks.versions(cb.id))
            click.echo(f"{cb.id}\tv{cb.version}\t{cb.kind}\t{n} stored version(s)\t{cb.title}")


@codebook_group.command("keywords")
@click.argument("folder", type=click.Path(file_okay=False))
@click.argument("codebook")
@click.option("--include", "add_include", multiple=True, help="A term to mark green (repeatable; `word*` for a prefix).")
@click.option("--exclude", "add_exclude", multiple=True, help="A term to mark red (repeatable).")
@click.option("--remove", multiple=True, help="A term to take off either list (repeatable).")
@by_option
@reports_errors
def keywords_cmd(folder: str, codebook: str, add_include: tuple[str, ...], add_exclude: tuple[str, ...],
                 remove: tuple[str, ...], actor: str) -> None:
    """Show or change the keywords CODEBOOK highlights while screening (a change is a new version)."""
    with Store.open(folder) as store:
        if add_include or add_exclude or remove:
            cb, vid = set_keywords(store, codebook, add_include=list(add_include), add_exclude=list(add_exclude),
                                   remove=list(remove), actor=actor)
        else:
            cb, vid = get_codebook(store, codebook), None
    if vid is not None:
        click.echo(f"{cb.id} v{cb.version}: keywords stored as a new version")
    click.echo("include: " + (", ".join(cb.keywords.include) or "(none)"))
    click.echo("exclude: " + (", ".join(cb.keywords.exclude) or "(none)"))


@codebook_group.command("add-code")
@click.argument("folder", type=click.Path(file_okay=False))
@click.argument("codebook")
@click.argument("field")
@click.argument("label")
@click.option("--parent", default=None, help="The id of the code to put the new one under (default: top level).")
@click.option("--id", "code_id", default=None, help="The new code's id (default: from the label).")
@click.option("--definition", default="", help="What the code means.")
@by_option
@reports_errors
def add_code_cmd(folder: str, codebook: str, field: str, label: str, parent: str | None, code_id: str | None,
                 definition: str, actor: str) -> None:
    """Add a code LABEL to FIELD of CODEBOOK (a lead): a new codebook version, recorded in the history."""
    with Store.open(folder) as store:
        cb, vid, cid = add_code(store, codebook, field, label, parent=parent, code_id=code_id,
                                definition=definition, actor=actor, where="using the command line")
    click.echo(f"{cb.id} v{cb.version}: code {cid!r} ({label}) added to {field}"
               + (f" under {parent!r}" if parent else "") + "; earlier codings keep the version they were made with")


@main.group("round")
def round_group() -> None:
    """Coding rounds: which codebooks each serves, and each codebook's active round."""


@round_group.command("add")
@click.argument("folder", type=click.Path(file_okay=False))
@click.argument("round_id", metavar="ROUND")
@click.option("--label", help="What the round is called (default: ROUND).")
@click.option("--codebook", help="The codebook the round serves (an existing round is attached to it).")
@click.option("--active", is_flag=True, help="Make it the codebook's active round (needs --codebook).")
@by_option
@reports_errors
def round_add_cmd(folder: str, round_id: str, label: str | None, codebook: str | None, active: bool,
                  actor: str) -> None:
    """Add ROUND to the study in FOLDER, or attach it to --codebook."""
    with Store.open(folder) as store:
        rounds.add_round(store, round_id, label, codebook=codebook, active=active, actor=actor)
        served = ", ".join(store.rounds.codebooks_of(round_id)) or "no codebook yet"
    click.echo(f"round {round_id}: serves {served}" + (f"; active round of {codebook}" if active else ""))


@round_group.command("active")
@click.argument("folder", type=click.Path(file_okay=False))
@click.argument("codebook")
@click.argument("round_id", metavar="ROUND")
@by_option
@reports_errors
def round_active_cmd(folder: str, codebook: str, round_id: str, actor: str) -> None:
    """Make ROUND the active round of CODEBOOK: its coding views open on it."""
    with Store.open(folder) as store:
        rounds.set_active_round(store, codebook, round_id, actor=actor)
    click.echo(f"{codebook}: active round {round_id}")


@round_group.command("list")
@click.argument("folder", type=click.Path(file_okay=False))
@reports_errors
def round_list_cmd(folder: str) -> None:
    """The rounds of the study in FOLDER, the codebooks each serves, and each codebook's active round."""
    with Store.open(folder) as store:
        for r in rounds.rounds_table(store):
            click.echo(f"{r['round']}\t{r['label']}\t{r['codebooks']}\treconciliation {r['reconciliation']}")
        for c in rounds.rounds_overview(store):
            click.echo(f"{c['codebook']}: active round {c['active'] or '-'} (rounds: {', '.join(c['rounds']) or '-'})")

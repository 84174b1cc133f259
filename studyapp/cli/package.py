"""`studyapp package`: the replication package of a study (codebooks, pseudonymised codings,
agreement, claims, PRISMA, data dictionary and a README that recomputes every number)."""

from __future__ import annotations

import click

from studyapp.cli.app import main, reports_errors
from studyapp.domain.roles import Role
from studyapp.errors import InvalidInput
from studyapp.store import Store


def _only_lead(store: Store) -> str:
    leads = [c["name"] for c in store.coders.list() if Role.of_coder(c).is_lead]
    if len(leads) != 1:
        raise InvalidInput(f"the study has {len(leads)} leads: say who packages with --by LEAD")
    return leads[0]


@main.command("package")
@click.argument("folder", type=click.Path(file_okay=False, exists=True))
@click.argument("out", type=click.Path(dir_okay=False))
@click.option("--by", "lead", help="The lead who packages (default: the study's only lead).")
@click.option("--include-identifying", is_flag=True,
              help="Also include participant attributes that identify people and interview texts that were "
                   "not pseudonymised at import (only with the participants' consent).")
@click.option("--dataset", type=click.Path(dir_okay=False, exists=True),
              help="Validate the claims on this dataset (default: the study's dataset, else the last recorded "
                   "validations).")
@click.option("--force", is_flag=True, help="Replace OUT if it exists.")
@reports_errors
def package_cmd(folder: str, out: str, lead: str | None, include_identifying: bool, dataset: str | None,
                force: bool) -> None:
    """Write the replication package of the study in FOLDER to the zip OUT."""
    from studyapp.services.publish.replication import build_package

    with Store.open(folder) as store:
        r = build_package(store, out, actor=lead or _only_lead(store), include_identifying=include_identifying,
                          dataset=dataset, force=force)
    click.echo(f"wrote {r.path} ({len(r.files)} files, {r.bytes:,} bytes, {r.seconds:.1f} s); claims from "
               f"{r.validation_source or 'none'}")
    if not include_identifying:
        click.echo(f"privacy: {r.withheld_texts} interview text(s) withheld, {r.redactions} name(s) replaced",
                   err=True)

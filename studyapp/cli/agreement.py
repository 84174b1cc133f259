"""`studyapp agreement`: the agreement report of a study, per field, tree level and round."""

from __future__ import annotations

from pathlib import Path

import click

from studyapp.cli.app import main, reports_errors
from studyapp.services.agreement.report import FORMATS, render
from studyapp.store import Store


@main.command("agreement")
@click.argument("folder", type=click.Path(file_okay=False, exists=True))
@click.option("--codebook", "codebook_id", help="Only this codebook (default: every codebook with codings).")
@click.option("--round", "rounds", multiple=True, help="Only these rounds (repeatable).")
@click.option("--coder", "coders", multiple=True, help="Only these coders (repeatable).")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="markdown", show_default=True)
@click.option("--n-boot", type=int, default=1000, show_default=True, help="Bootstrap resamples for the CIs (0: none).")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the bootstrap.")
@click.option("--spans", is_flag=True, help="Also agreement on the quote spans: Krippendorff's unitizing alpha "
              "(u-alpha, |u-alpha, cu-alpha) per field and code, per round (docs/unitizing.md).")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write to this file instead of stdout.")
@reports_errors
def agreement_cmd(folder, codebook_id, rounds, coders, fmt, n_boot, seed, spans, output) -> None:
    """Agreement of every coded field of the study in FOLDER: percent agreement, kappa, Krippendorff's
    alpha with a bootstrap CI, Gwet's AC1, interpretation bands, one row per field, tree level and round;
    with --spans also unitizing alpha on the quote spans per field and code."""
    with Store.open(folder) as store:
        text = render(store, fmt, codebook_id, rounds=list(rounds) or None, coders=list(coders) or None,
                      n_boot=n_boot, seed=seed, spans=spans)
    if output:
        Path(output).write_text(text, encoding="utf-8")
        click.echo(f"wrote {output}")
    else:
        click.echo(text, nl=not text.endswith("\n"))

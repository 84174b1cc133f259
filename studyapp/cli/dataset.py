"""Dataset commands: what a PeaTMOSS-schema file holds, a synthetic sample, one sandboxed query."""

from __future__ import annotations

import json

import click

from studyapp.cli.app import main, reports_errors
from studyapp.datasets import dataset_info, query_dataset
from studyapp.datasets.sample import generate


@main.group("dataset")
def dataset_group() -> None:
    """External datasets (PeaTMOSS schema), opened read-only and untrusted."""


@dataset_group.command("info")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.option("--no-counts", is_flag=True, help="Skip counting rows (fast on a 7 GB file).")
@reports_errors
def info_cmd(file: str, fmt: str, no_counts: bool) -> None:
    """Print FILE's tables with row counts and which PeaTMOSS schema it is."""
    info = dataset_info(file, counts=not no_counts)
    if fmt == "json":
        click.echo(json.dumps(info, indent=2))
        return
    click.echo(f"{file}: {info['label']}" + ("  [SYNTHETIC sample data]" if info["synthetic"] else ""))
    for name, n in info["tables"].items():
        click.echo(f"  {name:<36} {'?' if n is None else f'{n:,}':>12}")
    if info["missing"]:
        click.echo(f"missing tables: {', '.join(info['missing'])}")
    if info["extra"]:
        click.echo(f"other tables: {', '.join(info['extra'])}")


@dataset_group.command("sample")
@click.argument("out", type=click.Path(dir_okay=False))
@click.option("--models", default=2000, show_default=True, help="Number of models (281638 = full PeaTMOSS size).")
@click.option("--seed", default=7, show_default=True, help="Random seed: the same seed gives the same file.")
@click.option("--schema", "version", type=click.Choice(["dist", "msr24"]), default="dist", show_default=True,
              help="PeaTMOSS version: dist (76 tables) or msr24 (56 tables).")
@click.option("--snapshots", default=4, show_default=True, help="Download snapshots (2-6).")
@reports_errors
def sample_cmd(out: str, models: int, seed: int, version: str, snapshots: int) -> None:
    """Write a synthetic PeaTMOSS-schema database to OUT (it says it is synthetic in dataset_metadata)."""
    try:
        s = generate(out, models=models, seed=seed, version=version, snapshots=snapshots)
    except ValueError as e:
        raise click.BadParameter(str(e)) from None
    click.echo(f"wrote {out}: {s.models:,} models, {s.repositories:,} repositories, {s.links:,} links, "
               f"snapshots {', '.join(s.snapshots)} (synthetic, seed {seed})")


@dataset_group.command("query")
@click.argument("file", type=click.Path(dir_okay=False))
@click.argument("sql")
@click.option("--limit", default=1000, show_default=True, help="Row cap (the output says when it truncated).")
@click.option("--time-limit", default=30.0, show_default=True, help="Seconds before the query is stopped.")
@reports_errors
def query_cmd(file: str, sql: str, limit: int, time_limit: float) -> None:
    """Run one read-only SELECT on FILE and print the rows as JSON lines."""
    res = query_dataset(file, sql, row_cap=limit, time_limit=time_limit)
    for row in res.records():
        click.echo(json.dumps(row, default=str))
    click.echo(f"-- {len(res.rows)} row(s){' (TRUNCATED at the row cap)' if res.truncated else ''}, "
               f"{res.seconds:.3f} s", err=True)

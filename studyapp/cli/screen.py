"""Screening commands: decide, the prioritised queue, status, conflicts, reconciliation, resolution,
the number of reviewers, and `simulate` (replaying a labelled set). Services: screening, screening_model."""

from __future__ import annotations

import json

import click

from studyapp.cli.app import main, reports_errors
from studyapp.cli.papers import STAGE, _unit
from studyapp.store import Store


@main.group("screen")
def screen_group() -> None:
    """Screen papers in two stages (ta: title/abstract, ft: full text), blind, with a prioritised order."""


@screen_group.command("decide")
@click.argument("folder", type=click.Path(file_okay=False))
@click.argument("key")
@click.argument("decision", type=click.Choice(["include", "exclude", "maybe"]))
@click.option("--coder", required=True, help="The reviewer deciding.")
@click.option("--stage", type=STAGE, default="ta", show_default=True)
@click.option("--reason", help="The exclusion criterion id (required with exclude), e.g. E1.")
@click.option("--note", help="A note kept with the decision.")
@reports_errors
def decide_cmd(folder, key, decision, coder, stage, reason, note) -> None:
    """Record CODER's DECISION on paper KEY at a stage."""
    from studyapp.services.papers.screening import decide

    with Store.open(folder) as store:
        n = decide(store, _unit(store, key), coder, stage, decision, reason, note=note)
    click.echo(f"{key}: {decision}{' (' + reason + ')' if reason and decision == 'exclude' else ''}"
               f" by {coder} at {stage} ({n} change(s))")


@screen_group.command("next")
@click.argument("folder", type=click.Path(file_okay=False))
@click.option("--coder", required=True)
@click.option("--stage", type=STAGE, default="ta", show_default=True)
@click.option("-n", "limit", type=int, default=10, show_default=True, help="How many papers to list.")
@click.option("--no-model", is_flag=True, help="Import order instead of the model's order.")
@reports_errors
def next_cmd(folder, coder, stage, limit, no_model) -> None:
    """The papers CODER should screen next, most likely relevant first, and the stopping hint."""
    from studyapp.services.papers.queue import queue

    with Store.open(folder) as store:
        q = queue(store, stage, coder, prioritise=not no_model)
        for uid in q.ids[:limit]:
            u = store.units.require(uid)
            click.echo(f"{u['key']}\t{u['title']}")
    click.echo(f"-- {len(q.ids)} left for {coder}; {q.model_note}", err=True)
    if q.expected_remaining is not None:
        click.echo(f"-- the model expects about {q.expected_remaining:.1f} relevant papers among them", err=True)
    click.echo(f"-- stopping hint: {q.hint['reason']}", err=True)


@screen_group.command("status")
@click.argument("folder", type=click.Path(file_okay=False))
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@reports_errors
def status_cmd(folder, fmt) -> None:
    """Papers per verdict at each stage (unscreened, pending, conflict, included, excluded)."""
    from studyapp.services.papers.screening import reviewers, status_counts

    with Store.open(folder) as store:
        counts = {s: status_counts(store, s) for s in ("ta", "ft")}
        need = reviewers(store)
    if fmt == "json":
        click.echo(json.dumps({"reviewers": need, **counts}, indent=2))
        return
    click.echo(f"reviewers per paper: {need}")
    for s, c in counts.items():
        click.echo(f"{s}: " + ", ".join(f"{k} {v}" for k, v in c.items()))


@screen_group.command("conflicts")
@click.argument("folder", type=click.Path(file_okay=False))
@click.option("--stage", type=STAGE, default="ta", show_default=True)
@click.option("--as", "viewer", required=True, help="Who is asking (decisions show only once the stage is open).")
@reports_errors
def conflicts_cmd(folder, stage, viewer) -> None:
    """Papers whose reviewers disagree at a stage, with each decision (after the lead opens the stage)."""
    from studyapp.services.papers.screening import conflicts

    with Store.open(folder) as store:
        c = conflicts(store, stage, viewer)
    if c.hidden:
        click.echo(f"hidden until a lead opens reconciliation of stage {stage}"
                   + (f" ({c.count} conflict(s))" if c.count else ""))
        return
    for r in c.rows:
        click.echo(f"{r['key']}\t{r['title']}\t" + "; ".join(f"{k}: {v}" for k, v in r["votes"].items()))
    click.echo(f"-- {c.count} conflict(s)", err=True)


@screen_group.command("open")
@click.argument("folder", type=click.Path(file_okay=False))
@click.option("--stage", type=STAGE, required=True)
@click.option("--lead", required=True, help="The lead opening reconciliation.")
@click.option("--close", is_flag=True, help="Close it again (reviewers stop seeing each other's decisions).")
@reports_errors
def open_cmd(folder, stage, lead, close) -> None:
    """Open (or close) a stage's reconciliation: conflicts and everyone's decisions become visible."""
    from studyapp.services.papers.screening import open_stage_reconciliation

    with Store.open(folder) as store:
        open_stage_reconciliation(store, stage, actor=lead, open_=not close)
    click.echo(f"reconciliation of stage {stage} {'closed' if close else 'open'}")


@screen_group.command("resolve")
@click.argument("folder", type=click.Path(file_okay=False))
@click.argument("key")
@click.argument("decision", type=click.Choice(["include", "exclude"]))
@click.option("--stage", type=STAGE, default="ta", show_default=True)
@click.option("--reason", help="The exclusion criterion (required with exclude).")
@click.option("--rationale", required=True, help="Why this is the final decision.")
@click.option("--lead", required=True)
@reports_errors
def resolve_cmd(folder, key, decision, stage, reason, rationale, lead) -> None:
    """The lead's final DECISION on paper KEY at a stage (the stage's reconciliation must be open)."""
    from studyapp.services.papers.screening import resolve

    with Store.open(folder) as store:
        resolve(store, _unit(store, key), stage, decision, reason, rationale, actor=lead)
    click.echo(f"{key}: final {decision} at {stage}")


@screen_group.command("reviewers")
@click.argument("folder", type=click.Path(file_okay=False))
@click.argument("n", type=int)
@click.option("--lead", required=True)
@reports_errors
def reviewers_cmd(folder, n, lead) -> None:
    """How many independent reviewers each paper needs at each stage (default 2)."""
    from studyapp.services.papers.screening import set_reviewers

    with Store.open(folder) as store:
        set_reviewers(store, n, actor=lead)
    click.echo(f"each paper now needs {n} reviewer(s)")


@screen_group.command("simulate")
@click.argument("labelled", type=click.Path(exists=True, dir_okay=False))
@click.option("--seed", type=int, default=0, show_default=True, help="Picks the starting relevant and irrelevant record.")
@click.option("--classifier", type=click.Choice(["svm", "nb"]), default="svm", show_default=True)
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@reports_errors
def simulate_cmd(labelled, seed, classifier, fmt) -> None:
    """Replay a fully labelled CSV (title, abstract, label_included) and report WSS@95, WSS@100, RRF@10."""
    from studyapp.readers.papers.labelled import read_labelled
    from studyapp.services.papers.screening_model import simulate

    data = read_labelled(labelled)
    r = simulate(data.texts(), data.labels, seed=seed, classifier=classifier)
    if fmt == "json":
        click.echo(json.dumps({k: r[k] for k in ("n", "n_relevant", "wss@95", "wss@100", "rrf@10", "recall_curve")}))
        return
    click.echo(f"records {r['n']}, relevant {r['n_relevant']} ({classifier}, seed {seed})")
    click.echo(f"WSS@95  {r['wss@95']:.3f}\nWSS@100 {r['wss@100']:.3f}\nRRF@10  {r['rrf@10']:.3f}")
    last = next(s for s, f in r["recall_curve"] if f == r["n_relevant"])
    click.echo(f"all relevant found after screening {last} of {r['n']} records")

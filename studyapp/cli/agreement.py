"""`studyapp agreement`: the agreement report of a study, per field, tree level and round; and where
coders' quote spans differ, with the lead's final spans (`studyapp interviews stripes | adjudicate-span |
final-spans`, commands of the interviews group that live here beside the agreement report)."""

from __future__ import annotations

import json
from pathlib import Path

import click

from studyapp.cli.app import main, reports_errors
from studyapp.cli.interviews import interviews_group
from studyapp.errors import NotFound
from studyapp.services.agreement.report import FORMATS, render
from studyapp.services.interviews import stripes
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
@click.option("--as", "viewer", metavar="CODER",
              help="Report what CODER may see: a coder who is not a lead sees only rounds open for reconciliation.")
@reports_errors
def agreement_cmd(folder, codebook_id, rounds, coders, fmt, n_boot, seed, spans, output, viewer) -> None:
    """Agreement of every coded field of the study in FOLDER: percent agreement, kappa, Krippendorff's
    alpha with a bootstrap CI, Gwet's AC1, interpretation bands, one row per field, tree level and round;
    with --spans also unitizing alpha on the quote spans per field and code."""
    with Store.open(folder) as store:
        if viewer is not None and store.coders.get(viewer) is None:
            raise NotFound(f"no coder named {viewer!r}")
        text = render(store, fmt, codebook_id, rounds=list(rounds) or None, coders=list(coders) or None,
                      n_boot=n_boot, seed=seed, spans=spans, viewer=viewer)
    if output:
        Path(output).write_text(text, encoding="utf-8")
        click.echo(f"wrote {output}")
    else:
        click.echo(text, nl=not text.endswith("\n"))


def _segment(store: Store, key: str) -> dict:
    seg = store.units.by_key("segment", key)
    if seg is None:
        raise NotFound(f"no segment {key!r} (segments are <transcript key>:<turn number>)")
    return seg


@interviews_group.command("stripes")
@click.argument("folder", type=click.Path(file_okay=False, exists=True))
@click.option("--transcript", help="Transcript key (default: the first with quote spans).")
@click.option("--codebook", help="Codebook id (default: the first with spans in the transcript).")
@click.option("--round", "round_id", help="Round (default: the newest open round with spans, else the newest).")
@click.option("--coder", "coders", multiple=True, help="Only these coders (repeatable; default: all with spans).")
@click.option("--as", "viewer", help="Whose eyes: a coder sees the stripes only once the round is open "
              "(default: the folder's holder, who sees all).")
@click.option("--all", "show_all", is_flag=True, help="List agreed stretches too, not only disagreements.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@reports_errors
def stripes_cmd(folder, transcript, codebook, round_id, coders, viewer, show_all, fmt) -> None:
    """Where coders' quote spans differ in one transcript: each stretch of overlapping spans, with each
    coder's span and codes, why they differ, and the final span if a lead adjudicated it."""
    with Store.open(folder) as store:
        v = stripes.stripes_view(store, viewer, transcript=transcript, codebook=codebook, round=round_id,
                                 coders=list(coders) or None)
    if v.transcript_id is None:
        raise click.ClickException("no transcript with quote spans")
    if not v.visible:
        raise click.ClickException(v.reason or "nothing to show")
    shown = v.clusters if show_all else v.disagreements
    if fmt == "json":
        click.echo(json.dumps({"transcript": v.transcripts[v.transcript_id], "codebook": v.codebook, "round": v.round,
                               "coders": v.coders, "clusters": [
                                   {"segment": c.segment_key, "start": c.start, "end": c.end, "agreed": c.agreed,
                                    "why": c.why, "spans": [{"id": s.id, "coder": s.coder, "start": s.start,
                                                             "end": s.end, "codes": [list(x) for x in s.codes],
                                                             "snippet": s.snippet} for s in c.spans],
                                    "finals": [{k: f[k] for k in ("id", "start", "end", "codes", "decision",
                                                                  "rationale", "adjudicator")} for f in c.finals]}
                                   for c in shown]}, ensure_ascii=False, indent=1))
        return
    click.echo(f"{v.transcripts[v.transcript_id]} · {v.codebook} · round {v.round} · coders {', '.join(v.coders)}: "
               f"{len(v.disagreements)} of {len(v.clusters)} stretch(es) differ")
    for c in shown:
        click.echo(f"\n{c.segment_key} [{c.start}, {c.end}) {'agreed' if c.agreed else 'DIFFER'}: {c.why}")
        for s in c.spans:
            click.echo(f"  span {s.id} {s.coder} [{s.start}, {s.end}) {s.label}: {s.snippet!r}")
        for f in c.finals:
            click.echo(f"  final {f['id']} [{f['start']}, {f['end']}) {f['label']} ({f['decision']} by "
                       f"{f['adjudicator']}: {f['rationale']})")


@interviews_group.command("adjudicate-span")
@click.argument("folder", type=click.Path(file_okay=False, exists=True))
@click.argument("segment")
@click.option("--codebook", required=True)
@click.option("--round", "round_id", required=True)
@click.option("--as", "actor", required=True, help="The lead who decides (the history names them).")
@click.option("--why", "rationale", required=True, help="The rationale: why this extent and these codes.")
@click.option("--keep", type=int, help="Keep this coder's span (its id) as the final span.")
@click.option("--merge", type=int, multiple=True, help="Merge these spans (repeat, two or more): their union.")
@click.option("--start", type=int, help="Draw the final span: start (characters into the segment text).")
@click.option("--end", type=int, help="Draw the final span: end (exclusive).")
@click.option("--code", "codes", multiple=True, metavar="FIELD:CODE",
              help="The final span's codes (needed to draw; with --keep/--merge they replace the spans' codes).")
@reports_errors
def adjudicate_span_cmd(folder, segment, codebook, round_id, actor, rationale, keep, merge, start, end, codes) -> None:
    """The lead's final quote span in SEGMENT (<transcript>:<turn>): keep one coder's span, merge
    several, or draw it; replaces the finals it overlaps; needs the round open for reconciliation."""
    with Store.open(folder) as store:
        seg = _segment(store, segment)
        fid = stripes.adjudicate_span(store, seg["id"], codebook=codebook, round=round_id, actor=actor,
                                      rationale=rationale, keep=keep, merge=list(merge) or None, start=start,
                                      end=end, codes=list(codes) or None)
        [f] = store.transcripts.final_spans(ids=[fid])
    click.echo(f"final span {fid} [{f['start']}, {f['end']}) {' '.join(':'.join(c) for c in f['codes'])}: "
               f"{f['snippet']!r}")


@interviews_group.command("final-spans")
@click.argument("folder", type=click.Path(file_okay=False, exists=True))
@click.option("--codebook")
@click.option("--round", "round_id")
@click.option("--delete", "delete_id", type=int, help="Take this final span back (with --as LEAD).")
@click.option("--as", "actor", help="The lead who takes a final span back.")
@reports_errors
def final_spans_cmd(folder, codebook, round_id, delete_id, actor) -> None:
    """List the final (adjudicated) quote spans, or take one back with --delete ID --as LEAD."""
    with Store.open(folder) as store:
        if delete_id is not None:
            if not actor:
                raise click.UsageError("--delete needs --as LEAD")
            stripes.undo_final_span(store, delete_id, actor=actor)
            click.echo(f"final span {delete_id} taken back")
            return
        keys = {u["id"]: u["key"] for u in store.units.list("segment", with_text=False)}
        rows = store.transcripts.final_spans(codebook=codebook, round=round_id)
    for f in rows:
        click.echo(f"{f['id']}\t{keys.get(f['unit_id'])}\t{f['round']}\t{f['start']}-{f['end']}\t"
                   f"{' '.join(':'.join(c) for c in f['codes'])}\t{f['decision']}\t{f['adjudicator']}\t"
                   f"{f['snippet']!r}\t{f['rationale']}")
    if not rows:
        click.echo("no final spans")

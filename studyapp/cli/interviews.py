"""Interview commands: import transcripts and participants, tag segments and quote spans, memos,
and the analyses (saturation, frequencies, co-occurrence, quotes, framework matrix).

Each command parses options, calls one service function and prints. Machine formats keep stdout
clean; notes (guessed interviewers, merged variants) go to stderr.
"""

from __future__ import annotations

import json
from pathlib import Path

import click
import pandas as pd

from studyapp.cli.app import by_option, import_group, main, reports_errors
from studyapp.errors import InvalidInput, NotFound
from studyapp.services.coding.codebooks import codebook_version
from studyapp.services.interviews import imports as ti
from studyapp.services.interviews import qualitative, retrieve, spans
from studyapp.services.interviews import saturation as sat
from studyapp.store import Store
from studyapp.store.rounds import DEFAULT_ROUND

SOURCE_HELP = "Whose codes: all (every coder), final (adjudicated) or a coder's name."


def _pairs(values: tuple[str, ...], what: str) -> dict[str, str]:
    out = {}
    for v in values:
        if "=" not in v:
            raise click.BadParameter(f"{v!r}: expected LABEL=ID", param_hint=what)
        k, _, x = v.partition("=")
        out[k.strip()] = x.strip()
    return out


@import_group.command("transcripts")
@click.argument("folder", type=click.Path(file_okay=False))
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--participant", help="Participant id of the interviewee(s) in these transcripts.")
@click.option("--speaker", "speakers", multiple=True, metavar="LABEL=ID",
              help="Map a speaker label to a participant id (repeatable), e.g. --speaker 'Leader 2=L2'.")
@click.option("--interviewer", "interviewers", multiple=True, metavar="LABEL",
              help="A speaker label that is the interviewer (repeatable; default: guessed).")
@click.option("--pseudonymise", "names", multiple=True, metavar="NAME[=REPLACEMENT]",
              help="Replace NAME (whole words, any case) before storing; default replacement: the participant id.")
@click.option("--pseudonyms", type=click.Path(dir_okay=False), help="File of names to replace: `name[,replacement]` lines.")
@click.option("--format", "fmt", type=click.Choice(["auto", "text", "docx", "vtt", "srt"]), default="auto",
              show_default=True, help="Transcript format (auto: detected from the content, else the suffix).")
@click.option("--key", help="Transcript key (single file only; default: the file name without suffix).")
@by_option
@reports_errors
def import_transcripts_cmd(folder, files, participant, speakers, interviewers, names, pseudonyms, fmt, key, actor) -> None:
    """Import transcript FILES (.txt, .docx, .vtt, .srt) into the study in FOLDER, one segment per speaker turn."""
    pseudo = [(n.partition("=")[0].strip(), n.partition("=")[2].strip() or None) for n in names]
    with Store.open(folder) as store:
        reports = ti.import_transcripts(store, files, participant=participant, speakers=_pairs(speakers, "--speaker"),
                                        interviewers=interviewers or None, pseudonyms=pseudo,
                                        pseudonyms_file=pseudonyms, fmt=fmt, key=key, actor=actor)
    for r in reports:
        who = ", ".join(f"{s or '(none)'} {n}" for s, n in r.speakers.items())
        click.echo(f"{r.key}: {r.segments} segments ({r.format}{f', {r.read} cues' if r.format in ('vtt', 'srt') else ''});"
                   f" speakers: {who}; interviewer: "
                   f"{', '.join(r.interviewers) or 'none'}; participants: {', '.join(r.participants) or 'none'}"
                   + (f"; {r.replacements} name(s) pseudonymised" if r.replacements else ""))
        for w in r.warnings:
            click.echo(f"note: {r.key}: {w}", err=True)


@import_group.command("participants")
@click.argument("folder", type=click.Path(file_okay=False))
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--id-column", help="Column holding the participant id (default: participant/id, else the first).")
@click.option("--id-prefix", help="Prefix for numeric ids, e.g. P turns 3 into P3.")
@by_option
@reports_errors
def import_participants_cmd(folder, file, id_column, id_prefix, actor) -> None:
    """Add or update participants and their attributes from a CSV FILE (a `transcript` column links them)."""
    with Store.open(folder) as store:
        r = ti.import_participants(store, file, id_column=id_column, id_prefix=id_prefix, actor=actor)
    click.echo(f"participants: {r.new} new, {r.updated} updated, {r.unchanged} unchanged (id column "
               f"{r.id_column!r}; attributes: {', '.join(r.columns)})")
    if r.dropped_columns:
        click.echo(f"note: dropped {r.dropped_columns} empty column(s) with no header", err=True)
    for w in r.warnings:
        click.echo(f"note: {w}", err=True)


@main.command("saturation")
@click.argument("source", type=click.Path(exists=True))
@click.option("--participant", "participant_col", help="Participant column of a CSV (default: participant, else the first).")
@click.option("--code", "code_col", help="Code column of a CSV (default: code, else the last).")
@click.option("--codebook", help="In a study: the codebook whose codes count.")
@click.option("--field", "fields", multiple=True, help="In a study: only these fields (repeatable).")
@click.option("--source", "who", default="all", show_default=True, help=SOURCE_HELP)
@click.option("--level", type=int, help="In a study: count codes rolled up to this tree level (1 = top).")
@click.option("--format", "fmt", type=click.Choice(["json", "table"]), default="json", show_default=True)
@reports_errors
def saturation_cmd(source, participant_col, code_col, codebook, fields, who, level, fmt) -> None:
    """New distinct codes per interview, in interview order, and the cumulative count.

    SOURCE is a (participant, code) CSV, one row per code mention, or a study folder (with --codebook).
    """
    if Path(source).is_dir():
        if not codebook:
            raise InvalidInput("a study needs --codebook ID", path=source)
        with Store.open(source) as store:
            curve = sat.saturation_in_study(store, codebook, fields=fields or None, source=who, level=level)
    else:
        curve = sat.saturation_from_table(source, participant=participant_col, code=code_col)
    for w in curve.warnings:
        click.echo(f"note: {w}", err=True)
    if fmt == "json":
        click.echo(json.dumps(curve.as_dict()))
        return
    df = pd.DataFrame(curve.rows())
    if len(df):
        df["codes"] = df["codes"].map(lambda t: t if len(t) <= 60 else t[:59] + "…")
    click.echo(df.to_string(index=False) if len(df) else "no participants")
    if curve.last_new:
        click.echo(f"\nlast new code from {curve.last_new}; {curve.cumulative[-1]} distinct codes")


@main.group("interviews")
def interviews_group() -> None:
    """Interview analyses and segment coding from the shell."""


TABLE_FORMATS = ["table", "json", "csv", "latex", "markdown"]


def _out(df: pd.DataFrame, fmt: str, caption: str | None = None) -> None:
    if fmt == "json":
        click.echo(df.to_json(orient="records", force_ascii=False))
    elif fmt in ("latex", "markdown"):
        from studyapp.render.tables import render_table

        click.echo(render_table(df, fmt, caption=caption), nl=False)
    elif fmt == "csv":
        from studyapp.render.tables import to_csv

        click.echo(to_csv(df), nl=False)
    else:
        click.echo(df.to_string(index=False) if len(df) else "nothing coded yet")


def _common(fn):
    for deco in reversed([
            click.argument("folder", type=click.Path(file_okay=False)),
            click.option("--codebook", required=True, help="Codebook id."),
            click.option("--source", "who", default="all", show_default=True, help=SOURCE_HELP),
            click.option("--level", type=int, help="Roll codes up to this tree level (1 = top).")]):
        fn = deco(fn)
    return fn


@interviews_group.command("frequencies")
@_common
@click.option("--by", "attribute", help="A participant attribute: frequencies per value of it.")
@click.option("--split", help="Separator of multi-valued attribute cells, e.g. ','.")
@click.option("--format", "fmt", type=click.Choice(TABLE_FORMATS), default="table", show_default=True)
@reports_errors
def frequencies_cmd(folder, codebook, who, level, attribute, split, fmt) -> None:
    """Code frequencies: segments, participants and transcripts per code (optionally per attribute)."""
    with Store.open(folder) as store:
        if attribute:
            df = qualitative.frequencies_by_attribute(store, codebook, attribute, split=split, source=who, level=level)
        else:
            df = qualitative.frequencies(store, codebook, source=who, level=level).drop(columns=["color"])
        title = codebook_version(store, codebook)[0].title
    _out(df, fmt, f"Code frequencies: {title}" + (f" by {attribute}" if attribute else ""))


@interviews_group.command("cooccurrence")
@_common
@click.option("--by-participant", is_flag=True, help="Count participants, not segments, carrying both codes.")
@click.option("--format", "fmt", type=click.Choice(TABLE_FORMATS), default="table", show_default=True)
@reports_errors
def cooccurrence_cmd(folder, codebook, who, level, by_participant, fmt) -> None:
    """Code co-occurrence: pairs of codes on the same segment (or participant), with the c-coefficient."""
    with Store.open(folder) as store:
        df = qualitative.cooccurrence(store, codebook, by="participant" if by_participant else "segment",
                                      source=who, level=level)
    _out(df[["a", "b", "count", "c"]], fmt, "Code co-occurrence" + (" by participant" if by_participant else ""))


@interviews_group.command("quotes")
@_common
@click.option("--code", "codes", multiple=True, metavar="FIELD:CODE", help="Only these codes (repeatable).")
@click.option("--whole-segments", is_flag=True, help="Quote coded segments that have no span whole.")
@click.option("--output", type=click.Path(dir_okay=False), help="Write the Markdown here instead of stdout.")
@reports_errors
def quotes_cmd(folder, codebook, who, level, codes, whole_segments, output) -> None:
    """Quotes per code with participant and position, as Markdown for writing."""
    with Store.open(folder) as store:
        cb = codebook_version(store, codebook)[0]
        pairs = [spans.resolve_code(cb, c) for c in codes] or None
        md = qualitative.quotes_markdown(store, codebook, source=who, level=level, codes=pairs,
                                         whole_segments=whole_segments)
    if output:
        Path(output).write_text(md, encoding="utf-8")
        click.echo(f"wrote {output}")
    else:
        click.echo(md)


@interviews_group.command("matrix")
@_common
@click.option("--field", "fields", multiple=True, help="Fields whose codes are the themes (default: all).")
@click.option("--cells", type=click.Choice(["counts", "quotes"]), default="counts", show_default=True)
@click.option("--format", "fmt", type=click.Choice(["table", "csv"]), default="table", show_default=True)
@reports_errors
def matrix_cmd(folder, codebook, who, level, fields, cells, fmt) -> None:
    """Participant x theme matrix (framework analysis): coded segments or quotes per cell."""
    with Store.open(folder) as store:
        m = qualitative.framework_matrix(store, codebook, fields=fields or None, level=level or 1, source=who)
    df = m["counts" if cells == "counts" else "summary"]
    if fmt == "csv":
        from studyapp.render.tables import to_csv

        click.echo(to_csv(df, index=True), nl=False)
    else:
        click.echo(df.to_string() if not df.empty else "nothing coded yet")


def _segment_id(store: Store, key: str) -> int:
    seg = store.units.by_key("segment", key)
    if seg is None:
        raise NotFound(f"no segment {key!r} (segments are <transcript key>:<turn number>)")
    return seg["id"]


@interviews_group.command("tag")
@click.argument("folder", type=click.Path(file_okay=False))
@click.argument("segment")
@click.option("--coder", required=True)
@click.option("--codebook", required=True)
@click.option("--code", "codes", multiple=True, required=True, metavar="FIELD:CODE", help="Repeatable.")
@click.option("--start", type=int, help="Quote span start (characters into the segment text).")
@click.option("--end", type=int, help="Quote span end (exclusive).")
@click.option("--round", "round_id", help="The round (default: the codebook's active round).")
@click.option("--remove", is_flag=True, help="Take the codes off the segment instead.")
@reports_errors
def tag_cmd(folder, segment, coder, codebook, codes, start, end, round_id, remove) -> None:
    """Tag SEGMENT (<transcript>:<turn>) with codes, or mark a quote span in it with --start/--end."""
    with Store.open(folder) as store:
        sid = _segment_id(store, segment)
        round_id = round_id or store.rounds.active(codebook) or DEFAULT_ROUND
        if start is not None or end is not None:
            if remove or start is None or end is None:
                raise click.UsageError("a span needs both --start and --end (and no --remove)")
            span = spans.add_span(store, sid, coder, start, end, codes, codebook=codebook, round=round_id)
            click.echo(f"span {span}: {store.transcripts.require_span(span)['snippet']!r}")
        else:
            n = spans.tag_segment(store, sid, coder, codes, codebook=codebook, round=round_id, remove=remove)
            click.echo(f"{n} change(s)")


@interviews_group.command("spans")
@click.argument("folder", type=click.Path(file_okay=False))
@click.option("--coder", help="Only this coder's spans.")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table", show_default=True)
@reports_errors
def spans_cmd(folder, coder, fmt) -> None:
    """List quote spans: segment, coder, round, offsets, codes and snippet."""
    with Store.open(folder) as store:
        keys = {u["id"]: u["key"] for u in store.units.list("segment", with_text=False)}
        rows = [{"id": s["id"], "segment": keys.get(s["unit_id"]), "coder": s["coder"], "round": s["round"],
                 "start": s["start"], "end": s["end"], "codes": " ".join(f"{f}:{c}" for f, c in s["codes"]),
                 "snippet": s["snippet"]} for s in store.transcripts.spans(coders=[coder] if coder else None)]
    _out(pd.DataFrame(rows, columns=["id", "segment", "coder", "round", "start", "end", "codes", "snippet"]), fmt)


@interviews_group.command("memo")
@click.argument("folder", type=click.Path(file_okay=False))
@click.argument("text")
@click.option("--coder", required=True)
@click.option("--segment", help="Memo on this segment (<transcript>:<turn>).")
@click.option("--code", help="Memo on this code (FIELD:CODE), with --codebook.")
@click.option("--codebook")
@click.option("--round", "round_id", help="The round the memo is written in (default: the codebook's active round).")
@reports_errors
def memo_cmd(folder, text, coder, segment, code, codebook, round_id) -> None:
    """Write a memo on a segment or on a code; other coders read it once its round's reconciliation is open."""
    if bool(segment) == bool(code) or (code and not codebook):
        raise click.UsageError("give either --segment, or --code with --codebook")
    with Store.open(folder) as store:
        if segment:
            mid = spans.add_segment_memo(store, _segment_id(store, segment), coder, text, codebook=codebook,
                                         round=round_id)
        else:
            mid = spans.add_code_memo(store, codebook, code, coder, text, round=round_id)
    click.echo(f"memo {mid}")


@interviews_group.command("retrieve")
@click.argument("folder", type=click.Path(file_okay=False))
@click.option("--codebook", required=True)
@click.option("--code", "codes", multiple=True, metavar="FIELD:CODE", help="Codes to retrieve (children too).")
@click.option("--group", help="A code group (a set of codes, by name or id): its codes.")
@click.option("--attribute", help="Only participants whose ATTRIBUTE is --value (e.g. role).")
@click.option("--value", help="The attribute's value.")
@click.option("--source", default="all", show_default=True, help="all, final (the lead's final spans) or a coder.")
@click.option("--as", "viewer", help="Whose eyes: a coder sees others' quotes only in open rounds.")
@click.option("--format", "fmt", type=click.Choice(["markdown", "csv", "json", "docx"]), default="markdown",
              show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write here (needed for docx).")
@reports_errors
def retrieve_cmd(folder, codebook, codes, group, attribute, value, source, viewer, fmt, output) -> None:
    """Code and retrieve: every quote coded with the codes or code group, with its context turn,
    coder, participant and a link back into the transcript."""
    if not codes and not group:
        raise click.UsageError("give --code FIELD:CODE (repeatable) or --group NAME")
    if fmt == "docx" and not output:
        raise click.UsageError("--format docx needs -o FILE.docx")
    with Store.open(folder) as store:
        quotes = retrieve.retrieve(store, codebook, viewer=viewer, codes=list(codes), group=group,
                                   attribute=attribute, value=value, source=source)
    data = {"markdown": lambda: retrieve.to_markdown(quotes), "csv": lambda: retrieve.csv_text(quotes),
            "json": lambda: json.dumps(retrieve.to_json(quotes), ensure_ascii=False, indent=1),
            "docx": lambda: retrieve.to_docx(quotes)}[fmt]()
    if output:
        Path(output).write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
        click.echo(f"wrote {len(quotes)} quote(s) to {output}")
    else:
        click.echo(data, nl=not data.endswith("\n"))

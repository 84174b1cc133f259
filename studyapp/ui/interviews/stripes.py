"""The Interviews page's Stripes view: a transcript with a coding stripe per coder (the margin view of
MAXQDA and ATLAS.ti), where coders differ marked, and the lead's adjudication of a span.

Each turn is drawn as its text (pieces quoted by every coder shaded, pieces where coders differ
underlined in red, final spans boxed in green) over one stripe per coder: a bar as wide as the turn's
text with each of the coder's spans placed at its characters, labelled with its codes. Study text
is escaped, never drawn as HTML. The read-model is `services.interviews.stripes.stripes_view`.
"""

from __future__ import annotations

import html

import streamlit as st

from studyapp.errors import StudyError
from studyapp.services.interviews import stripes as svc
from studyapp.ui import state

KEY = "interviews.stripes"
FINAL = "#2e7d32"


def _read(store, coder, **chosen) -> svc.StripesView:
    picks = {"transcript": state.get(f"{KEY}.transcript"), "codebook": state.get(f"{KEY}.codebook"),
             "round": state.get(f"{KEY}.round"), "coders": state.get(f"{KEY}.coders")} | chosen
    return svc.stripes_view(store, coder, **picks)


def stripes_view(store, coder: str | None) -> None:
    state.show_flash(KEY)
    v = _read(store, coder)
    if v.transcript_id is None:
        st.info("No transcript has quote spans yet.")
        return
    c1, c2, c3 = st.columns(3)
    tids = list(v.transcripts)
    tid = c1.selectbox("Transcript", tids, index=tids.index(v.transcript_id), format_func=v.transcripts.get,
                       key=f"{KEY}.transcript")
    cb = c2.selectbox("Codebook", v.codebooks, index=_at(v.codebooks, v.codebook), key=f"{KEY}.codebook")
    rnd = c3.selectbox("Round", v.rounds, index=_at(v.rounds, v.round), key=f"{KEY}.round")
    if (tid, cb, rnd) != (v.transcript_id, v.codebook, v.round):
        v = _read(store, coder, transcript=tid, codebook=cb, round=rnd)
    coders = st.multiselect("Coders", v.coder_options, default=v.coder_options, key=f"{KEY}.coders",
                            help="A pair of coders, or all of them.")
    if coders != v.coders:
        v = _read(store, coder, transcript=tid, codebook=cb, round=rnd, coders=coders)
    if not v.visible:
        st.info(v.reason or "No quote spans in this transcript yet.")
        return
    if not v.turns or not v.coders:
        st.info("No quote spans by the chosen coders in this round.")
        return
    st.markdown(f"**{len(v.disagreements)} of {len(v.clusters)} quoted stretch(es) differ** between "
                f"{', '.join(v.coders)}" + ("" if v.round_open else " (open reconciliation to adjudicate)"))
    if v.can_open:
        st.button(f"Open reconciliation of round {v.round}", key=f"{KEY}.open", on_click=_open_round,
                  args=(v.round, coder), help="Coders then see each other's spans and codes in this round.")
    st.html(_legend(v) + "".join(_turn(t, v) for t in v.turns))
    st.subheader("Where coders differ")
    if not v.disagreements:
        st.success("The chosen coders quoted the same stretches with the same codes.")
    for c in v.disagreements:
        _cluster(c, v, coder)


def _open_round(round_id: str, viewer: str | None) -> None:
    try:
        with state.open_store() as store:
            svc.open_round(store, round_id, actor=viewer)
        state.flash(KEY, f"Reconciliation of round {round_id} is open: the lead can adjudicate spans.")
    except StudyError as e:
        state.flash(KEY, f"Not opened: {e}", error=True)


def _at(options: list, value) -> int | None:
    return options.index(value) if value in options else (0 if options else None)


def _legend(v: svc.StripesView) -> str:
    items = "".join(f"<span style='display:inline-block;margin-right:12px'><span style='display:inline-block;"
                    f"width:12px;height:12px;background:{v.colors[c]};margin-right:4px'></span>{html.escape(c)}</span>"
                    for c in v.coders)
    return (f"<div style='font-size:0.85em;margin-bottom:8px'>{items}<span style='display:inline-block;"
            f"width:12px;height:12px;border:2px solid {FINAL};margin-right:4px'></span>final "
            "<span style='margin-left:12px;text-decoration:underline wavy #c62828'>coders differ</span></div>")


def _turn(t: svc.StripeTurn, v: svc.StripesView) -> str:
    n = max(len(t.text), 1)
    text = ""
    for p in t.pieces:
        style = []
        if p["coders"]:
            style.append("background:#fff3c4")
        if p["differ"]:
            style.append("text-decoration:underline wavy #c62828")
        if p["final"]:
            style.append(f"outline:2px solid {FINAL}")
        body = html.escape(p["text"])
        text += f"<span style='{';'.join(style)}'>{body}</span>" if style else body
    rows = ""
    for c in v.coders:
        blocks = "".join(
            f"<div title='{html.escape(f'{s.coder} #{s.id} [{s.start}, {s.end}) {s.label}', quote=True)}' "
            f"style='position:absolute;left:{100 * s.start / n:.2f}%;width:{max(100 * (s.end - s.start) / n, 0.6):.2f}%;"
            f"top:0;bottom:0;background:{v.colors[c]};color:white;font-size:0.7em;overflow:hidden;white-space:nowrap;"
            f"padding-left:2px'>{html.escape(s.label)}</div>" for s in t.stripes.get(c, []))
        rows += _stripe_row(c, blocks)
    if t.finals:
        blocks = "".join(
            f"<div title='{html.escape(f['label'], quote=True)}' style='position:absolute;left:{100 * f['start'] / n:.2f}%;"
            f"width:{max(100 * (f['end'] - f['start']) / n, 0.6):.2f}%;top:0;bottom:0;border:2px solid {FINAL};"
            f"font-size:0.7em;overflow:hidden;white-space:nowrap'>{html.escape(f['label'])}</div>" for f in t.finals)
        rows += _stripe_row("final", blocks)
    return (f"<div class='stripe-turn' data-segment='{html.escape(t.key, quote=True)}' style='margin:10px 0;"
            "padding:6px;border-left:3px solid #ddd'>"
            f"<div style='font-weight:600;font-size:0.85em'>{html.escape(t.speaker)} · {html.escape(t.key)}</div>"
            f"<div style='white-space:pre-wrap;line-height:1.6'>{text}</div>{rows}</div>")


def _stripe_row(who: str, blocks: str) -> str:
    return ("<div style='display:flex;align-items:center;margin-top:3px'>"
            f"<div style='width:70px;font-size:0.75em;color:#555'>{html.escape(who)}</div>"
            f"<div class='stripe' data-coder='{html.escape(who, quote=True)}' style='position:relative;flex:1;"
            f"height:16px;background:#f3f3f3'>{blocks}</div></div>")


def _cluster(c: svc.Cluster, v: svc.StripesView, viewer: str | None) -> None:
    with st.expander(f"{c.segment_key} [{c.start}, {c.end}): {c.why}", expanded=len(v.disagreements) <= 3):
        st.dataframe([{"span": s.id, "coder": s.coder, "start": s.start, "end": s.end, "codes": s.label,
                       "quote": s.snippet} for s in c.spans], hide_index=True, width="stretch")
        for f in c.finals:
            st.success(f"Final span [{f['start']}, {f['end']}) {f['label']}: “{f['snippet']}” "
                       f"({f['decision']} by {f['adjudicator']}: {f['rationale']})")
        if not v.can_adjudicate:
            return
        _form(c, v, viewer)


def _form(c: svc.Cluster, v: svc.StripesView, viewer: str | None) -> None:
    k = f"{KEY}.adj.{c.key}"
    choices = [f"keep {s.id}" for s in c.spans] + (["merge"] if len(c.spans) > 1 else []) + ["draw"]
    labels = {f"keep {s.id}": f"Keep {s.coder}'s span {s.id} [{s.start}, {s.end})" for s in c.spans}
    labels |= {"merge": f"Merge (union [{c.start}, {c.end}), their codes)", "draw": "Draw the final span"}
    codes_now = sorted({f"{f}:{x}" for s in c.spans for f, x in s.codes} & set(v.code_options))
    with st.form(k):
        choice = st.radio("Final span", choices, format_func=labels.get, key=f"{k}.choice")
        a, b = st.columns(2)
        start = a.number_input("Start (draw)", 0, value=c.start, key=f"{k}.start")
        end = b.number_input("End (draw)", 1, value=c.end, key=f"{k}.end")
        codes = st.multiselect("Codes (draw; for keep/merge they replace the spans' codes when changed)",
                               list(v.code_options), default=codes_now, format_func=v.code_options.get,
                               key=f"{k}.codes")
        why = st.text_area("Rationale", key=f"{k}.why")
        if st.form_submit_button("Save final span"):
            _save(c, v, viewer, choice, int(start), int(end), codes if choice == "draw" or codes != codes_now else None,
                  why)


def _save(c, v, viewer, choice: str, start: int, end: int, codes, why: str) -> None:
    args = {"keep": int(choice.split()[1])} if choice.startswith("keep") else \
        {"merge": [s.id for s in c.spans]} if choice == "merge" else {"start": start, "end": end}
    try:
        with state.open_store() as store:
            fid = svc.adjudicate_span(store, c.segment_id, codebook=v.codebook, round=v.round, actor=viewer,
                                      rationale=why, codes=codes, **args)
        state.flash(KEY, f"Final span {fid} saved for {c.segment_key}.")
    except StudyError as e:
        state.flash(KEY, f"Nothing saved: {e}", error=True)
    st.rerun()

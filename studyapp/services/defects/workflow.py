"""The reengineering workflow view: a joint display of defect counts and interview evidence per stage.

The stages are the interview codebook's `workflow_stage` codes (model selection, environment, data
pipeline, modeling, training, deployment), whose middle four share their ids with the defect
taxonomy's DL stage. Each stage shows how many defects live there (count and share of the defects
with a stage), how they manifest, their most frequent root causes, and beside it the interview
segments tagged with the same stage: how many, which other interview codes they carry, and a few
quotes. DL stages outside the workflow (e.g. "other") are listed after it.
"""

from __future__ import annotations

import html
from collections import Counter, defaultdict
from typing import Any, Sequence

from studyapp.errors import NotFound
from studyapp.services.coding.codebooks import get_codebook
from studyapp.services.defects.analysis import (
    Source,
    defect_codebook,
    field_values,
    resolve_source,
)
from studyapp.store import Store

DEFAULT_STAGES = ("model-selection", "environment", "data-pipeline", "modeling", "training", "deployment")
STAGE_FIELD = "workflow_stage"


def workflow_view(store: Store, *, codebook: str | None = None, coder: str | None = None, final: bool = False,
                  rounds: Sequence[str] | None = None, interview_codebook: str | None = "ptm-reuse-interviews",
                  interview_source: Source | None = None, quotes: int = 3, top: int = 5) -> dict:
    """Stages in workflow order, each {id, label, defects, share, manifestations, root_causes, interview}.

    `interview_source` says whose interview codes to show (default: every coder's, a segment counted
    once); pages pass the viewer's own or the final values so that coding stays blind."""
    cb = defect_codebook(store, codebook)
    source = resolve_source(store, cb, coder=coder, final=final, rounds=rounds)
    return workflow_for(store, cb, source, interview_codebook=interview_codebook,
                        interview_source=interview_source, quotes=quotes, top=top)


def workflow_for(store: Store, cb, source: Source, *, interview_codebook: str | None = "ptm-reuse-interviews",
                 interview_source: Source | None = None, quotes: int = 3, top: int = 5) -> dict:
    stage_f = cb.require_field("dl_stage")
    stages = field_values(store, cb, "dl_stage", source)
    manifest = field_values(store, cb, "manifestation", source) if cb.field("manifestation") else {}
    causes = field_values(store, cb, "root_cause", source, level=2) if cb.field("root_cause") else {}
    interview = _interview(store, interview_codebook, interview_source or Source(), quotes, top)
    order = list(interview["stages"]) or list(DEFAULT_STAGES)
    labels = dict(interview["stage_labels"])
    n = len(stages)
    out = []
    extra = [c.id for c in stage_f.codes if c.id not in order]
    for sid in order + extra:
        units = [u for u, s in stages.items() if s == sid]
        if sid in extra and not units:
            continue
        code = stage_f.code(sid)
        man = Counter(manifest[u] for u in units if u in manifest)
        rc = Counter(causes[u] for u in units if u in causes)
        mf, rf = cb.field("manifestation"), cb.field("root_cause")
        out.append({
            "id": sid, "label": code.label if code else labels.get(sid, sid), "in_workflow": sid in order,
            "in_taxonomy": code is not None, "color": code.color if code else None,
            "defects": len(units), "share": len(units) / n if n else None,
            "manifestations": [{"code": c, "label": mf.code(c).label if mf.code(c) else c, "count": k}
                               for c, k in _ranked(man)] if mf else [],
            "root_causes": [{"code": c, "label": rf.code(c).label if rf.code(c) else c, "count": k}
                            for c, k in _ranked(rc, top)] if rf else [],
            "interview": interview["by_stage"].get(sid, {"segments": 0, "codes": [], "quotes": []}),
        })
    return {"codebook": cb.id, "source": source.describe(), "n_defects": n, "stages": out,
            "interview_codebook": interview["codebook"], "interview_note": interview["note"],
            "interview_source": (interview_source or Source()).describe()}


def _interview(store: Store, codebook_id: str | None, source: Source, quotes: int, top: int) -> dict:
    empty = {"codebook": None, "stages": [], "stage_labels": {}, "by_stage": {}, "note": None}
    if not codebook_id:
        return empty
    try:
        icb = get_codebook(store, codebook_id)
    except NotFound:
        return {**empty, "note": f"no interview codebook {codebook_id!r} in this study"}
    sf = icb.field(STAGE_FIELD)
    if sf is None:
        return {**empty, "codebook": icb.id, "note": f"{icb.id!r} has no {STAGE_FIELD!r} field"}
    repo = store.defects
    coders = [source.coder] if source.coder else None
    tags: dict[int, set[tuple[str, str]]] = defaultdict(set)
    for uid, fid, _c, _r, value in repo.values(icb.id, coders=coders, rounds=source.rounds, final=source.final):
        f = icb.field(fid)
        if f is None or not f.is_coded or value is None:
            continue
        for code in (_decode_multi(value) if f.is_multi else [value]):
            tags[uid].add((fid, code))
    if not source.final:
        for uid, fid, _c, code in repo.span_codes(icb.id, coders=coders):
            tags[uid].add((fid, code))
    by_stage: dict[str, dict[str, Any]] = {}
    for stage in sf.codes:
        segs = sorted(u for u, t in tags.items() if (STAGE_FIELD, stage.id) in t)
        codes = Counter((fid, c) for u in segs for fid, c in tags[u] if fid != STAGE_FIELD)
        qs = []
        for u in segs[:quotes]:
            unit = store.units.get(u)
            text = " ".join((unit or {}).get("text", "").split())
            qs.append({"unit": unit["key"] if unit else str(u), "text": text[:240] + ("..." if len(text) > 240 else "")})
        by_stage[stage.id] = {"segments": len(segs), "quotes": qs, "codes": [
            {"field": fid, "code": c, "label": _code_label(icb, fid, c), "segments": k}
            for (fid, c), k in _ranked(codes, top)]}
    return {"codebook": icb.id, "stages": [c.id for c in sf.codes],
            "stage_labels": {c.id: c.label for c in sf.codes}, "by_stage": by_stage, "note": None}


def _ranked(counts: Counter, top: int | None = None) -> list[tuple]:
    """Most frequent first, ties by key: `Counter.most_common` keeps insertion order among ties, and
    codes gathered from sets arrive in an order that changes with Python's hash seed."""
    return sorted(counts.items(), key=lambda kv: (-kv[1], str(kv[0])))[:top]


def _decode_multi(value: str) -> list[str]:
    import json

    try:
        v = json.loads(value)
    except ValueError:
        return [value]
    return v if isinstance(v, list) else [str(v)]


def _code_label(cb, fid: str, code: str) -> str:
    f = cb.field(fid)
    c = f.code(code) if f else None
    return c.label if c else code


def workflow_dot(view: dict) -> str:
    """Graphviz DOT: the stages left to right, each box with its defects and manifestations, and the
    interview evidence for the stage in a note below it."""
    e = html.escape
    lines = ["digraph workflow {", '  rankdir=LR; nodesep=0.3; ranksep=0.4;',
             '  node [shape=plaintext, fontname="Helvetica", fontsize=11];', '  edge [color="#777777"];']
    flow = [s for s in view["stages"] if s["in_workflow"]]
    for s in view["stages"]:
        share = f" ({100 * s['share']:.0f}%)" if s["share"] is not None else ""
        rows = "".join(f'<TR><TD ALIGN="LEFT">{e(m["label"])}</TD><TD ALIGN="RIGHT">{m["count"]}</TD></TR>'
                       for m in s["manifestations"])
        color = s["color"] or "#bbbbbb"
        lines.append(f'  "{s["id"]}" [label=<<TABLE BORDER="1" CELLBORDER="0" CELLPADDING="3" COLOR="{color}">'
                     f'<TR><TD COLSPAN="2" BGCOLOR="{color}"><FONT COLOR="white"><B>{e(s["label"])}</B></FONT></TD></TR>'
                     f'<TR><TD COLSPAN="2">{s["defects"]} defects{share}</TD></TR>{rows}</TABLE>>];')
        iv = s["interview"]
        if iv["segments"]:
            codes = "<BR ALIGN=\"LEFT\"/>".join(f"{e(c['label'])} ({c['segments']})" for c in iv["codes"][:4])
            lines.append(f'  "{s["id"]}_iv" [shape=note, fontsize=9, label=<<B>{iv["segments"]} interview '
                         f'segment(s)</B><BR ALIGN="LEFT"/>{codes}<BR ALIGN="LEFT"/>>];')
            lines.append(f'  "{s["id"]}" -> "{s["id"]}_iv" [style=dashed, arrowhead=none];')
    for a, b in zip(flow, flow[1:]):
        lines.append(f'  "{a["id"]}" -> "{b["id"]}" [penwidth=2];')
    lines.append("}")
    return "\n".join(lines)


def workflow_table(view: dict) -> str:
    lines = [f"Reengineering workflow ({view['source']}; {view['n_defects']} defects with a stage)"]
    for s in view["stages"]:
        share = f"{100 * s['share']:5.1f}%" if s["share"] is not None else "    -"
        man = ", ".join(f"{m['label']} {m['count']}" for m in s["manifestations"]) or "-"
        flag = "" if s["in_workflow"] else "  (outside the workflow)"
        lines.append(f"{s['label']:<18} {s['defects']:>5} {share}  {man}{flag}")
        iv = s["interview"]
        if iv["segments"]:
            lines.append(f"{'':<18} interviews: {iv['segments']} segment(s); "
                         + ", ".join(f"{c['label']} ({c['segments']})" for c in iv["codes"]))
    if view["interview_note"]:
        lines.append(f"note: {view['interview_note']}")
    return "\n".join(lines)

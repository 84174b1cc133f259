"""The PRISMA 2020 flow diagram from the study's own records and decisions: counts, SVG and PNG.

Counts (every one derived, none typed in):
- identified: paper records per source database, duplicates included; snowballed records form the
  "other methods" column (citation searching, backward and forward);
- duplicates removed: records linked as duplicates (see `dedup`);
- screened: the remaining records; excluded / sought for retrieval: title-and-abstract verdicts;
- not retrieved: full-text exclusions for the reason `not-retrieved`; assessed: the other full-text
  verdicts; excluded with reasons: full-text exclusions per criterion; included: full-text includes.
Papers still waiting for a verdict (unscreened, one reviewer so far, or in conflict) are counted
as "awaiting" at their stage, so every box adds up: screened = excluded + sought + awaiting, and
sought = not retrieved + assessed + awaiting. The other-methods column has a screening box too
(the 2020 template has none there) because snowballed records are screened like the rest.
The SVG is drawn here; the PNG is rendered from it by vl-convert (resvg, `services.charts`) at
print resolution, so both always agree.
"""

from __future__ import annotations

from xml.sax.saxutils import escape

from studyapp.errors import NotFound
from studyapp.services.papers import screening
from studyapp.store import Store


def _column(ids: list[int], dups: dict, ta: dict, ft: dict, labels: dict[str, str]) -> dict:
    primaries = [i for i in ids if i not in dups]
    tas = [ta.get(i) for i in primaries]
    excluded = sum(1 for v in tas if v and v.status == "excluded")
    sought = [i for i in primaries if ta.get(i) and ta[i].status == "included"]
    fts = [ft.get(i) for i in sought]
    not_retrieved = sum(1 for v in fts if v and v.status == "excluded" and v.reason == screening.NOT_RETRIEVED)
    reasons: dict[str, int] = {}
    for v in fts:
        if v and v.status == "excluded" and v.reason != screening.NOT_RETRIEVED:
            label = labels.get(v.reason or "", v.reason or "no reason recorded")
            reasons[label] = reasons.get(label, 0) + 1
    included = sum(1 for v in fts if v and v.status == "included")
    excluded_ft = sum(reasons.values())
    return {"identified": len(ids), "duplicates_removed": len(ids) - len(primaries), "screened": len(primaries),
            "excluded_screening": excluded, "awaiting_screening": len(primaries) - excluded - len(sought),
            "sought": len(sought), "not_retrieved": not_retrieved, "assessed": excluded_ft + included,
            "excluded_reasons": dict(sorted(reasons.items())), "excluded_full_text": excluded_ft,
            "awaiting_full_text": len(sought) - not_retrieved - excluded_ft - included, "included": included}


def prisma_counts(store: Store) -> dict:
    """Every number of the PRISMA 2020 flow diagram, as a JSON-ready dict (see the module doc)."""
    repo = store.papers
    dups = repo.duplicate_map()
    snow = repo.snowballed()
    ids = [u["id"] for u in store.units.list("paper", with_text=False)]
    try:
        ta, ft = screening.verdicts(store, "ta"), screening.verdicts(store, "ft")
        reason_field = screening.screening_codebook(store).require_field("reason_ft")
        labels = {c.id: f"{c.id}: {c.label}" if c.id != screening.NOT_RETRIEVED else c.label
                  for c in reason_field.all_codes()}
    except NotFound:
        ta, ft, labels = {}, {}, {}
    main = _column([i for i in ids if i not in snow], dups, ta, ft, labels)
    other_ids = [i for i in ids if i in snow]
    out = {"databases": repo.source_counts(), "registers": 0, **main}
    out["other_methods"] = None
    if other_ids:
        other = _column(other_ids, dups, ta, ft, labels)
        other["sources"] = {f"{d.capitalize()} citation searching": sum(1 for i in other_ids if snow[i] == d)
                            for d in ("backward", "forward") if any(snow[i] == d for i in other_ids)}
        out["other_methods"] = other
    out["included_databases"] = main["included"]
    out["included_other_methods"] = out["other_methods"]["included"] if other_ids else 0
    out["included_total"] = out["included_databases"] + out["included_other_methods"]
    return out


# -- drawing -------------------------------------------------------------------------------------

LINE, PAD, FONT = 17, 10, 13
STYLE = {"box": 'fill="#ffffff" stroke="#1f2937" stroke-width="1.2"', "phase": 'fill="#bfdbfe" stroke="#1f2937"',
         "head": 'fill="#fde68a" stroke="#1f2937"'}


def _h(lines: list[str]) -> int:
    return PAD * 2 + LINE * len(lines)


def _box(x: float, y: float, w: float, lines: list[str], style: str = "box", h: int | None = None) -> str:
    h = h or _h(lines)
    parts = [f'<rect x="{x}" y="{y}" width="{w}" height="{h}" rx="4" {STYLE[style]}/>']
    for i, line in enumerate(lines):
        bold = ' font-weight="bold"' if line.startswith("**") else ""
        text = escape(line.strip("*"))
        indent = 14 if line.startswith("  ") else 0
        parts.append(f'<text x="{x + PAD + indent}" y="{y + PAD + LINE * (i + 1) - 4}"{bold}>{text}</text>')
    return "\n".join(parts)


def _arrow(x1: float, y1: float, x2: float, y2: float) -> str:
    return f'<path d="M{x1},{y1} L{x2},{y2}" stroke="#1f2937" stroke-width="1.4" fill="none" marker-end="url(#arr)"/>'


def _n(v: int) -> str:
    return f"(n = {v})"


def _rows(c: dict, other: bool) -> list[tuple[list[str], list[str]]]:
    if other:
        ident = ["**Records identified from:", "Citation searching " + _n(c["identified"])] + [
            f"  {k.split()[0]} {_n(v)}" for k, v in c["sources"].items()]
        removed = ["**Records removed before screening:", "Duplicate records " + _n(c["duplicates_removed"])]
    else:
        ident = ["**Records identified from:", "Databases " + _n(c["identified"])] + [
            f"  {k} {_n(v)}" for k, v in c["databases"].items()] + ["Registers " + _n(c["registers"])]
        removed = ["**Records removed before screening:", "Duplicate records removed " + _n(c["duplicates_removed"]),
                   "Marked ineligible by automation tools (n = 0)", "Removed for other reasons (n = 0)"]
    excl = ["Records excluded " + _n(c["excluded_screening"])]
    if c["awaiting_screening"]:
        excl.append("Awaiting a decision " + _n(c["awaiting_screening"]))
    reasons = ["**Reports excluded:"] + [f"  {k} {_n(v)}" for k, v in c["excluded_reasons"].items()]
    if not c["excluded_reasons"]:
        reasons.append("  none (n = 0)")
    if c["awaiting_full_text"]:
        reasons.append("Awaiting a decision " + _n(c["awaiting_full_text"]))
    return [(ident, removed), (["Records screened", _n(c["screened"])], excl),
            (["Reports sought for retrieval", _n(c["sought"])], ["Reports not retrieved", _n(c["not_retrieved"])]),
            (["Reports assessed for eligibility", _n(c["assessed"])], reasons)]


def prisma_svg(counts: dict, title: str = "") -> str:
    """The PRISMA 2020 flow diagram as a standalone SVG document."""
    other = counts.get("other_methods")
    cols = [(50, 300, 370, 310)] + ([(730, 270, 1040, 280)] if other else [])
    width = 1340 if other else 700
    y0 = 70 if title else 46
    rows_main = _rows(counts, False)
    rows_other = _rows(other, True) if other else None
    body, ys = [], []
    y = y0 + 34
    for r in range(4):
        hs = [_h(rows_main[r][0]), _h(rows_main[r][1])] + ([_h(rows_other[r][0]), _h(rows_other[r][1])] if other else [])
        row_h = max(hs)
        ys.append((y, row_h))
        for ci, (lx, lw, rx, rw) in enumerate(cols):
            left, right = (rows_main if ci == 0 else rows_other)[r]
            body.append(_box(lx, y, lw, left, h=row_h))
            body.append(_box(rx, y, rw, right, h=row_h))
            body.append(_arrow(lx + lw, y + row_h / 2, rx - 2, y + row_h / 2))
            if r:
                py, ph = ys[r - 1]
                body.append(_arrow(lx + lw / 2, py + ph, lx + lw / 2, y - 2))
        y += row_h + 30
    inc = ["Studies included in review " + _n(counts["included_total"])]
    if other:
        inc += ["  from databases " + _n(counts["included_databases"]),
                "  from other methods " + _n(counts["included_other_methods"])]
    inc_h = max(_h(inc), 96)
    body.append(_box(50, y, 300, inc, h=inc_h))
    py, ph = ys[-1]
    body.append(_arrow(200, py + ph, 200, y - 2))
    if other:
        body.append(f'<path d="M{865},{py + ph} L{865},{y + inc_h / 2} L{352},{y + inc_h / 2}" stroke="#1f2937"'
                    ' stroke-width="1.4" fill="none" marker-end="url(#arr)"/>')
    height = y + inc_h + 20
    phases = [("Identification", ys[0][0], ys[0][1]), ("Screening", ys[1][0], ys[3][0] + ys[3][1] - ys[1][0]),
              ("Included", y, inc_h)]
    for name, py, ph in phases:
        cx, cy = 22, py + ph / 2
        body.append(f'<rect x="10" y="{py}" width="26" height="{ph}" rx="4" {STYLE["phase"]}/>')
        body.append(f'<text x="{cx}" y="{cy}" transform="rotate(-90 {cx} {cy})" text-anchor="middle"'
                    f' dominant-baseline="middle" font-weight="bold">{name}</text>')
    heads = [(50, 620, "Identification of studies via databases and registers")]
    if other:
        heads.append((730, 590, "Identification of studies via other methods"))
    for hx, hw, text in heads:
        body.append(f'<rect x="{hx}" y="{y0 - 6}" width="{hw}" height="28" rx="4" {STYLE["head"]}/>')
        body.append(f'<text x="{hx + hw / 2}" y="{y0 + 13}" text-anchor="middle" font-weight="bold">{escape(text)}</text>')
    if title:
        body.insert(0, f'<text x="10" y="30" font-size="16" font-weight="bold">{escape(title)}</text>')
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}"'
            f' font-family="Liberation Sans, Arial, Helvetica, sans-serif" font-size="{FONT}">\n'
            '<defs><marker id="arr" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7"'
            ' orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#1f2937"/></marker></defs>\n'
            f'<rect width="{width}" height="{height}" fill="#ffffff"/>\n' + "\n".join(body) + "\n</svg>\n")


def prisma_png(svg: str) -> bytes:
    """The diagram as PNG at print resolution (`services.charts.PRINT_PPI`)."""
    from studyapp.render.charts import svg_to_png

    return svg_to_png(svg)


def prisma(store: Store, fmt: str = "json"):
    """The diagram of `store` as 'json' (dict), 'svg' (str) or 'png' (bytes)."""
    counts = prisma_counts(store)
    if fmt == "json":
        return counts
    svg = prisma_svg(counts, f"PRISMA 2020 flow diagram: {store.title}")
    return svg if fmt == "svg" else prisma_png(svg)

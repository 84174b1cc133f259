"""Agreement on a study's codings: per field, per level of a code tree, per round, per code.

The one place the UI, the CLI and exports get agreement from. It reads a field as reliability data
(`services.reliability_data`) and hands the matrix to `stats.summarize`, so a number on the page, in
`studyapp agreement` and in a report is the same number. Agreement is always per field (pooling
fields into one kappa was a mistake seen in real data); hierarchical fields are measured at each
level of their tree; rounds are kept apart unless the caller pools them on purpose.

Blindness: statistics are aggregates and may be shown to any coder; the per-unit disagreement
list lives in `services.adjudication`, which shows only rounds open for reconciliation, and
`details_visible` tells a page whether coder-pair details (confusion matrices) may be shown.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np
import pandas as pd

from studyapp.domain.codebook import Field
from studyapp.domain.roles import Role
from studyapp.services.agreement.reliability_data import (
    ReliabilityData,
    categories_at,
    code_at_depth,
    reliability_data,
)
from studyapp.services.coding.codebooks import get_codebook
from studyapp.stats import Stat, Summary, confusion_matrix, summarize
from studyapp.store import Store

#: The statistics a headline row shows, in order; `kappa` is Cohen's for two coders, else Fleiss'.
HEADLINE = ("percent_agreement", "kappa", "krippendorff_alpha", "gwet_ac1")

LABELS = {
    "percent_agreement": "Percent agreement", "cohen_kappa": "Cohen's kappa",
    "cohen_kappa_linear": "Cohen's kappa (linear weights)",
    "cohen_kappa_quadratic": "Cohen's kappa (quadratic weights)", "scott_pi": "Scott's pi",
    "fleiss_kappa": "Fleiss' kappa", "krippendorff_alpha": "Krippendorff's alpha",
    "krippendorff_alpha_masi": "Krippendorff's alpha (MASI distance)", "gwet_ac1": "Gwet's AC1",
    "gwet_ac2_ordinal": "Gwet's AC2 (ordinal weights)", "gwet_ac2_quadratic": "Gwet's AC2 (quadratic weights)",
    "brennan_prediger": "Brennan-Prediger",
}


@dataclass(frozen=True, eq=False)
class FieldAgreement:
    """Agreement on one field (at one tree level) over the chosen rounds, coders and units."""

    codebook: str
    field: Field
    depth: int | None
    rounds: tuple[str, ...] | None
    data: ReliabilityData
    summary: Summary

    @property
    def name(self) -> str:
        """`field` or `field@level2`: how reports name a field measured at a tree level."""
        return self.field.id if self.depth is None else f"{self.field.id}@level{self.depth}"

    @property
    def label(self) -> str:
        return self.field.label if self.depth is None else f"{self.field.label} (level {self.depth})"

    @property
    def level(self) -> str:
        return "multi (MASI)" if self.summary.multi else self.summary.level

    def stat(self, name: str) -> Stat | None:
        if name == "kappa":
            return self.summary.get("cohen_kappa") or self.summary.get("fleiss_kappa")
        if name == "krippendorff_alpha" and self.summary.multi:
            return self.summary.get("krippendorff_alpha_masi")
        return self.summary.get(name)

    def code_label(self, code_id) -> str:
        code = self.field.code(str(code_id)) if isinstance(code_id, str) else None
        return code.label if code else str(code_id)

    def headline(self) -> dict:
        """One flat row: counts, the headline statistics, alpha's CI and band, any undefined reason."""
        kappa = self.stat("kappa")
        alpha = self.stat("krippendorff_alpha")
        row = {"codebook": self.codebook, "field": self.name, "label": self.label, "level": self.level,
               "rounds": ",".join(self.rounds) if self.rounds else "all", "n_units": self.summary.n_pairable,
               "n_coders": self.summary.n_coders,
               "kappa_name": kappa.name if kappa else None}
        for name in HEADLINE:
            s = self.stat(name)
            row[name] = s.value if s else None
        row["alpha_ci95"] = list(alpha.ci) if alpha and alpha.ci else None
        row["alpha_band"] = alpha.band if alpha else None
        row["kappa_band"] = kappa.band if kappa else None
        reasons = [s.undefined_reason for s in (kappa, alpha) if s and s.undefined_reason]
        row["undefined_reason"] = reasons[0] if reasons else None
        return row

    def stats_frame(self) -> pd.DataFrame:
        """Every statistic with its CI, band and the band's source (or why it is undefined)."""
        rows = []
        for name, s in self.summary.stats.items():
            rows.append({"statistic": LABELS.get(name, name), "value": s.value,
                         "ci95": f"[{s.ci[0]:.3f}, {s.ci[1]:.3f}]" if s.ci else "",
                         "interpretation": f"{s.band} ({s.band_source})" if s.band else "",
                         "n_units": s.n_units, "undefined": s.undefined_reason or ""})
        return pd.DataFrame(rows, columns=["statistic", "value", "ci95", "interpretation", "n_units", "undefined"])

    def per_code_frame(self) -> pd.DataFrame:
        """One-vs-rest agreement per code: presence/absence for multi fields, Fleiss' per category otherwise."""
        if self.summary.multi:
            rows = [{"code": c.code, "label": self.code_label(c.code), "units": c.n_units, "uses": c.n_present,
                     "percent_agreement": c.percent_agreement.value, "kappa": c.kappa.value,
                     "alpha": c.alpha.value, "band": c.alpha.band or "",
                     "undefined": c.kappa.undefined_reason or c.alpha.undefined_reason or ""}
                    for c in self.summary.per_code]
        else:
            uses = self._uses()
            rows = [{"code": k, "label": self.code_label(k), "uses": uses.get(k, 0), "kappa": s.value,
                     "band": s.band or "", "undefined": s.undefined_reason or ""}
                    for k, s in self.summary.per_category.items()]
        return pd.DataFrame(rows)

    def _uses(self) -> dict:
        if not self.data.categories:
            return {}
        m = self.data.matrix
        idx = m[~np.isnan(m)].astype(int)
        counts = np.bincount(idx, minlength=len(self.data.categories))
        return {c: int(n) for c, n in zip(self.data.categories, counts)}

    def pairwise_frame(self) -> pd.DataFrame:
        """Cohen's kappa for every coder pair, long form (coder_a, coder_b, kappa, n_units)."""
        coders = self.summary.coders
        if self.summary.pairwise is not None:
            items = self.summary.pairwise.stats.items()
        elif len(coders) == 2 and self.summary.get("cohen_kappa") is not None:
            items = [((coders[0], coders[1]), self.summary.get("cohen_kappa"))]
        else:
            items = []
        rows = []
        for (a, b), s in items:
            rows.append({"coder_a": a, "coder_b": b, "kappa": s.value, "n_units": s.n_units,
                         "undefined": s.undefined_reason or ""})
            rows.append({"coder_a": b, "coder_b": a, "kappa": s.value, "n_units": s.n_units,
                         "undefined": s.undefined_reason or ""})
        return pd.DataFrame(rows, columns=["coder_a", "coder_b", "kappa", "n_units", "undefined"])

    def confusion(self, coder_a: str, coder_b: str) -> pd.DataFrame:
        """Counts of units coder_a put in row category and coder_b in column category (code labels)."""
        if self.summary.multi or not self.data.categories:
            return pd.DataFrame()
        i, j = self.data.coders.index(coder_a), self.data.coders.index(coder_b)
        cm = confusion_matrix(self.data.matrix, i, j, categories=range(len(self.data.categories)),
                              coders=self.data.coders)
        labels = [self.code_label(c) for c in self.data.categories]
        df = pd.DataFrame(cm.table.astype(int), index=labels, columns=labels)
        used = (df.sum(axis=1) > 0) | (df.sum(axis=0) > 0)
        return df.loc[used, used]


def agreement_fields(store: Store, codebook_id: str) -> list[tuple[Field, int]]:
    """The fields agreement is computed on (all but free text) with the depth of their code tree."""
    cb = get_codebook(store, codebook_id)
    return [(f, f.depth() if f.codes else 1) for f in cb.fields if f.type != "text"]


def field_agreement(store: Store, codebook_id: str, field_id: str, *, rounds: Sequence[str] | None = None,
                    coders: Sequence[str] | None = None, unit_ids: Sequence[int] | None = None,
                    depth: int | None = None, n_boot: int = 1000, seed: int = 0,
                    confidence: float = 0.95) -> FieldAgreement:
    """Every applicable statistic for one field, optionally at one level of its code tree.

    With several rounds, a unit coded in two rounds counts as two units (one coding occasion each).
    `n_boot=0` skips the bootstrap intervals (fast overviews); `seed` makes them reproducible.
    """
    data = reliability_data(store, codebook_id, field_id, rounds=rounds, coders=coders, unit_ids=unit_ids,
                            depth=depth)
    level = data.level or "nominal"
    summary = summarize(data.matrix if data.matrix.size else np.empty((max(len(data.coders), 1), 0)),
                        level, data.categories or None, coders=data.coders or None, seed=seed, n_boot=n_boot,
                        confidence=confidence)
    return FieldAgreement(codebook_id, data.field, depth, tuple(rounds) if rounds else None, data, summary)


def field_alpha(store: Store, codebook_id: str, field_id: str, *, rounds: Sequence[str] | None = None,
                coders: Sequence[str] | None = None, unit_ids: Sequence[int] | None = None,
                depth: int | None = None) -> Stat:
    """Krippendorff's alpha of a nominal or ordinal field (optionally at one level of its code
    tree) without reading the units: the fast path for large studies and overviews. For all
    coders and units it is computed from the coincidence pairs the store keeps per field and
    round (`annotations.kept_pairs`: V x V numbers, whatever the number of units); for a subset of
    coders or units from how many coders chose each code on each unit, counted in SQL. Same value
    and same undefined reasons as `field_agreement` (tests hold all three equal)."""
    from studyapp.stats import UnitCounts, krippendorff_alpha

    field = get_codebook(store, codebook_id).require_field(field_id)
    if field.type not in ("nominal", "ordinal"):
        return field_agreement(store, codebook_id, field_id, rounds=rounds, coders=coders, unit_ids=unit_ids,
                               depth=depth, n_boot=0).stat("krippendorff_alpha")
    categories = categories_at(field, depth)
    if coders is None and unit_ids is None:
        kept = _kept_alpha(store, codebook_id, field, categories, rounds, depth)
        if kept is not None:
            return kept
    rows = store.annotations.value_counts(codebook_id, field_id, rounds=rounds, coders=coders, unit_ids=unit_ids)
    counts = np.zeros((0, len(categories)))
    if rows:
        k, index = len(categories), {c: i for i, c in enumerate(categories)}
        unit, rnd, value, n = zip(*rows)
        unit = np.fromiter(unit, np.int64, len(rows))
        starts = unit[1:] != unit[:-1]
        if len(set(rnd)) > 1:
            starts |= np.asarray(rnd[1:], dtype=object) != np.asarray(rnd[:-1], dtype=object)
        unit_idx = np.concatenate([[0], np.cumsum(starts)])
        cat_idx = np.fromiter((index.get(code_at_depth(field, v, depth), -1) for v in value), np.int64, len(rows))
        keep = cat_idx >= 0  # a value that is no code of this version (an older codebook's) is left out
        cells = np.bincount(unit_idx[keep] * k + cat_idx[keep], weights=np.asarray(n, float)[keep],
                            minlength=(int(unit_idx[-1]) + 1) * k)
        counts = cells.reshape(-1, k)
    n_coders = len(store.annotations.coders_of(codebook_id, field_id, rounds)) if coders is None else len(coders)
    return krippendorff_alpha(UnitCounts(counts, tuple(categories), n_coders=n_coders), level=field.level)


def _kept_alpha(store: Store, codebook_id: str, field: Field, categories: list[str],
                rounds: Sequence[str] | None, depth: int | None) -> Stat | None:
    """Alpha from the kept coincidence pairs, or None when the counting path must decide: no unit
    is pairable (it names the reason), or a value is no code of this codebook version (the
    counting path leaves such values out before deciding which units are pairable)."""
    from studyapp.stats import alpha_from_coincidences

    rows = store.annotations.kept_pairs(codebook_id, field.id, rounds)
    if not rows:
        return None
    index = {c: i for i, c in enumerate(categories)}
    at = {v: index.get(code_at_depth(field, v, depth), -1) for v in {r[2] for r in rows} | {r[3] for r in rows}}
    rnd, m, a, b, n = zip(*rows)
    ia = np.fromiter((at[v] for v in a), np.int64, len(rows))
    ib = np.fromiter((at[v] for v in b), np.int64, len(rows))
    if (ia < 0).any() or (ib < 0).any():
        return None
    m, n = np.asarray(m, dtype=np.int64), np.asarray(n, dtype=np.int64)
    v = len(categories)
    w = n / (m - 1.0)
    other = np.asarray(a, dtype=object) != np.asarray(b, dtype=object)  # kept once for both orders
    cells = np.concatenate([ia * v + ib, (ib * v + ia)[other]])
    o = np.bincount(cells, weights=np.concatenate([w, w[other]]), minlength=v * v).reshape(v, v)
    per_m: dict[tuple, int] = {}
    ordered = np.where(other, 2 * n, n)
    for key, count in zip(zip(rnd, m.tolist()), ordered.tolist()):
        per_m[key] = per_m.get(key, 0) + count
    n_units = sum(total // (mm * (mm - 1)) for (_, mm), total in per_m.items())
    n_coders = len(store.annotations.coders_of(codebook_id, field.id, rounds))
    return alpha_from_coincidences(o, level=field.level, domain=tuple(categories), n_units=n_units,
                                   n_coders=n_coders)


def codebook_agreement(store: Store, codebook_id: str, *, rounds: Sequence[str] | None = None,
                       coders: Sequence[str] | None = None, levels: bool = True, n_boot: int = 1000,
                       seed: int = 0) -> list[FieldAgreement]:
    """Each field of a codebook that has codings, and each level of hierarchical fields."""
    out = []
    used = {f for cb, f in store.annotations.fields_in_use() if cb == codebook_id}
    for field, depth in agreement_fields(store, codebook_id):
        if field.id not in used:
            continue
        depths = [None] + ([d for d in range(1, depth)] if levels and depth > 1 else [])
        for d in depths:
            out.append(field_agreement(store, codebook_id, field.id, rounds=rounds, coders=coders, depth=d,
                                       n_boot=n_boot, seed=seed))
    return out


def agreement_by_round(store: Store, codebook_id: str, field_id: str, *, coders: Sequence[str] | None = None,
                       depth: int | None = None, n_boot: int = 1000, seed: int = 0) -> list[FieldAgreement]:
    """The same field in each round, in the study's round order: does agreement rise from pilot to final?"""
    used = set(store.annotations.rounds_of(codebook_id, field_id))
    order = [r["id"] for r in store.rounds.list() if r["id"] in used]
    return [field_agreement(store, codebook_id, field_id, rounds=[r], coders=coders, depth=depth,
                            n_boot=n_boot, seed=seed) for r in order]


def details_visible(store: Store, viewer: str | None, rounds: Sequence[str] | None) -> bool:
    """Coder-pair details (confusion matrices) can reveal another coder's labels to a coder who
    knows their own: shown to a lead, or when every chosen round is open for reconciliation."""
    if viewer and Role.of(store, viewer).can_see_all_values:
        return True
    chosen = list(rounds) if rounds else [r["id"] for r in store.rounds.list()]
    return bool(chosen) and all(store.rounds.is_open(r) for r in chosen)


def reconciliation_progress(store: Store, codebook_id: str) -> pd.DataFrame:
    """Per field: disagreements in open rounds, how many have a final value, how many are left."""
    from studyapp.services.agreement.adjudication import disagreements

    rows = []
    used = {f for cb, f in store.annotations.fields_in_use() if cb == codebook_id}
    for field, _ in agreement_fields(store, codebook_id):
        if field.id not in used:
            continue
        d = disagreements(store, codebook_id, field.id)
        rows.append({"field": field.id, "label": field.label, "disagreements": d.total, "resolved": d.resolved,
                     "open": d.total - d.resolved, "hidden_rounds": ", ".join(d.hidden_rounds)})
    return pd.DataFrame(rows, columns=["field", "label", "disagreements", "resolved", "open", "hidden_rounds"])

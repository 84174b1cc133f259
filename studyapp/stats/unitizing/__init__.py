"""Krippendorff's alpha for unitizing a continuum: agreement on quote spans, not on whole turns.

Pure functions (numpy only, nothing of studyapp above `studyapp.stats`). Spans are character
offsets, end exclusive; a transcript is a continuum; several transcripts of a field are several
continua whose coincidences add. docs/unitizing.md explains how to read each coefficient.

    unitizing_agreement(spans, lengths, *, coders=None, codes=None, n_boot=1000,
                        confidence=0.95, seed=0, resample="regions") -> UnitizingAgreement
        spans: DataFrame or rows of (continuum, coder, start, end, code); with `lengths` an int
        (one continuum) rows are (coder, start, end, code). lengths: {continuum: characters}.
        coders: who coded each continuum (sequence for all, mapping per continuum; default:
        every coder with a span). A listed coder with no spans marked nothing (all gap); an
        unlisted one did not code that continuum (missing). codes: the field's codes.
        -> .u_alpha (u-alpha: units and their codes, gaps included), .binary (|u-alpha: coded
        or not; ATLAS.ti alpha-binary), .cu_alpha (cu-alpha: codes where coded spans meet;
        ATLAS.ti cu-alpha), .per_code (CodeUnitizing: .ku_alpha (k)u-alpha, .binary "k or not",
        .coverage), .coverage, .length, .to_dict(). Every value is a `Stat` (value or reason,
        bootstrap CI).
    cu_alpha_across_fields({field: spans}, lengths, ...) -> Stat     ATLAS.ti's Cu-alpha
    krippendorff_2004_u_alpha(spans, lengths, ...) -> LegacyUnitizing  the 1995/2004 per-code
        alpha (DKPro Agreement / INCEpTION), .alpha and .per_code

Sources: Krippendorff (1995) Sociological Methodology 25:47-76; Krippendorff (2004) Content
Analysis, 2nd ed., ch. 11; Krippendorff, Mathet, Bouvry & Widloecher (2016) Quality &
Quantity 50:2347-2364; Krippendorff (2019) Content Analysis, 4th ed., sec. 12.6.
"""

from studyapp.stats.unitizing.family import (
    CodeUnitizing,
    UnitizingAgreement,
    cu_alpha_across_fields,
    unitizing_agreement,
)
from studyapp.stats.unitizing.legacy import LegacyUnitizing, krippendorff_2004_u_alpha

__all__ = ["CodeUnitizing", "LegacyUnitizing", "UnitizingAgreement", "cu_alpha_across_fields",
           "krippendorff_2004_u_alpha", "unitizing_agreement"]

"""Paper-ready tables: one pandas DataFrame rendered as booktabs LaTeX, GitHub Markdown or CSV.

Every table studyapp gives for writing (agreement, `irr`, cross-tabs, claim evidence, code
frequencies) goes through `render_table`, so escaping and layout are decided once:
- LaTeX: `\\toprule/\\midrule/\\bottomrule` (booktabs), cells escaped (& % $ # _ { } ~ ^ \\ and the
  characters OT1 fonts print wrongly: < > |) and line breaks folded, numbers right-aligned, an
  optional `table` float with caption and label, notes in a footnote-size paragraph below (or as `%`
  comments without the float);
- Markdown: GitHub pipe tables, pipes escaped and newlines folded, numbers right-aligned, the caption
  in bold above and the notes below;
- CSV: the frame as is, with text cells neutralised against formula injection.
Cells are formatted here too: floats with `digits` decimals, missing values (None, NaN) as `missing`.
Callers that need other text (a CI as "[lo, hi]") put strings in the frame.
"""

from __future__ import annotations

import math
import re
from typing import Sequence

import pandas as pd

from studyapp.errors import StudyError

FORMATS = ("markdown", "latex", "csv")
MIME = {"markdown": ("md", "text/markdown"), "latex": ("tex", "text/x-tex"), "csv": ("csv", "text/csv")}

_TEX = {"\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_",
        "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}",
        "<": r"\textless{}", ">": r"\textgreater{}", "|": r"\textbar{}", "›": r"\textgreater{}",
        "…": r"\ldots{}"}


def tex_escape(text: object) -> str:
    """Text as LaTeX that prints it literally (in any font encoding)."""
    return "".join(_TEX.get(ch, ch) for ch in str(text))


def md_escape(text: object) -> str:
    """Text for one cell of a GitHub pipe table: pipes escaped, line breaks folded into spaces."""
    return " ".join(str(text).replace("|", "\\|").split())


def cell_text(value: object, digits: int = 3, missing: str = "") -> str:
    """How a cell reads in a paper: floats with `digits` decimals, whole numbers as they are."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return missing
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    if hasattr(value, "item") and not isinstance(value, str):  # numpy scalars
        return cell_text(value.item(), digits, missing)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(cell_text(v, digits, missing) for v in value) + "]"
    return str(value)


def _align(df: pd.DataFrame, align: str | None) -> str:
    if align is not None:
        if len(align) != len(df.columns) or set(align) - set("lrc"):
            raise ValueError(f"align {align!r} needs one of l/r/c per column ({len(df.columns)})")
        return align
    return "".join("r" if pd.api.types.is_numeric_dtype(df[c]) and not pd.api.types.is_bool_dtype(df[c]) else "l"
                   for c in df.columns)


def _cells(df: pd.DataFrame, digits: int, missing: str) -> list[list[str]]:
    return [[cell_text(v, digits, missing) for v in row] for row in df.itertuples(index=False, name=None)]


def _label(label: str) -> str:
    return re.sub(r"[^A-Za-z0-9:._-]+", "-", label).strip("-")


def to_latex(df: pd.DataFrame, *, caption: str | None = None, label: str | None = None,
             notes: Sequence[str] | str = (), align: str | None = None, headers: Sequence[str] | None = None,
             float_env: bool = True, size: str | None = r"\small", digits: int = 3, missing: str = "") -> str:
    """A booktabs tabular of `df`; inside a `table` float with caption, label and notes unless
    `float_env` is False (then notes become `%` comments after the tabular). `headers` are raw LaTeX
    column heads (e.g. `$\\kappa$`); without them the column names are escaped."""
    notes = [notes] if isinstance(notes, str) else list(notes)
    spec = _align(df, align)
    head = list(headers) if headers is not None else [tex_escape(c) for c in df.columns]
    if len(head) != len(df.columns):
        raise ValueError("one header per column")
    body = [r"\begin{tabular}{" + spec + "}", r"\toprule", " & ".join(head) + r" \\", r"\midrule"]
    body += [" & ".join(tex_escape(" ".join(c.split())) for c in row) + r" \\" for row in _cells(df, digits, missing)]
    body += [r"\bottomrule", r"\end{tabular}"]
    if not float_env:
        return "\n".join(body + [f"% {n}" for n in notes]) + "\n"
    out = [r"% requires \usepackage{booktabs}", r"\begin{table}[ht]", r"\centering"] + ([size] if size else [])
    if caption:
        out.append(rf"\caption{{{tex_escape(caption)}}}")
    if label:
        out.append(rf"\label{{{_label(label)}}}")
    out += body
    if notes:
        out.append(r"\par\footnotesize " + " ".join(tex_escape(n) for n in notes))
    return "\n".join(out + [r"\end{table}"]) + "\n"


def to_markdown(df: pd.DataFrame, *, caption: str | None = None, notes: Sequence[str] | str = (),
                align: str | None = None, digits: int = 3, missing: str = "") -> str:
    """A GitHub pipe table of `df`, the caption in bold above it and each note as a line below."""
    notes = [notes] if isinstance(notes, str) else list(notes)
    rule = {"l": "---", "r": "---:", "c": ":---:"}
    lines = [f"**{md_escape(caption)}**", ""] if caption else []
    lines += ["| " + " | ".join(md_escape(c) for c in df.columns) + " |",
              "|" + "|".join(rule[a] for a in _align(df, align)) + "|"]
    lines += ["| " + " | ".join(md_escape(c) for c in row) + " |" for row in _cells(df, digits, missing)]
    if notes:
        lines += [""] + [" ".join(n.split()) for n in notes]
    return "\n".join(lines) + "\n"


def to_csv(df: pd.DataFrame, *, index: bool = False) -> str:
    """The frame as CSV (with its index labels only when `index`), text cells neutralised so no
    spreadsheet runs them as formulas: every table studyapp writes as CSV comes through here."""
    from studyapp.domain.spreadsheet_safe import safe_frame

    return safe_frame(df).to_csv(index=index, lineterminator="\n")


def render_table(df: pd.DataFrame, fmt: str, *, caption: str | None = None, label: str | None = None,
                 notes: Sequence[str] | str = (), align: str | None = None, digits: int = 3,
                 missing: str = "") -> str:
    """`df` as text in `fmt` (one of FORMATS); the caption, label and notes go where the format has room."""
    if fmt == "latex":
        return to_latex(df, caption=caption, label=label, notes=notes, align=align, digits=digits, missing=missing)
    if fmt == "markdown":
        return to_markdown(df, caption=caption, notes=notes, align=align, digits=digits, missing=missing)
    if fmt == "csv":
        return to_csv(df)
    raise StudyError(f"unknown table format {fmt!r}: use one of {', '.join(FORMATS)}")


#: Column ids of the read-models and exports as people read them (UI tables, Markdown, LaTeX).
#: CSV and JSON exports that are a data interface keep the ids (scripts read them).
HUMAN_COLUMNS = {
    "field": "Field", "field_label": "Field", "code": "Code id", "label": "Code", "segments": "Turns",
    "participants": "Participants", "transcripts": "Transcripts", "share": "Share of participants",
    "group": "Group", "group_size": "Group size", "round": "Round", "coder": "Coder", "coders": "Coders",
    "n_units": "Units", "n_coders": "Coders", "units": "Units", "kappa": "Cohen's κ", "alpha": "Krippendorff's α",
    "krippendorff_alpha": "Krippendorff's α", "cohen_kappa": "Cohen's κ", "fleiss_kappa": "Fleiss' κ",
    "percent_agreement": "% agreement", "agreement": "% agreement", "undefined": "Undefined",
    "undefined_reason": "Why undefined", "ci_low": "CI low", "ci_high": "CI high", "ci": "95% CI",
    "n_pairs": "Pairs", "level": "Level", "coder_a": "Coder A", "coder_b": "Coder B", "count": "Count",
    "statistic": "Statistic", "p_value": "p", "effect_size": "Effect size", "effect_name": "Effect measure",
    "verdict": "Verdict", "metric": "Metric", "value": "Value", "test": "Test", "claim": "Claim", "text": "Text",
}


def human_table(df: pd.DataFrame, field_labels: dict[str, str] | None = None,
                columns: dict[str, str] | None = None) -> pd.DataFrame:
    """`df` for people: a `field` column shows field labels (`field_labels`: id -> label), and
    column ids are renamed by `columns`, then `HUMAN_COLUMNS` (unknown ids: underscores as spaces,
    first letter capitalised)."""
    out = df.copy()
    if field_labels:
        for col in ("field", "a_field", "b_field"):
            if col in out.columns:
                out[col] = out[col].map(lambda f: field_labels.get(f, f))
    names = {**HUMAN_COLUMNS, **(columns or {})}

    def human(c: object) -> object:
        if not isinstance(c, str):
            return c
        return names.get(c) or (c.replace("_", " ")[:1].upper() + c.replace("_", " ")[1:] if "_" in c else c)

    return out.rename(columns=human)


def number_text(value: object, digits: int = 4) -> str:
    """A number as people read it: whole numbers as integers (1000, not 1000.00 or 1e+03), other
    floats with `digits` significant digits (0.3229166666666667 reads 0.3229), lists bracketed."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if isinstance(value, bool) or isinstance(value, str):
        return str(value)
    if hasattr(value, "item"):  # numpy scalars
        return number_text(value.item(), digits)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(number_text(v, digits) for v in value) + "]"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return f"{value:.{digits}g}"
    return str(value)

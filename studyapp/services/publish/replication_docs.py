"""The texts of a replication package: the README (what is here and the exact `studyapp` command that
recomputes each number) and the data dictionary (every file and every column explained).

The README's agreement commands are generated from the report's own rows, one per field, tree level
and round, so they cannot drift from what the report says; tests run them on the packaged codings.
"""

from __future__ import annotations

import csv
import fnmatch
import io
import shlex
from dataclasses import dataclass, field
from typing import Sequence

from studyapp import __version__
from studyapp.services.agreement.fields import FieldAgreement

#: (member pattern, description, {column pattern: description}).
FILES: list[tuple[str, str, dict[str, str]]] = [
    ("README.md", "What the package holds, what it leaves out about participants, and the `studyapp` command "
                  "that recomputes each number.", {}),
    ("data_dictionary.md", "This file: every file and column of the package.", {}),
    ("manifest.json", "The package's metadata (studyapp version, study, who made it and when, privacy choices, "
                      "agreement settings) and the SHA-256 and size of every other file.", {}),
    ("SHA256SUMS", "The SHA-256 of every other file, for `sha256sum -c SHA256SUMS`.", {}),
    ("codebooks/*.yaml", "A codebook exactly as stored in the study, one file per version that codings or "
                         "adjudicated values were made with (and each codebook's newest version); the name is "
                         "`<codebook>.<stored version id>.yaml`.", {}),
    ("codebooks/*.md", "The same codebook version rendered for reading: fields, code tree, definitions, when to "
                       "use a code and when not, examples.", {}),
    ("codings.csv", "Every coder's current value, one row per unit, coder, field and round (long format).", {
        "unit": "The unit's key in the study (paper key, `transcript:turn` for interview turns, defect key).",
        "coder": "The coder (a researcher; coders are named).",
        "field": "The codebook field.",
        "value": "The value: a code id; codes separated by `;` for multi-code fields; a number; or text.",
        "round": "The coding round (rounds are never pooled).",
        "codebook": "The codebook id.",
        "codebook_version": "The stored codebook version the value was made with (see codebooks/).",
        "unit_kind": "paper, transcript, segment (an interview turn) or defect.",
        "value_num": "The value's number: the code's position (or `value`) for ordinal fields, the number for "
                     "numeric fields; empty otherwise. Agreement on ordinal and numeric fields reads this column.",
        "value_level*": "For hierarchical fields, the value read at tree level N (1 = top codes; for multi-code "
                        "fields the set of ancestors, `;`-separated); empty past the field's depth.",
    }),
    ("adjudicated.csv", "The lead's final (adjudicated) values, kept apart from coders' values.", {
        "unit": "The unit's key.", "field": "The codebook field.", "value": "The final value (as in codings.csv).",
        "rationale": "Why the lead decided so.", "lead": "Who adjudicated.",
        "round": "The round whose disagreement the value resolves.", "codebook": "The codebook id.",
        "codebook_version": "The stored codebook version.", "unit_kind": "The unit's kind.",
        "at": "When (UTC, ISO 8601).",
    }),
    ("units.csv", "Every unit of the study.", {
        "unit_kind": "paper, transcript, segment (interview turn) or defect.", "unit": "The unit's key.",
        "parent": "The transcript of a turn.", "seq": "Order within the study or the transcript.",
        "participant": "The participant id(s) of an interview or turn (never a name).",
        "role": "For interview turns: interviewer or participant (speaker labels are not published).",
        "title": "The paper's or defect's title; the transcript key.",
        "text": "The abstract, the issue text, or the interview text where it may be published.",
        "text_withheld": "yes when the text exists but is not published (an interview not pseudonymised at import).",
    }),
    ("participants.csv", "The interview participants by id, with the attributes that do not identify them.", {
        "participant": "The participant id used in units.csv and the saturation tables.",
        "*": "A participant attribute as imported (`studyapp import participants`).",
    }),
    ("agreement/agreement.md", "The agreement report (Markdown): one row per field, tree level and round.", {}),
    ("agreement/agreement.tex", "The same report as a LaTeX table (booktabs).", {}),
    ("agreement/agreement.csv", "The same report for analysis, numbers with six decimals.", {
        "codebook": "The codebook id.", "field": "The field (`field@levelN`: read at tree level N).",
        "level": "nominal, ordinal, interval, ratio, or multi (MASI): the level of measurement alpha uses.",
        "rounds": "The round.", "n_units": "Units coded by two or more coders.", "n_coders": "Coders.",
        "percent_agreement": "Share of agreeing coder pairs.",
        "kappa": "Cohen's kappa for two coders, Fleiss' kappa for more.",
        "krippendorff_alpha": "Krippendorff's alpha (MASI distance for multi-code fields).",
        "alpha_ci95": "Bootstrap 95% interval of alpha, `low;high`.", "gwet_ac1": "Gwet's AC1.",
        "alpha_band": "Krippendorff (2004) band: reliable (>= .800), tentative conclusions only (>= .667), "
                      "unreliable.", "undefined_reason": "Why a statistic has no value.",
    }),
    ("agreement/alpha.svg", "Figure: alpha per field and round with its interval (SVG).", {}),
    ("agreement/alpha.png", "The same figure as PNG at 300 ppi.", {}),
    ("claims/claims.yaml", "The study's claims with their sources, metrics, tests and decision rules "
                           "(format: docs/claims.md of studyapp).", {}),
    ("claims/validation.md", "The claims validation report: verdicts with reasons, each check's numbers and "
                             "the exact queries it ran.", {}),
    ("claims/validation.json", "The same validation records as JSON (what `studyapp validate` records).", {}),
    ("claims/evidence.md", "The evidence table (one row per claim) in Markdown.", {}),
    ("claims/evidence.tex", "The evidence table as LaTeX (booktabs).", {}),
    ("claims/*", "A data file a claim names (e.g. registry snapshots), copied from the study folder at the "
                 "path the claim gives, relative to claims/claims.yaml.", {"*": "As in the source file."}),
    ("prisma/prisma.json", "Every number of the PRISMA 2020 flow diagram.", {}),
    ("prisma/prisma.svg", "The PRISMA 2020 flow diagram (SVG).", {}),
    ("prisma/prisma.png", "The same diagram as PNG at 300 ppi.", {}),
    ("saturation/*.csv", "Code mentions for saturation: one row per code on an interview turn, in interview "
                         "order (every coder's codes).", {
        "participant": "The participant id.", "code": "`field:code`."}),
    ("saturation/*.json", "The saturation curve: new codes per participant and the cumulative count.", {}),
    ("saturation/*.svg", "Figure: the saturation curve (SVG).", {}),
    ("saturation/*.png", "The same figure as PNG at 300 ppi.", {}),
]


def describe(name: str) -> tuple[str, dict[str, str]]:
    for pattern, text, cols in FILES:
        if fnmatch.fnmatchcase(name, pattern):
            return text, cols
    return "A file of the package.", {}


def _column_text(col: str, cols: dict[str, str]) -> str:
    for pattern, text in cols.items():
        if fnmatch.fnmatchcase(col, pattern):
            return text
    return "See the file's description."


def header(data: bytes) -> list[str]:
    try:
        return next(csv.reader(io.StringIO(data.decode("utf-8-sig").split("\n", 1)[0] + "\n")), [])
    except (UnicodeDecodeError, StopIteration):
        return []


def data_dictionary(members: dict[str, bytes], *, title: str) -> str:
    """Every member (and this file, the manifest and the checksums, written after it) with what it
    holds; every CSV column explained."""
    lines = [f"# Data dictionary: {title}", "", "Every file of this replication package, and for tables "
             "every column. Text files are UTF-8; CSV files have a header row and use `,`; cells a "
             "spreadsheet would run as a formula start with an apostrophe.", ""]
    for name in sorted(set(members) | {"data_dictionary.md", "manifest.json", "SHA256SUMS"}):
        text, cols = describe(name)
        lines += [f"## `{name}`", "", text, ""]
        if name.endswith(".csv") and name in members:
            heads = header(members[name])
            lines += ["| column | meaning |", "|---|---|"]
            lines += [f"| `{c}` | {_column_text(c, cols)} |" for c in heads]
            lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"


@dataclass
class ReadmeFacts:
    """What the README says beyond the agreement rows (collected while the package is built)."""

    title: str
    created_at: str
    lead: str
    include_identifying: bool
    dropped_attributes: list[str] = field(default_factory=list)
    withheld_texts: int = 0
    redactions: int = 0
    n_boot: int = 1000
    seed: int = 0
    saturation: list[str] = field(default_factory=list)
    claims: bool = False
    validation_source: str = ""
    dataset: dict | None = None
    prisma: bool = False
    participants: bool = False
    codebooks: list[str] = field(default_factory=list)


def irr_args(fa: FieldAgreement, n_boot: int, seed: int) -> list[str]:
    """The `studyapp irr` arguments that recompute one agreement report row from codings.csv."""
    h = fa.headline()
    level = fa.summary.level
    args = ["studyapp", "irr", "--long", "codings.csv", "--where", f"codebook={fa.codebook}",
            "--where", f"field={fa.field.id}", "--where", f"round={h['rounds']}"]
    if fa.depth:
        args += ["--value", f"value_level{fa.depth}"]
    elif not fa.summary.multi and level in ("ordinal", "interval", "ratio"):
        args += ["--value", "value_num"]
    if fa.summary.multi:
        args += ["--multi", ";"]
    elif level != "nominal":
        args += ["--level", level]
    return args + ["--n-boot", str(n_boot), "--seed", str(seed), "--format", "json"]


def _num(v) -> str:
    return "undefined" if v is None else f"{v:.3f}"


def readme(facts: ReadmeFacts, rows: Sequence[FieldAgreement]) -> str:
    f = facts
    out = [f"# Replication package: {f.title}", "",
           f"Made with studyapp {__version__} on {f.created_at[:10]} by {f.lead} (a lead of the study). Every "
           "file is listed, with each column of each table, in `data_dictionary.md`; `manifest.json` and "
           "`SHA256SUMS` hold a SHA-256 per file (`sha256sum -c SHA256SUMS` checks them).", "",
           "## What is here", "",
           "- `codebooks/`: every codebook version used, as YAML (as stored) and as readable Markdown.",
           "- `codings.csv`: every coder's values, long format (unit, coder, field, value, round, ...).",
           "- `adjudicated.csv`: the lead's final values with their rationale.",
           "- `units.csv`: the units coded" + (" and `participants.csv`: the interview participants (by id)."
                                                if f.participants else "."),
           "- `agreement/`: the agreement report (Markdown, LaTeX, CSV) and its figure (SVG, PNG)."]
    if f.claims:
        out.append("- `claims/`: the claims, their validation report with the exact queries, the evidence table.")
    if f.prisma:
        out.append("- `prisma/`: the PRISMA 2020 counts (JSON) and flow diagram (SVG, PNG).")
    if f.saturation:
        out.append("- `saturation/`: code mentions per interview, the saturation curve and its figure.")
    out += ["", "## Privacy", ""]
    if f.include_identifying:
        out += ["**This package includes identifying data about participants**, at the lead's request "
                "(`--include-identifying`): participant attributes and interview texts as stored. Do not "
                "publish it without the participants' consent.", ""]
    else:
        out += ["Coders are researchers and are named. Participants appear only by their id.",
                "Participant attributes that identify a person were left out: "
                + (", ".join(f"`{a}`" for a in f.dropped_attributes) or "none in this study") + ".",
                f"Interview texts not pseudonymised at import were withheld: {f.withheld_texts} unit(s) "
                "(`text_withheld` in units.csv).",
                f"Participant names, e-mails and other direct identifiers found in texts were replaced by the "
                f"participant id: {f.redactions} replacement(s).", ""]
    out += ["## Recompute every number", "",
            "Install studyapp (the version above or later) and run the commands below in this folder. Each "
            "prints JSON; compare `krippendorff_alpha`, `percent_agreement` and the kappa with "
            "`agreement/agreement.csv`.", "", "### Agreement", "",
            "One command per row of the report: the rows of one codebook field and round of `codings.csv`. "
            "Ordinal and numeric fields read `value_num`; a hierarchical field at tree level N reads "
            "`value_levelN`; multi-code fields compare sets of codes (`--multi \";\"`, alpha with the MASI "
            f"distance). Intervals are bootstrapped with {f.n_boot} resamples and seed {f.seed}, as in the report. "
            "`irr` reports all units that have a value (the report: those with two or more coders), and "
            "Gwet's AC1 counts the categories it sees (the report: every code of the codebook), so AC1 differs "
            "where a code was never used.", "", "```bash"]
    for fa in rows:
        h = fa.headline()
        out.append(f"# {fa.codebook} {fa.name}, round {h['rounds']}: alpha {_num(h['krippendorff_alpha'])}, "
                   f"kappa {_num(h['kappa'])}, agreement {_num(h['percent_agreement'])}")
        out.append(shlex.join(irr_args(fa, f.n_boot, f.seed)))
    out += ["```", "", "With the study itself (a lead's `studyapp export` archive, `studyapp import-study`), "
            f"`studyapp agreement STUDY --format csv --n-boot {f.n_boot} --seed {f.seed}` prints "
            "`agreement/agreement.csv` again.", ""]
    if f.saturation:
        out += ["### Saturation", "", "```bash"]
        out += [shlex.join(["studyapp", "saturation", f"saturation/{cb}.csv", "--format", "json"])
                + f"   # = saturation/{cb}.json" for cb in f.saturation]
        out += ["```", "", "A participant with no code adds no row to the CSV; the JSON lists them with 0 new codes.",
                ""]
    if f.claims:
        ds = f.dataset or {}
        out += ["### Claims", "", f"The validation in `claims/validation.md` comes from {f.validation_source}."]
        if ds:
            out.append(f"It ran on the dataset `{ds.get('name')}` ({ds.get('bytes', '?')} bytes"
                       + (f", SHA-256 `{ds['sha256']}`" if ds.get("sha256") else "") + "), which is not included: "
                       "get a copy (`studyapp dataset info DATASET` shows its schema; the SHA-256 tells whether it "
                       "is the same file) and run")
        out += ["", "```bash", "studyapp validate --claims claims/claims.yaml --dataset DATASET --format markdown",
                "```", "", "Claims on the study's own codings (metric `coding_share` and the like) count "
                "`codings.csv` and `adjudicated.csv`; their queries in `validation.md` name the codebook, field "
                "and values counted. `studyapp validate STUDY --no-record` recomputes them on the study.", ""]
    if f.prisma:
        out += ["### PRISMA", "", "`prisma/prisma.json` holds every count of the diagram, derived from the "
                "screening decisions (the screening codebook's values in `codings.csv` and "
                "`adjudicated.csv`) and the duplicate links; on the study, `studyapp prisma STUDY --format json` "
                "prints it again.", ""]
    out += ["### Codebooks", "", "```bash"] + [f"studyapp codebook validate codebooks/{name}" for name in f.codebooks]
    out += ["```", ""]
    return "\n".join(out)

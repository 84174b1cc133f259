"""Write codings.csv and adjudications.csv for the demo study. Run once; both outputs are committed.

    python data/demo/generate_codings.py        # from the repository root, in the project's virtualenv

The build (`studyapp demo`) reads only the CSV files; this script is how they were made, so they can be
made again after the demo's papers, transcripts or defects change. Every unit coded here has a reference
coding below: what a careful coder would answer. Each coder's values are the reference, with a share
of them changed that depends on the field (root causes are hard, frameworks easy), the round (pilot >
calibration > main) and the coder; a change goes to a plausible neighbour (a sibling root cause, an
adjacent ordinal code, one code more or less in a multi-code field), so agreement looks like a real
study's and rises from round to round. Every random draw is seeded by what it decides, so the output
is the same on every run. alice, the lead, adjudicates most pilot disagreements with the reference.
"""

from __future__ import annotations

import csv
import random
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))

from studyapp.domain.codebook_yaml import load_codebook  # noqa: E402
from studyapp.readers.transcripts.text import read_transcript  # noqa: E402

SEED = "studyapp-demo-1"
SLR, INT, DEF = "ptm-reuse-slr", "ptm-reuse-interviews", "dl-reengineering-defects"
BOOKS = {cb: load_codebook(HERE.parents[1] / "codebooks" / f"{cb}.yaml") for cb in (SLR, INT, DEF)}
ROUNDS = ("pilot", "calibration", "main")

#: Chance that a coder departs from the reference: per round, times a factor per field and per coder.
BASE = {"pilot": 0.12, "calibration": 0.085, "main": 0.055}
CODER = {"alice": 0.75, "bob": 1.0, "chen": 1.15}
FIELD = {
    "is_defect": 0.35, "framework": 0.25, "repository_type": 0.4, "reporter": 1.2, "same_code": 0.6, "same_data": 1.1, "dl_stage": 1.0,
    "root_cause": 1.0, "manifestation": 1.2, "impacts": 1.2, "code_error": 1.4,
    "contribution": 0.8, "method": 1.4, "registry": 1.0, "topic": 1.6, "domain": 0.9, "sample_size": 0.7,
    "evidence_strength": 1.4, "claims_validated": 1.3, "replication_package": 0.8,
    "decision_stage": 1.1, "workflow_stage": 1.2, "attributes": 1.4, "challenges": 1.1, "selection_factors": 1.3,
}
MISSING = 0.015

# ---------------------------------------------------------------- reference codings: defects
# key | reporter same_code same_data dl_stage root_cause manifestation impacts code_error
# (or "NOT <why>" for an issue that is not a reengineering defect); abbreviations below.
DEFECTS = """
yolo-lite#3          ru y nm env api b crash ext
yolo-lite#7          ru y y train hyper r acc assign
yolo-lite#12a        ad y n model weights b crash assign
yolo-lite#12b        ad y n data pre b crash check
yolo-lite#15         ru y nm env gpu b crash conf
yolo-lite#18         ru y y env conf b hang nonf
yolo-lite#21         en n y train hyper e num alg
yolo-lite#24         ru y y data pre r acc logic
yolo-lite#27         ru y nm env doc r speed nonf
yolo-lite#30         NOT Usage question about exporting the model; no defect is reported.
yolo-lite#33         en n y train tconf e acc conf
yolo-lite#36         ru y nm model weights b crash ds
yolo-lite#40         ru y nm env api b crash ext
yolo-lite#44         ru y y env doc b mem;crash mem
yolo-lite#47         ad y nm env api b crash ext
deeplab-tf2#5        ru y nm env api b crash ext
deeplab-tf2#9        ru y y train eval r acc alg
deeplab-tf2#11       ad y n data pre e incorrect ds
deeplab-tf2#14       ru y y data pre r speed timing
deeplab-tf2#17       ru y nm model weights b crash ds
deeplab-tf2#19       ru y y model prop r acc assign
deeplab-tf2#22       ru y y train tconf b mem;crash mem
deeplab-tf2#25       en n y model prop e num assign
deeplab-tf2#28       ru y nm env conf b crash conf
deeplab-tf2#31       NOT Feature request for a new backbone; nothing is broken.
deeplab-tf2#34       ru y y train eval r acc logic
deeplab-tf2#37a      rp n y model prop r acc alg
deeplab-tf2#37b      rp n y model prop r acc assign
vz-models#101        ru y y data pre r acc assign
vz-models#104        ru y nm env api b crash ext
vz-models#108        ru y nm other low b crash ext
vz-models#112        ru y y train hyper r acc assign
vz-models#115        ad y n data pre e acc assign
vz-models#118        ru y nm model gpu b crash assign
vz-models#121        en n y env gpu e speed timing
vz-models#124        NOT A question about the evaluation protocol; no defect is reported.
vz-models#127        ru y y model prop r acc logic
vz-models#130        ad y nm env api e incorrect ext
vz-models#133        ru y y train tconf r num conf
vz-models#136        ru y y data pre b mem;crash int
vz-models#139        ad y n model weights b crash assign
vz-models#142        ru y y train tother r acc alg
vz-models#145        ru y y train opt r num alg
vz-models#148        ru y nm env api b crash ext
frcnn-keras#2        ad y n model weights b crash ds
frcnn-keras#6        ru y nm env api b crash ext
frcnn-keras#10       ru y y train loss b acc alg
frcnn-keras#13       ad y n data pre e incorrect logic
frcnn-keras#16       ru y y env conf b speed conf
frcnn-keras#20       ru y y env doc b crash int
frcnn-keras#23       ru y y env api b crash ext
frcnn-keras#26       ru y y train hyper r acc assign
frcnn-keras#29       ru y y env api b crash;mem mem
frcnn-keras#32       NOT A question about future framework support; nothing is broken.
frcnn-keras#35       ru y y data pre r acc logic
frcnn-keras#38       en n y model struct b crash ds
maskrcnn-mx#4        ru y nm env conf b crash conf
maskrcnn-mx#8        ru y y train hyper r acc assign
maskrcnn-mx#12       ru y y model prop r acc alg
maskrcnn-mx#15       ru y y env gpu b hang ext
maskrcnn-mx#19       ad y n data pre e incorrect alg
maskrcnn-mx#22       ad y n train loss b num;crash check
maskrcnn-mx#25       ru y nm env api b crash ext
maskrcnn-mx#28       ru y nm env doc r speed nonf
maskrcnn-mx#31       ru y y other low b crash other
maskrcnn-mx#34       ad y n train tconf e acc logic
pose-hourglass#3     ru y y train eval r acc conf
pose-hourglass#7     ru y y data pre r acc assign
pose-hourglass#9     ru y nm env api b crash ext
pose-hourglass#11a   ru y y train tconf b mem;crash mem
pose-hourglass#11b   en n y train hyper e acc assign
pose-hourglass#14    ad y n data pre e acc logic
pose-hourglass#17    rp n y model act r acc alg
pose-hourglass#20    ru y y env gpu r num conf
pose-hourglass#23    ad y n data corrupt b crash check
pose-hourglass#26    NOT A question about training time; no defect is reported.
pose-hourglass#29    rp n y train loss r acc alg
ssd-mobile#2         ru y nm env doc b crash conf
ssd-mobile#5         ad y nm env api e incorrect ext
ssd-mobile#8         ru y y data pre r acc logic
ssd-mobile#12        ad y n data quality e num;crash check
ssd-mobile#15        ru y nm env api b crash ext
ssd-mobile#18        rp n y model prop r acc assign
ssd-mobile#21        ru y nm env api b crash ext
ssd-mobile#24        ru y nm env conf r speed nonf
ssd-mobile#27        ad y n train tconf e acc assign
ssd-mobile#30        ad y n data pre e incorrect logic
vit-replica#1        rp y y train hyper r acc assign
vit-replica#4        ad y n model prop e acc alg
vit-replica#6        rp n y model weights b incorrect ds
vit-replica#9        rp n y model prop r acc assign
vit-replica#12       en n y env gpu b crash ext
vit-replica#15       rp y y data pre r acc alg
vit-replica#18       rp y y train tconf r speed timing
vit-replica#21       en n y train hyper e num alg
vit-replica#24       rp n y model layer r acc logic
vit-replica#27       ru y y data pre r acc conf
vit-replica#30       ad y n model init e acc assign
vit-replica#33       NOT A question about future releases; no defect is reported.
vit-replica#36       en n y env api b crash ext
vit-replica#39       ru y nm env api b crash ext
"""

REPORTER = {"ru": "re-user", "ad": "adaptor", "en": "enhancer", "rp": "replicator"}
YES_NO = {"y": "yes", "n": "no", "nm": "not-mentioned"}
STAGE = {"env": "environment", "data": "data-pipeline", "model": "modeling", "train": "training", "other": "other"}
ROOT = {"api": "environment.api", "gpu": "environment.gpu", "conf": "environment.configuration",
        "doc": "environment.documentation", "pre": "data-pipeline.preprocessing",
        "corrupt": "data-pipeline.corrupt-data", "quality": "data-pipeline.data-quality",
        "act": "modeling.layers.activation", "prop": "modeling.layers.properties",
        "layer": "modeling.layers.missing-wrong", "weights": "modeling.model.weights",
        "struct": "modeling.model.structure", "init": "modeling.model.initialization",
        "opt": "training.optimizer", "loss": "training.loss", "eval": "training.evaluation",
        "hyper": "training.hyperparameters", "tconf": "training.configuration", "tother": "training.other",
        "low": "other.low-frequency"}
MANIF = {"b": "basic", "r": "reproducibility", "e": "evolutionary"}
IMPACT = {"crash": "crash", "acc": "accuracy", "speed": "speed", "num": "numerical-error", "hang": "hang",
          "incorrect": "incorrect-functionality", "mem": "memory-exhaustion", "corrupt": "data-corruption",
          "other": "other"}
ERROR = {"ext": "external-interface", "int": "internal-interface", "alg": "algorithm-method",
         "assign": "assignment-initialization", "check": "checking", "ds": "data-structure", "logic": "logic",
         "nonf": "non-functional", "timing": "timing-optimization", "conf": "configuration",
         "mem": "memory-exhaustion", "syn": "syntax-error", "other": "other"}
FRAMEWORK = {"yolo-lite": "pytorch", "deeplab-tf2": "tensorflow", "vz-models": "pytorch", "frcnn-keras": "keras",
             "maskrcnn-mx": "mxnet", "pose-hourglass": "pytorch", "ssd-mobile": "tensorflow",
             "vit-replica": "pytorch"}
REPOSITORY_TYPE = {"vz-models": "zoo"}  # every other demo repository holds one model: solo

# ---------------------------------------------------------------- reference codings: papers
# key | contribution | method | registry | topic | domain | sample_size | evidence | claims | replication
PAPERS = """
P01 | empirical-study | mining | hugging-face | selection.popularity | any | 1000 | strong | all | available
P02 | empirical-study | mining | hugging-face | documentation.model-cards;documentation.metadata;selection.popularity | any | 30412 | strong | all | available
P03 | empirical-study | mining | hugging-face | supply-chain.dependencies | any | 112000 | strong | some | available
P04 | empirical-study | mining | hugging-face | supply-chain.licensing | any | 4100 | moderate | all | available
P05 | empirical-study | mining;qualitative-analysis | hugging-face;pytorch-hub | supply-chain.security | any | 250000 | strong | all | none
P06 | empirical-study | interviews;qualitative-analysis | hugging-face | selection;documentation | any | - | moderate | none | available
P07 | empirical-study | mining;qualitative-analysis;interviews | github-zoo | engineering.defects | cv | - | strong | some | available
P08 | empirical-study | survey;mining;qualitative-analysis | hugging-face | selection.naming | any | 2000 | moderate | some | available
P09 | empirical-study | survey | hugging-face | selection.search | any | - | moderate | some | broken
P10 | empirical-study | mining | hugging-face | engineering.evolution;engineering.performance | any | 6700 | moderate | all | available
P11 | empirical-study | experiment | pytorch-hub;hugging-face | engineering.performance;documentation | cv | 200 | strong | all | available
P12 | dataset | mining | hugging-face;pytorch-hub | supply-chain.dependencies | any | 18500 | strong | some | available
P13 | empirical-study | mining;qualitative-analysis | none | engineering.defects | any | - | moderate | some | none
P14 | empirical-study | experiment | hugging-face | engineering.performance | nlp;cv | 24 | moderate | all | available
P15 | empirical-study | mining | hugging-face;tensorflow-hub;modelscope | documentation.metadata | any | 45000 | strong | all | available
P16 | empirical-study | mining;qualitative-analysis | hugging-face | engineering.evolution | any | 52000 | strong | some | available
P17 | empirical-study | mining;experiment | hugging-face | selection.popularity;documentation.model-cards | nlp | 1600 | strong | all | available
P18 | review | literature | none | selection;documentation;supply-chain;engineering | any | - | moderate | none | available
P19 | benchmark | experiment | hugging-face;tensorflow-hub;modelscope | selection.search | any | - | moderate | all | available
P20 | empirical-study | mining;qualitative-analysis | hugging-face | engineering.defects | nlp | - | moderate | some | none
P21 | tool | experiment | hugging-face | selection.search | any | - | weak | some | none
P22 | empirical-study | mining | hugging-face | documentation;supply-chain.licensing;supply-chain.dependencies | code | 3900 | moderate | some | available
P37 | empirical-study | mining | tensorflow-hub;github-zoo | supply-chain.dependencies;supply-chain.security;engineering.evolution | cv | 3100 | moderate | some | available
"""
PAPER_FIELDS = ("contribution", "method", "registry", "topic", "domain", "sample_size", "evidence_strength",
                "claims_validated", "replication_package")

# ---------------------------------------------------------------- reference codings: interview segments
# transcript:turn | decision_stage | workflow_stage | attributes | challenges | selection_factors
SEGMENTS = """
interview-01:2  | reusability-assessment | - | - | - | use-case
interview-01:4  | reusability-assessment | model-selection | dataset-details | - | task;dataset
interview-01:6  | model-selection | model-selection | popularity;dataset-details;performance-table;documentation | model-search | task;dataset;leaderboard
interview-01:8  | model-selection | - | dataset-details;performance-table;hardware-specification;documentation | missing-attributes | -
interview-01:10 | downstream-evaluation | data-pipeline;training | architecture-details | missing-attributes;discrepancies | -
interview-01:12 | downstream-evaluation | training | performance-table;latency | discrepancies | latency
interview-01:14 | model-selection | - | license | missing-attributes | license
interview-01:16 | deployment | deployment | maintenance | security-privacy | -
interview-01:18 | deployment;model-selection | deployment | framework-support;quantized-model | model-application | ease-of-use
interview-01:20 | - | - | dataset-details;performance-table;training-configuration | missing-attributes | -
interview-01:22 | model-selection | - | maintenance;quality | model-search | -
interview-02:2  | reusability-assessment | model-selection;training | - | - | -
interview-02:4  | model-selection | model-selection | performance-table;maintenance | - | leaderboard;papers;support
interview-02:6  | downstream-evaluation | environment | - | model-application | -
interview-02:8  | - | environment;training | environment-image;hardware-specification;training-configuration | missing-attributes | -
interview-02:10 | downstream-evaluation | training | performance-table;reproducibility | discrepancies;missing-attributes | -
interview-02:12 | downstream-evaluation | training | reproducibility | - | -
interview-02:14 | downstream-evaluation | data-pipeline;modeling | - | model-flexibility | -
interview-02:16 | downstream-evaluation | training;modeling | - | model-application | -
interview-02:18 | deployment | deployment | quantized-model;latency | - | latency
interview-02:20 | model-selection | - | license | security-privacy | license
interview-02:22 | - | - | reproducibility;environment-image | missing-attributes | -
interview-03:2  | reusability-assessment | - | - | - | -
interview-03:4  | reusability-assessment;model-selection;downstream-evaluation | model-selection | - | - | use-case;latency;cost;model-size
interview-03:6  | model-selection | model-selection | - | model-search | experience
interview-03:8  | model-selection | - | latency;license;performance-table;quantized-model;fine-tuning-instructions;demos;cost-estimation | missing-attributes | model-size;latency;license
interview-03:10 | downstream-evaluation | - | dataset-details;performance-table | discrepancies;missing-attributes | -
interview-03:12 | model-selection | - | dataset-details | security-privacy | -
interview-03:14 | deployment | deployment;environment | framework-support | model-application | -
interview-03:16 | deployment | deployment | maintenance | - | -
interview-03:18 | - | modeling | fine-tuning-instructions | model-flexibility | -
interview-03:20 | - | - | dataset-details;hardware-specification;license;badge | missing-attributes;model-search | -
"""
SEGMENT_FIELDS = ("decision_stage", "workflow_stage", "attributes", "challenges", "selection_factors")

# ---------------------------------------------------------------- plausible confusions
NEAR = {
    "reporter": {"re-user": ["adaptor", "enhancer"], "adaptor": ["re-user", "enhancer"],
                 "enhancer": ["adaptor", "re-user"], "replicator": ["re-user", "enhancer"]},
    "same_code": {"yes": ["not-mentioned"], "no": ["not-mentioned", "yes"], "not-mentioned": ["yes"]},
    "same_data": {"yes": ["not-mentioned"], "no": ["not-mentioned"], "not-mentioned": ["yes", "no"]},
    "dl_stage": {"environment": ["training", "modeling"], "data-pipeline": ["training", "modeling"],
                 "modeling": ["training", "data-pipeline"], "training": ["modeling", "data-pipeline", "environment"],
                 "other": ["environment"]},
    "manifestation": {"basic": ["reproducibility"], "reproducibility": ["evolutionary", "basic"],
                      "evolutionary": ["reproducibility"]},
    "code_error": {"external-interface": ["internal-interface", "configuration"],
                   "internal-interface": ["external-interface", "data-structure"],
                   "algorithm-method": ["logic", "assignment-initialization"],
                   "assignment-initialization": ["algorithm-method", "configuration"],
                   "logic": ["algorithm-method", "checking"], "checking": ["logic", "data-structure"],
                   "data-structure": ["internal-interface", "assignment-initialization"],
                   "configuration": ["assignment-initialization", "external-interface"],
                   "non-functional": ["timing-optimization", "configuration"],
                   "timing-optimization": ["non-functional", "algorithm-method"],
                   "memory-exhaustion": ["non-functional", "timing-optimization"], "other": ["external-interface"]},
    "framework": {"pytorch": ["other"], "tensorflow": ["keras"], "keras": ["tensorflow"], "mxnet": ["other"]},
    "is_defect": {"defect": ["not-defect"], "not-defect": ["defect"]},
    "contribution": {"empirical-study": ["dataset", "tool", "benchmark"], "dataset": ["empirical-study"],
                     "tool": ["empirical-study"], "benchmark": ["empirical-study", "dataset"],
                     "review": ["empirical-study"]},
    "evidence_strength": {"weak": ["moderate"], "moderate": ["weak", "strong"], "strong": ["moderate"]},
    "claims_validated": {"all": ["some"], "some": ["all", "none"], "none": ["some"]},
    "replication_package": {"available": ["broken", "none"], "broken": ["available", "none"], "none": ["broken"]},
}
IMPACT_NEAR = {"crash": ["memory-exhaustion", "hang"], "accuracy": ["numerical-error", "incorrect-functionality"],
               "speed": ["other"], "numerical-error": ["accuracy", "crash"], "hang": ["speed"],
               "incorrect-functionality": ["accuracy", "data-corruption"], "memory-exhaustion": ["crash"]}
MULTI_EXTRA = {
    "method": ["qualitative-analysis", "case-study", "survey", "mining"],
    "registry": ["github-zoo", "other", "pytorch-hub"],
    "domain": ["any", "nlp", "cv"],
    "decision_stage": ["model-selection", "downstream-evaluation", "reusability-assessment"],
    "workflow_stage": ["model-selection", "environment", "training", "deployment"],
    "challenges": ["missing-attributes", "model-application", "discrepancies"],
    "selection_factors": ["task", "ease-of-use", "experience", "model-size"],
    "attributes": ["documentation", "popularity", "performance-table", "reproducibility"],
    "topic": ["documentation", "selection", "engineering.performance"],
}


def chance(*parts: object) -> random.Random:
    """A generator for one decision, seeded by what the decision is about."""
    return random.Random(":".join(map(str, (SEED, *parts))))


def p_change(rnd: str, field: str, coder: str) -> float:
    return BASE[rnd] * FIELD.get(field, 1.0) * CODER[coder]


def field_of(cb: str, field: str):
    return BOOKS[cb].require_field(field)


def near(cb: str, field: str, value: str, rng: random.Random) -> str:
    """A value a coder might plausibly choose instead of `value`."""
    if field == "root_cause":
        f = field_of(cb, field)
        path = f.path(value)
        same_top = [c.id for c in f.leaves() if f.path(c.id)[0] == path[0] and c.id != value]
        others = [c.id for c in f.leaves() if f.path(c.id)[0] != path[0]]
        return rng.choice(same_top if same_top and rng.random() < 0.7 else others)
    options = NEAR.get(field, {}).get(value)
    if not options:
        options = [c.id for c in field_of(cb, field).all_codes() if c.id != value]
    return rng.choice(options)


def near_multi(cb: str, field: str, codes: list[str], rng: random.Random) -> list[str]:
    """One code more, one code less, or one code swapped for a neighbour (or its parent, in a tree)."""
    f = field_of(cb, field)
    out = list(codes)
    move = rng.random()
    if move < 0.35 or not out:
        pool = IMPACT_NEAR.get(out[0], []) if field == "impacts" and out else MULTI_EXTRA.get(field, [])
        pool = [c for c in pool if c not in out] or [c.id for c in f.all_codes() if c.id not in out]
        out.append(rng.choice(pool))
    elif move < 0.6 and len(out) > 1:
        out.remove(rng.choice(out))
    else:
        i = rng.randrange(len(out))
        path = f.path(out[i])
        siblings = [c.id for c in f.children_of(path[-2] if len(path) > 1 else None) if c.id not in out]
        if field == "impacts":
            siblings = [c for c in IMPACT_NEAR.get(out[i], []) if c not in out] or siblings
        if len(path) > 1 and rng.random() < 0.4:
            out[i] = path[-2]
        elif siblings:
            out[i] = rng.choice(siblings)
    return sorted(set(out))


def listing(text: str) -> list[str]:
    return [] if text.strip() in ("", "-") else text.strip().split(";")


# ---------------------------------------------------------------- references as {field: value}
def defect_refs() -> dict[str, dict]:
    refs = {}
    for line in DEFECTS.strip().splitlines():
        key, rest = line.split(None, 1)
        if rest.startswith("NOT "):
            refs[key] = {"is_defect": "not-defect", "not_defect_reason": rest[4:].strip()}
            continue
        rep, code, data, stage, root, man, imp, err = rest.split()
        repo = key.split("#")[0]
        refs[key] = {"is_defect": "defect", "framework": FRAMEWORK[repo],
                     "repository_type": REPOSITORY_TYPE.get(repo, "solo"), "reporter": REPORTER[rep],
                     "same_code": YES_NO[code], "same_data": YES_NO[data], "dl_stage": STAGE[stage],
                     "root_cause": ROOT[root], "manifestation": MANIF[man],
                     "impacts": sorted(IMPACT[i] for i in imp.split(";")), "code_error": ERROR[err]}
    return refs


def table(text: str, fields: tuple[str, ...], cb: str) -> dict[str, dict]:
    refs = {}
    for line in text.strip().splitlines():
        key, *cells = [c.strip() for c in line.split("|")]
        ref = {}
        for field, cell in zip(fields, cells, strict=True):
            ftype = field_of(cb, field).type
            if ftype == "multi":
                ref[field] = listing(cell)
            elif cell != "-":
                ref[field] = cell
        refs[key] = ref
    return refs


# ---------------------------------------------------------------- one coder's values on one unit
GUESS = {"is_defect": "defect", "framework": None, "reporter": "re-user", "same_code": "yes",
         "same_data": "not-mentioned", "dl_stage": "environment", "root_cause": "environment.documentation",
         "manifestation": "basic", "impacts": ["other"], "code_error": "other"}
NOT_DEFECT_REASONS = ["Reads as a usage question; nothing fails in the reporter's run.",
                      "The reporter asks how to do something; no defect is described.",
                      "Looks like a problem of the reporter's own set-up, not of the reused model."]


def code_defect(key: str, ref: dict, rnd: str, coder: str) -> dict:
    rng = chance(DEF, key, rnd, coder, "is_defect")
    is_defect = ref["is_defect"]
    if (DEF, key, rnd, coder, "is_defect") in CHANGED:
        is_defect = near(DEF, "is_defect", is_defect, rng)
    if is_defect == "not-defect":
        return {"is_defect": "not-defect",
                "not_defect_reason": ref.get("not_defect_reason") or rng.choice(NOT_DEFECT_REASONS)}
    if ref["is_defect"] == "not-defect":
        repo = key.split("#")[0]
        ref = dict(GUESS, framework=FRAMEWORK[repo], repository_type=REPOSITORY_TYPE.get(repo, "solo"))
    out: dict = {"is_defect": "defect"}
    for field in ("framework", "repository_type", "reporter", "same_code", "same_data", "dl_stage", "root_cause", "manifestation",
                  "impacts", "code_error"):
        rng = chance(DEF, key, rnd, coder, field)
        value = ref[field]
        if rng.random() < MISSING:
            continue
        changed = (DEF, key, rnd, coder, field) in CHANGED
        if field == "root_cause" and out.get("dl_stage") not in (None, ref["dl_stage"]):
            under = [c.id for c in field_of(DEF, field).leaves() if c.id.split(".")[0] == out["dl_stage"]]
            value = rng.choice(under)
        elif changed:
            value = near_multi(DEF, field, value, rng) if field == "impacts" else near(DEF, field, value, rng)
        out[field] = value
    return out


def code_fields(cb: str, key: str, ref: dict, fields: tuple[str, ...], rnd: str, coder: str) -> dict:
    out = {}
    for field in fields:
        f = field_of(cb, field)
        rng = chance(cb, key, rnd, coder, field)
        value = ref.get(field)
        p = p_change(rnd, field, coder)
        if not value:
            if f.type == "multi" and rng.random() < p / 2:
                out[field] = near_multi(cb, field, [], rng)
            continue
        if rng.random() < MISSING:
            continue
        if (cb, key, rnd, coder, field) in CHANGED:
            if f.type == "multi":
                value = near_multi(cb, field, value, rng)
            elif f.type == "number":
                value = str(round(int(value) * rng.choice([0.5, 0.9, 1.1, 2])))
            else:
                value = near(cb, field, value, rng)
        out[field] = value
    return out


# ---------------------------------------------------------------- who codes what in which round
def plan() -> list[tuple[str, str, str, str, tuple[str, ...], dict]]:
    """(unit_kind, codebook, round, unit key, coders, reference) for every unit coded in a round."""
    defects = defect_refs()
    papers = table(PAPERS, PAPER_FIELDS, SLR)
    segments = table(SEGMENTS, SEGMENT_FIELDS, INT)
    keys = list(defects)
    pilot_defects = set(keys[::5])
    calibration_defects = {k for i, k in enumerate(keys) if i % 4 == 2 and k not in pilot_defects}
    three, two = ("alice", "bob", "chen"), ("bob", "chen")
    out = []
    for rnd in ROUNDS:
        for key, ref in papers.items():
            coders = three if rnd == "pilot" else two
            if rnd == "main" or (rnd == "pilot" and key <= "P06"):
                out.append(("paper", SLR, rnd, key, coders, ref))
        for key, ref in segments.items():
            if rnd == "main" or (rnd == "pilot" and key.startswith("interview-01:")):
                out.append(("segment", INT, rnd, key, three if rnd == "pilot" else two, ref))
        for key, ref in defects.items():
            chosen = {"pilot": pilot_defects, "calibration": calibration_defects, "main": set(keys)}[rnd]
            if key in chosen:
                out.append(("defect", DEF, rnd, key, three if rnd == "pilot" else two, ref))
    return out


#: (codebook, unit key, round, coder, field) of every value that departs from the reference.
CHANGED: set[tuple] = set()


def choose_changes(units) -> None:
    """For each codebook, round, field and coder, change round(p x units) values, on units drawn at random:
    a fixed share rather than a coin per value, so small rounds show the intended agreement too."""
    refs: dict = {}
    for _, cb, rnd, key, coders, ref in units:
        refs.setdefault((cb, rnd, coders), {})[key] = ref
    for (cb, rnd, coders), by_key in refs.items():
        for field in FIELD:
            if BOOKS[cb].field(field) is None:
                continue
            ks = [key for key, ref in by_key.items() if ref.get(field)]
            for coder in coders:
                k = round(len(ks) * p_change(rnd, field, coder))
                CHANGED.update((cb, key, rnd, coder, field) for key in chance(cb, rnd, field, coder).sample(ks, k))


def check_segment_keys(keys: set[str]) -> None:
    """Every coded segment must be a participant's turn of a transcript in data/demo/transcripts."""
    turns = {}
    for path in sorted((HERE / "transcripts").glob("*.txt")):
        for t in read_transcript(path):
            turns[f"{path.stem}:{t.seq}"] = t.speaker
    bad = sorted(k for k in keys if turns.get(k) in (None, "Interviewer"))
    if bad:
        raise SystemExit(f"not a participant turn: {', '.join(bad)}")


def as_text(value) -> str:
    return ";".join(value) if isinstance(value, list) else str(value)


#: Free-text fields: a few notes as coders really leave them (unit kind, codebook, key, field, coder, round).
NOTES = [
    ("paper", SLR, "P11", "notes", "chen", "main",
     "The harness is released as a tool, but the paper's contribution is the re-evaluation itself."),
    ("paper", SLR, "P18", "notes", "bob", "main", "Mapping study: counted as review; no registry data of its own."),
    ("paper", SLR, "P04", "notes", "alice", "pilot",
     "Maintainers were contacted, but only informally: not coded as a survey."),
    ("paper", SLR, "P21", "notes", "bob", "main", "18 developers in the user study; no models analysed."),
    ("segment", INT, "interview-01:10", "memo", "bob", "main",
     "Silent accuracy loss after distillation; compare with interview-02:10 (evaluation protocol)."),
    ("segment", INT, "interview-02:6", "memo", "chen", "main",
     "Environment set-up as the main cost of reengineering: links to the defect study's environment stage."),
    ("segment", INT, "interview-03:16", "memo", "chen", "main", "Pinning model revisions like dependencies."),
]


def codings(units) -> list[dict]:
    rows = []
    for kind, cb, rnd, key, coders, ref in units:
        for coder in coders:
            values = code_defect(key, ref, rnd, coder) if cb == DEF else code_fields(
                cb, key, ref, PAPER_FIELDS if cb == SLR else SEGMENT_FIELDS, rnd, coder)
            rows += [{"unit_kind": kind, "unit_key": key, "codebook": cb, "field": f, "coder": coder, "round": rnd,
                      "value": as_text(v)} for f, v in values.items()]
    rows += [{"unit_kind": kind, "unit_key": key, "codebook": cb, "field": field, "coder": coder, "round": rnd,
              "value": text} for kind, cb, key, field, coder, rnd, text in NOTES]
    return rows


def force_a_disagreement(rows: list[dict]) -> None:
    """Two coders never agree on everything: where bob and chen agree on every shared unit of a field in
    a round (5 units or more), chen's value on the first of them is changed to a neighbour."""
    groups: dict = {}
    for r in rows:
        groups.setdefault((r["codebook"], r["field"], r["round"]), {}).setdefault(r["unit_key"], {})[r["coder"]] = r
    for (cb, field, rnd), units in groups.items():
        f = field_of(cb, field)
        shared = [u for u in units.values() if {"bob", "chen"} <= set(u)]
        if f.type == "text" or len(shared) < 5 or any(u["bob"]["value"] != u["chen"]["value"] for u in shared):
            continue
        row = shared[0]["chen"]
        rng = chance("force", cb, field, rnd)
        if f.type == "multi":
            row["value"] = as_text(near_multi(cb, field, listing(row["value"]), rng))
        elif f.type == "number":
            row["value"] = str(int(float(row["value"]) * 2))
        else:
            row["value"] = near(cb, field, row["value"], rng)


# ---------------------------------------------------------------- alice's decisions on the pilot
ADJUDICATED = {DEF: ("is_defect", "reporter", "same_data", "dl_stage", "root_cause", "manifestation", "impacts",
                     "code_error"),
               INT: ("decision_stage", "attributes", "challenges"),
               SLR: ("contribution", "method", "evidence_strength", "claims_validated")}


def labels(cb: str, field: str, value) -> str:
    f = field_of(cb, field)
    return ", ".join(f.code(v).label for v in (value if isinstance(value, list) else [value]))


def rationale(cb: str, field: str, value, rng: random.Random) -> str:
    f = field_of(cb, field)
    shown = labels(cb, field, value)
    if f.type == "multi":
        return rng.choice([f"Kept {shown}: each is named in the text, nothing else is.",
                           f"{shown}. Code what the text says, not what it implies.",
                           f"Agreed at the pilot meeting: {shown}."])
    code = f.code(value)
    why = (code.definition or "").strip().rstrip(".")
    if field == "dl_stage":
        return f"{shown}: the fix belongs in this stage; where the failure shows does not decide the stage."
    if field == "root_cause":
        parent = f.code(f.path(value)[0]).label
        return f"{shown} ({parent}). {why}." if why else f"{shown} ({parent}), as discussed at the pilot meeting."
    if why:
        return rng.choice([f"{shown}: {why[0].lower() + why[1:]}.", f"{shown}. Codebook: {why}."])
    return f"{shown}, as discussed at the pilot meeting."


def adjudications(rows: list[dict], units) -> list[dict]:
    refs = {(cb, key): ref for _, cb, rnd, key, _, ref in units if rnd == "pilot"}
    kinds = {(cb, key): kind for kind, cb, rnd, key, _, _ in units}
    seen: dict = {}
    for r in rows:
        if r["round"] == "pilot" and r["field"] in ADJUDICATED[r["codebook"]]:
            seen.setdefault((r["codebook"], r["unit_key"], r["field"]), set()).add(r["value"])
    out = []
    for (cb, key, field), values in seen.items():
        ref = refs[(cb, key)]
        value = ref.get(field)
        rng = chance("adjudicate", cb, key, field)
        if len(values) < 2 or not value or rng.random() > 0.75:
            continue
        out.append({"unit_kind": kinds[(cb, key)], "unit_key": key, "codebook": cb, "field": field,
                    "round": "pilot", "value": as_text(value), "rationale": rationale(cb, field, value, rng),
                    "by": "alice"})
    return out


def agreement_report(rows: list[dict]) -> None:
    """Raw agreement of bob and chen per codebook, field and round (a check, printed)."""
    pairs: dict = {}
    for r in rows:
        pairs.setdefault((r["codebook"], r["field"], r["round"], r["unit_key"]), {})[r["coder"]] = r["value"]
    stats: dict = {}
    for (cb, field, rnd, _), by in pairs.items():
        if {"bob", "chen"} <= set(by):
            s = stats.setdefault((cb, field, rnd), [0, 0])
            s[0] += by["bob"] == by["chen"]
            s[1] += 1
    for (cb, field, rnd), (same, n) in sorted(stats.items(), key=lambda x: (x[0][0], x[0][1], (ROUNDS + ("extraction",)).index(x[0][2]))):
        print(f"{cb:26} {field:20} {rnd:12} {same:4}/{n:<4} {same / n:6.1%}")


def write(path: Path, rows: list[dict], fields: list[str]) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=fields, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)


def main() -> None:
    units = plan()
    check_segment_keys({key for kind, _, _, key, _, _ in units if kind == "segment"})
    choose_changes(units)
    rows = codings(units)
    force_a_disagreement(rows)
    # The papers' main coding is their data extraction (studyapp.services.papers.extraction's own round);
    # renamed after the values are drawn, so the draws are those of the main round.
    rows = [{**r, "round": "extraction"} if r["unit_kind"] == "paper" and r["round"] == "main" else r
            for r in rows]
    write(HERE / "codings.csv", rows, ["unit_kind", "unit_key", "codebook", "field", "coder", "round", "value"])
    adj = adjudications(rows, units)
    write(HERE / "adjudications.csv", adj,
          ["unit_kind", "unit_key", "codebook", "field", "round", "value", "rationale", "by"])
    agreement_report(rows)
    print(f"{len(rows)} codings, {len(adj)} adjudications")


if __name__ == "__main__":
    main()

"""A synthetic PeaTMOSS-schema database for the demo, the tests and the benchmark.

Nothing in it is real: names, numbers and links are drawn from seeded random distributions, and
the file says so in its `dataset_metadata` table (synthetic = true). The shapes imitate PeaTMOSS:
heavy-tailed downloads (about 45% of models never downloaded) and likes, licenses and libraries
with a few dominant values, model cards of varying completeness, fine-tunes concentrated on a few
popular base models, reuse repositories linked mostly to popular models, and download snapshots at
several dates in which the top of the ranking churns. A latent "care" score per model drives both
popularity and documentation, so documentation goes with popularity, as the ESEM 2024 study found.

At full size (`models=281_638`) the proportions of the real release hold: 28,575 repositories and
44,337 model-to-repository links. Generation is vectorised with numpy and written with executemany
in chunks into a temporary file that replaces OUT only when complete; the same seed gives the same file.
"""

from __future__ import annotations

import os
import sqlite3
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Sequence

import numpy as np

from studyapp.datasets import peatmoss_schema as schema

FULL_MODELS, FULL_REPOS, FULL_LINKS = 281_638, 28_575, 44_337
SNAPSHOT_LABELS = ("2022-06", "2023-01", "2023-08", "2024-03", "2024-10", "2025-05")
CARD_SECTIONS = ("description", "limitations", "how_to_use", "training", "evaluation")
CHUNK = 50_000

ARCHS = ("BertForMaskedLM GPT2LMHeadModel T5ForConditionalGeneration RobertaModel ViTForImageClassification "
         "WhisperForConditionalGeneration LlamaForCausalLM DistilBertForSequenceClassification "
         "CLIPModel ResNet MarianMTModel Wav2Vec2ForCTC StableDiffusionPipeline BartForConditionalGeneration "
         "XLMRobertaForTokenClassification MistralForCausalLM DebertaV2Model ConvNextModel YolosModel").split()
LIBRARIES = "transformers diffusers sentence-transformers timm peft stable-baselines3 spacy fairseq keras flair".split()
FRAMEWORKS = "pytorch tensorflow jax onnx safetensors tflite coreml".split()
MODEL_LICENSES = (("apache-2.0", 40), ("mit", 20), ("openrail", 8), ("creativeml-openrail-m", 3), ("cc-by-4.0", 6),
                  ("cc-by-nc-4.0", 6), ("gpl-3.0", 3), ("cc-by-sa-4.0", 3), ("bsd-3-clause", 3), ("llama2", 3),
                  ("agpl-3.0", 1), ("cc-by-nc-sa-4.0", 2), ("other", 2))
REPO_LICENSES = (("mit", 40), ("apache-2.0", 25), ("gpl-3.0", 12), ("bsd-3-clause", 6), ("agpl-3.0", 3),
                 ("bsd-2-clause", 3), ("lgpl-3.0", 2), ("cc-by-nc-4.0", 2), ("cc-by-4.0", 2), ("other", 5))
TASKS = ("text-classification token-classification question-answering translation summarization "
         "text-generation fill-mask image-classification object-detection automatic-speech-recognition "
         "text-to-image feature-extraction sentence-similarity reinforcement-learning").split()
DOMAINS = "nlp computer-vision audio multimodal reinforcement-learning tabular".split()
WORDS = ("amber basil cedar delta ember fjord gale harbor iris juniper kelp lumen maple nimbus onyx pine quartz "
         "raven sable tundra umber vale willow xenon yarrow zephyr").split()


@dataclass(frozen=True)
class SampleSummary:
    path: Path
    models: int
    repositories: int
    links: int
    snapshots: tuple[str, ...]
    seed: int
    version: str

    def to_dict(self) -> dict:
        return {"path": str(self.path), "models": self.models, "repositories": self.repositories,
                "links": self.links, "snapshots": list(self.snapshots), "seed": self.seed,
                "schema": self.version, "synthetic": True}


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def _logit(p: float) -> float:
    return float(np.log(p / (1 - p)))


def _zipf_choice(rng: np.random.Generator, n_values: int, size: int, a: float = 1.1) -> np.ndarray:
    p = 1.0 / np.arange(1, n_values + 1) ** a
    return rng.choice(n_values, size=size, p=p / p.sum())


def _weighted(rng: np.random.Generator, pairs: Sequence[tuple[str, int]], size: int) -> np.ndarray:
    w = np.array([p[1] for p in pairs], dtype=float)
    return rng.choice(len(pairs), size=size, p=w / w.sum())


def _insert(conn: sqlite3.Connection, table: str, cols: Sequence[str], columns: Sequence[Iterable]) -> None:
    rows = list(zip(*[c.tolist() if isinstance(c, np.ndarray) else list(c) for c in columns]))
    sql = f'INSERT INTO "{table}" ({", ".join(cols)}) VALUES ({", ".join("?" * len(cols))})'
    for i in range(0, len(rows), CHUNK):
        conn.executemany(sql, rows[i:i + CHUNK])


def _lookup(conn: sqlite3.Connection, table: str, names: Sequence[str]) -> None:
    _insert(conn, table, ("id", "name"), (range(1, len(names) + 1), names))


def _links(conn, rng, table: str, col: str, present: np.ndarray, n_values: int, per_model: float = 0.0,
           a: float = 1.1) -> None:
    """One or more Zipf-chosen lookup ids (1-based) for each model where `present` is True."""
    ids = np.flatnonzero(present) + 1
    k = 1 + (rng.poisson(per_model, size=ids.size) if per_model else 0)
    models = np.repeat(ids, k)
    values = _zipf_choice(rng, n_values, models.size, a) + 1
    pairs = np.unique(models.astype(np.int64) * (n_values + 1) + values)
    _insert(conn, table, ("model_id", col), (pairs // (n_values + 1), pairs % (n_values + 1)))


def generate(out: str | Path, *, models: int = 2000, seed: int = 7, version: str = schema.DIST,
             snapshots: int = 4, progress: Callable[[str], None] | None = None) -> SampleSummary:
    """Write a synthetic PeaTMOSS-schema database of `models` models to `out` (replaced if present)."""
    if models < 50:
        raise ValueError("a sample dataset needs at least 50 models")
    if not 2 <= snapshots <= len(SNAPSHOT_LABELS):
        raise ValueError(f"snapshots must be between 2 and {len(SNAPSHOT_LABELS)}")
    if version not in (schema.DIST, schema.MSR24):
        raise ValueError(f"unknown PeaTMOSS version {version!r} (use {schema.DIST} or {schema.MSR24})")
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".sample-", suffix=".db", dir=out.parent)
    os.close(fd)
    say = progress or (lambda _msg: None)
    try:
        conn = sqlite3.connect(tmp, isolation_level=None)
        conn.execute("PRAGMA journal_mode = OFF")
        conn.execute("PRAGMA synchronous = OFF")
        conn.execute("BEGIN")
        for stmt in schema.ddl(version):
            conn.execute(stmt)
        summary = _fill(conn, np.random.default_rng(seed), models, seed, version, snapshots, say)
        conn.execute("COMMIT")
        conn.close()
        os.chmod(tmp, 0o644)
        os.replace(tmp, out)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return SampleSummary(out, *summary)


def _fill(conn, rng, n: int, seed: int, version: str, n_snap: int, say) -> tuple:
    dist = version == schema.DIST
    n_repos = max(10, round(n * FULL_REPOS / FULL_MODELS))
    n_links = max(n_repos, round(n * FULL_LINKS / FULL_MODELS))
    say(f"models: {n:,}")
    care = rng.normal(size=n)
    log_dl = 0.8 + 0.7 * care + rng.normal(0, 1.32, size=n)
    never = rng.random(n) < _sigmoid(-0.2 - 0.9 * care)
    downloads = np.where(never, 0, np.floor(10 ** np.clip(log_dl, 0, 7.9))).astype(np.int64)
    log_likes = 0.4 * np.log10(downloads + 1) + 0.25 * care + rng.normal(0, 0.4, size=n) - 0.45
    likes = np.maximum(0, np.floor(10 ** log_likes - 1)).astype(np.int64)

    n_authors = max(20, n // 6)
    authors = [f"{WORDS[i % len(WORDS)]}-{WORDS[(i // len(WORDS)) % len(WORDS)]}{i}" for i in range(n_authors)]
    author_of = _zipf_choice(rng, n_authors, n, 0.9)
    arch_of = _zipf_choice(rng, len(ARCHS), n, 0.8)
    ids = np.arange(1, n + 1)
    names = [f"{authors[a]}/{ARCHS[r].lower()[:12]}-{i}" for i, (a, r) in enumerate(zip(author_of, arch_of), 1)]
    hub = np.where(rng.random(n) < 0.97, 1, 2)
    shas = [f"{int(x):016x}{int(y):016x}" for x, y in rng.integers(0, 2**63, size=(n, 2))]
    has_snapshot = (rng.random(n) < _sigmoid(-3.2 + 0.8 * care)).astype(int)
    _insert(conn, "model_hub", ("id", "name", "url"), ([1, 2], ["Hugging Face", "PyTorch Hub"],
                                                       ["https://huggingface.co", "https://pytorch.org/hub"]))
    _insert(conn, "model", ("id", "context_id", "model_hub_id", "sha", "repo_url", "downloads", "likes",
                            "has_snapshot"),
            (ids, names, hub, shas, (f"https://huggingface.co/{x}" for x in names), downloads, likes, has_snapshot))

    say("metadata")
    _lookup(conn, "author", authors)
    _insert(conn, "model_to_author", ("model_id", "author_id"), (ids, author_of + 1))
    _lookup(conn, "architecture", ARCHS)
    has = lambda p: rng.random(n) < _sigmoid(_logit(p) + 1.2 * care)  # noqa: E731
    arch_present = has(0.6)
    _insert(conn, "model_to_architecture", ("model_id", "architecture_id"), (ids[arch_present], arch_of[arch_present] + 1))
    n_datasets, n_tags, n_papers = max(10, n // 20), 200, max(10, n // 30)
    dataset_cols = ("id", "name", "url") if dist else ("id", "name")
    ds_names = [f"{WORDS[i % len(WORDS)]}-corpus-{i}" for i in range(n_datasets)]
    _insert(conn, "dataset", dataset_cols, (range(1, n_datasets + 1), ds_names,
                                            (f"https://huggingface.co/datasets/{x}" for x in ds_names))[:len(dataset_cols)])
    _links(conn, rng, "model_to_dataset", "dataset_id", has(0.25), n_datasets)
    _lookup(conn, "framework", FRAMEWORKS)
    _links(conn, rng, "model_to_framework", "framework_id", has(0.7), len(FRAMEWORKS), 0.3)
    _lookup(conn, "library", LIBRARIES)
    _links(conn, rng, "model_to_library", "library_id", has(0.8), len(LIBRARIES), 0.0, 1.6)
    _lookup(conn, "tag", [f"tag-{i}" for i in range(n_tags)])
    _links(conn, rng, "model_to_tag", "tag_id", has(0.9), n_tags, 2.0)
    _insert(conn, "paper", ("id", "title" if dist else "name"),
            (range(1, n_papers + 1), [f"arXiv:{2000 + i // 100:04d}.{i % 100:05d}" for i in range(n_papers)]))
    _links(conn, rng, "model_to_paper", "paper_id", has(0.08), n_papers)
    _lookup(conn, "language", [f"lang-{i}" for i in range(40)])
    _links(conn, rng, "model_to_language", "language_id", has(0.2), 40, 0.2)
    lic_names = sorted({x for x, _ in MODEL_LICENSES} | {x for x, _ in REPO_LICENSES})
    _lookup(conn, "license", lic_names)
    lic_present = has(0.35)
    model_lic = np.array([lic_names.index(MODEL_LICENSES[i][0]) + 1 for i in _weighted(rng, MODEL_LICENSES, n)])
    _insert(conn, "model_to_license", ("model_id", "license_id"), (ids[lic_present], model_lic[lic_present]))

    say("reuse repositories")
    owners = _zipf_choice(rng, max(5, n_repos // 2), n_repos, 0.7)
    repo_names = [f"{WORDS[o % len(WORDS)]}{o}/project-{i}" for i, o in enumerate(owners, 1)]
    _insert(conn, "reuse_repository", ("id", "owner", "name", "url"),
            (range(1, n_repos + 1), [r.split("/")[0] for r in repo_names], [r.split("/")[1] for r in repo_names],
             (f"https://github.com/{r}" for r in repo_names)))
    w = (downloads + 1.0) ** 0.7
    pick_m = rng.choice(n, size=int(n_links * 1.3) + 10, p=w / w.sum()) + 1
    pick_r = _zipf_choice(rng, n_repos, pick_m.size, 0.6) + 1
    _, first = np.unique(pick_m.astype(np.int64) * (n_repos + 1) + pick_r, return_index=True)
    keep = np.sort(first)[:n_links]
    lm, lr = pick_m[keep], pick_r[keep]
    _insert(conn, "model_to_reuse_repository", ("model_id", "reuse_repository_id"), (lm, lr))
    _insert(conn, "reuse_file", ("id", "path", "model_id", "reuse_repository_id"),
            (range(1, lm.size + 1), (f"src/r{r}/load_model_{m}.py" for m, r in zip(lm, lr)), lm, lr))
    if dist:
        repo_has = rng.random(n_repos) < 0.65
        repo_lic = np.array([lic_names.index(REPO_LICENSES[i][0]) + 1 for i in _weighted(rng, REPO_LICENSES, n_repos)])
        _insert(conn, "reuse_repository_to_license", ("reuse_repository_id", "license_id"),
                (np.arange(1, n_repos + 1)[repo_has], repo_lic[repo_has]))
        _fill_dist(conn, rng, n, ids, names, downloads, care, has, n_datasets)

    say("model cards")
    card = rng.random(n) < _sigmoid(0.4 + 1.0 * care)
    base = {"description": 0.8, "limitations": 0.2, "how_to_use": 0.5, "training": 0.35, "evaluation": 0.3}
    sections = {s: (rng.random(n) < _sigmoid(_logit(p) + 1.3 * care)).astype(int) for s, p in base.items()}
    conn.execute("CREATE TABLE model_card_section (model_id INTEGER PRIMARY KEY REFERENCES model (id), "
                 + ", ".join(f"{s} INTEGER NOT NULL" for s in CARD_SECTIONS) + ")")
    _insert(conn, "model_card_section", ("model_id",) + CARD_SECTIONS,
            [ids[card]] + [sections[s][card] for s in CARD_SECTIONS])

    labels = SNAPSHOT_LABELS[len(SNAPSHOT_LABELS) - n_snap:]
    say(f"download snapshots: {', '.join(labels)}")
    conn.execute("CREATE TABLE download_snapshot (snapshot TEXT NOT NULL, model_id INTEGER NOT NULL "
                 "REFERENCES model (id), downloads INTEGER NOT NULL, PRIMARY KEY (snapshot, model_id))")
    current = np.log10(downloads + 1.0)
    for i, label in enumerate(reversed(labels)):
        alive = n if i == 0 else int(n * (0.35 + 0.65 * (n_snap - 1 - i) / (n_snap - 1)))
        d = np.floor(10 ** current[:alive] - 1).astype(np.int64) if i else downloads
        _insert(conn, "download_snapshot", ("snapshot", "model_id", "downloads"), ([label] * alive, ids[:alive], d))
        current = np.clip(current + rng.normal(0, 0.55, size=n), 0, None)
    conn.execute("CREATE INDEX idx_download_snapshot_rank ON download_snapshot (snapshot, downloads DESC, model_id)")

    from studyapp import __version__
    meta = {"synthetic": "true", "generator": "studyapp dataset sample", "studyapp_version": __version__,
            "seed": str(seed), "models": str(n), "schema": version, "snapshots": ",".join(labels),
            "note": "SYNTHETIC DATA generated by `studyapp dataset sample`: every name, number and link is "
                    "invented. The shapes imitate PeaTMOSS; never cite figures computed on this file."}
    conn.execute("CREATE TABLE dataset_metadata (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
    _insert(conn, "dataset_metadata", ("key", "value"), (list(meta), list(meta.values())))
    return n, n_repos, int(lm.size), tuple(labels), seed, version


def _fill_dist(conn, rng, n: int, ids, names, downloads, care, has, n_datasets: int) -> None:
    """The ESEM 2024 additions: base models, tasks, domains, hardware, grants, evaluation, limitations."""
    order = np.argsort(-downloads, kind="stable")
    n_bases = max(10, n // 40)
    is_ft = (rng.random(n) < 0.35)
    is_ft[order[:max(3, n // 50)]] = False
    ft = np.flatnonzero(is_ft)
    base_rank = _zipf_choice(rng, n_bases, ft.size, 1.15)
    base_idx = order[base_rank]
    ok = base_idx != ft
    ft, base_idx = ft[ok], base_idx[ok]
    external = rng.random(ft.size) < 0.04
    base_names = [f"external-org/base-model-{k % 50}" if ext else names[b] for k, (b, ext) in
                  enumerate(zip(base_idx, external))]
    _insert(conn, "model_to_base_model", ("model_id", "base_model_name", "base_model_url", "base_model_id"),
            (ft + 1, base_names, (f"https://huggingface.co/{x}" for x in base_names),
             [None if ext else int(b) + 1 for b, ext in zip(base_idx, external)]))
    for table, link, col, values, p in (("model_task", "model_to_model_task", "model_task_id", TASKS, 0.6),
                                        ("domain", "model_to_domain", "domain_id", DOMAINS, 0.5),
                                        ("hardware", "model_to_hardware", "hardware_id", ["A100", "V100", "T4", "TPUv4"], 0.05),
                                        ("grant", "model_to_grant", "grant_id", [f"grant-{i}" for i in range(30)], 0.02)):
        _lookup(conn, table, values)
        _links(conn, rng, link, col, has(p), len(values))
    gh = np.flatnonzero(has(0.1))
    _insert(conn, "github_repo", ("owner", "name", "url", "model_id"),
            (["gh-" + names[i].split("/")[0] for i in gh], [f"code-{i}" for i in gh],
             (f"https://github.com/gh-{names[i].split('/')[0]}/code-{i}" for i in gh), gh + 1))
    for table, col, p, text in (("limitation_and_bias", "value", 0.15, "May reflect biases of its training data."),
                                ("hyper_parameters", "value", 0.3, "lr=2e-5, batch=32, epochs=3"),
                                ("demo", "demo", 0.1, "https://huggingface.co/spaces/demo"),
                                ("evaluation_link", "url", 0.1, "https://paperswithcode.com/eval")):
        m = np.flatnonzero(has(p))
        _insert(conn, table, (col, "model_id"), ([f"{text} #{i}" for i in m], m + 1))
    m = np.flatnonzero(has(0.25))
    _insert(conn, "evaluation_metric", ("test", "dataset_id", "result", "model_id"),
            (["accuracy"] * m.size, rng.integers(1, n_datasets + 1, size=m.size), np.round(rng.random(m.size), 3), m + 1))
    m = np.flatnonzero(has(0.4))
    _insert(conn, "parameter_count", ("count", "model_id"),
            (np.floor(10 ** rng.normal(8, 0.8, size=m.size)).astype(np.int64), m + 1))

"""Documentation keeps up with the code: every CLI command is in docs/cli.md, the README has the
two commands and CI runs the README's test command."""

from __future__ import annotations

from pathlib import Path

from studyapp.cli import main

REPO = Path(__file__).resolve().parents[1]


def _commands(root):
    """Every command path, breadth first; a group reached a second time (a feature-group alias such
    as `papers screen` for `screen`) is one path, its sub-commands documented under the first."""
    seen, queue = {id(root)}, [((), root)]
    while queue:
        prefix, group = queue.pop(0)
        for name, cmd in group.commands.items():
            path = prefix + (name,)
            if hasattr(cmd, "commands") and id(cmd) not in seen:
                seen.add(id(cmd))
                queue.append((path, cmd))
            else:
                yield " ".join(path)


def test_every_command_is_documented():
    doc = (REPO / "docs" / "cli.md").read_text(encoding="utf-8")
    missing = [c for c in _commands(main) if f"`studyapp {c}" not in doc]
    assert not missing, f"undocumented in docs/cli.md: {missing}"


def test_readme_gives_two_commands_and_ci_runs_the_test_one():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert "make run" in readme and "make test" in readme
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert "make test" in ci.split("\n", 3)[-1]


def test_codebook_format_doc_names_every_key():
    from studyapp.domain.codebook_yaml import CODE_KEYS, FIELD_KEYS
    doc = (REPO / "docs" / "codebooks.md").read_text(encoding="utf-8")
    missing = [k for k in sorted(FIELD_KEYS | CODE_KEYS) if f"{k}:" not in doc]
    assert not missing, f"undocumented codebook keys in docs/codebooks.md: {missing}"


def test_claims_doc_names_every_metric_parameter_key_and_test():
    from studyapp.datasets.metrics import METRICS
    from studyapp.services.claims.claims_file import CHECK_KEYS, CLAIM_KEYS
    from studyapp.stats.hypothesis import TESTS

    doc = (REPO / "docs" / "claims.md").read_text(encoding="utf-8")
    missing = [f"metric {m}" for m in METRICS if f"`{m}`" not in doc]
    missing += [f"{m.name}.{p}" for m in METRICS.values() for p in m.params if f"`{p}`" not in doc]
    missing += [f"key {k}" for k in sorted(CLAIM_KEYS | CHECK_KEYS) if f"`{k}`" not in doc]
    missing += [f"test {t}" for t in TESTS if f"`{t}`" not in doc and t not in doc]
    assert not missing, f"undocumented in docs/claims.md: {missing}"

"""The house rules that keep the layers apart (see docs/ARCHITECTURE.md)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

PKG = Path(__file__).resolve().parents[1] / "studyapp"
SQL = re.compile(r"^\s*(SELECT|INSERT|UPDATE|DELETE|CREATE|DROP|ALTER|PRAGMA|WITH|BEGIN|COMMIT|ROLLBACK)\b",
                 re.IGNORECASE)


def _files(*exclude: str):
    for p in PKG.rglob("*.py"):
        if not set(exclude) & set(p.relative_to(PKG).parts[:1]):
            yield p


def _strings(tree):
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            yield node
        elif isinstance(node, ast.JoinedStr):
            yield node


def test_no_sql_outside_the_store():
    """Study SQL lives in studyapp/store/. The one other place is studyapp/datasets/: read-only,
    sandboxed queries against external dataset files (PeaTMOSS), never against a study."""
    offenders = []
    for p in _files("store", "datasets"):
        tree = ast.parse(p.read_text(encoding="utf-8"))
        docstrings = {id(n.body[0].value) for n in ast.walk(tree)
                      if isinstance(n, (ast.Module, ast.FunctionDef, ast.ClassDef, ast.AsyncFunctionDef))
                      and n.body and isinstance(n.body[0], ast.Expr)}
        for node in _strings(tree):
            if id(node) in docstrings:
                continue
            text = node.value if isinstance(node, ast.Constant) else "".join(
                v.value for v in node.values if isinstance(v, ast.Constant) and isinstance(v.value, str))
            if SQL.match(text) and re.search(r"\b(FROM|INTO|SET|TABLE|=|VALUES)\b", text, re.IGNORECASE):
                offenders.append(f"{p.relative_to(PKG.parent)}:{node.lineno}: {text[:60]!r}")
    assert not offenders, "SQL outside studyapp/store/:\n" + "\n".join(offenders)


def test_no_streamlit_outside_the_ui():
    offenders = []
    for p in _files("ui"):
        for node in ast.walk(ast.parse(p.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            if any(n == "streamlit" or n.startswith("streamlit.") for n in names):
                offenders.append(f"{p.relative_to(PKG.parent)}:{node.lineno}")
    assert not offenders, "streamlit imported outside studyapp/ui/:\n" + "\n".join(offenders)


def test_pingouin_is_imported_lazily():
    offenders = [f"{p.relative_to(PKG.parent)}" for p in PKG.rglob("*.py")
                 if re.search(r"^(import pingouin|from pingouin)", p.read_text(encoding="utf-8"), re.MULTILINE)]
    assert not offenders, "pingouin takes ~2 s to import; import it inside the function that needs it"

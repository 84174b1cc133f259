"""The house rules of ../shared/ARCHITECTURE.md, held by a test that reads the code's own imports.

- Imports run down the layers only (table `ALLOWED`, single exemptions in `EXEMPT`): stats imports
  nothing of studyapp; domain only errors (and the readers' one YAML line loader and decode rule);
  readers only errors and readers; the store only errors and store; services nothing of the cli or
  ui, and only `services.publish` imports interop; the ui no store (but `ui/state.py`, which opens
  it), readers, interop or datasets.
- No import cycle between modules (an import inside a function counts: it is still a dependency).
- No module over 400 lines, no page (`ui/views/*.py`) over 300, no package with more than 15 modules,
  but for the store, whose modules are its table families (one per `Store` attribute, which
  `test_every_store_module_is_a_store_attribute` holds instead).

The checks are functions of a source root, so `test_the_checks_catch_a_planted_violation` proves
each one fails on a tree built to break it.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1] / "studyapp"

MAX_MODULE_LINES = 400
MAX_PAGE_LINES = 300
MAX_PACKAGE_MODULES = 15
#: Packages whose modules are one per table family (and grow with the features), held by
#: `test_every_store_module_is_a_store_attribute` instead of a count.
FAMILY_PACKAGES = {"studyapp/store"}
#: Store modules that are not a table family: the Store itself, how values are written, the
#: archive loader, and the schema.
STORE_MACHINERY = {"base", "columns", "archive", "migrations", "__init__"}

#: Which top-level parts of studyapp each part may import (itself always). `"studyapp"` is the
#: package's own `__init__` (version, the small public API).
ALLOWED: dict[str, set[str]] = {
    "errors": set(),
    "paths": set(),
    "files": {"errors"},
    "zip_limits": {"errors"},
    "stats": set(),
    "domain": {"errors"},
    "readers": {"errors"},
    "store": {"errors", "files"},
    "datasets": {"errors", "studyapp"},
    "render": {"errors", "domain", "files"},
    "services": {"errors", "paths", "files", "zip_limits", "stats", "domain", "readers", "store", "datasets", "render",
                 "interop", "studyapp"},
    "interop": {"errors", "paths", "files", "zip_limits", "domain", "readers", "store", "services"},
    "cli": {"errors", "paths", "files", "zip_limits", "stats", "domain", "readers", "store", "datasets", "render",
            "services", "interop", "studyapp"},
    "ui": {"errors", "paths", "domain", "render", "services", "stats", "studyapp"},
    "__main__": {"cli"},
    "studyapp": {"errors", "store", "domain"},
}

#: Single modules let through although their parts may not meet: (importer, imported).
EXEMPT = [
    ("studyapp.ui.state", "studyapp.store"),                 # state opens the store for each rerun
    ("studyapp.domain.codebook_yaml", "studyapp.readers.yaml_lines"),  # the one YAML line loader
    ("studyapp.domain.codebook_yaml", "studyapp.readers.text"),        # and the one decode rule
]

#: Finer rules inside a part: (importer prefix, imported prefix) pairs that are refused although
#: the parts may meet, and the one module allowed through.
REFUSED = [
    ("studyapp.services", "studyapp.interop", "studyapp.services.publish"),   # only publish exports REFI
    ("studyapp.interop", "studyapp.services.publish", None),                  # interop never calls back up
]


def module_name(root: Path, path: Path) -> str:
    rel = path.relative_to(root.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules(root: Path) -> dict[str, Path]:
    return {module_name(root, p): p for p in sorted(root.rglob("*.py"))}


def _type_checking(node: ast.AST) -> bool:
    test = getattr(node, "test", None)
    return isinstance(node, ast.If) and (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING"
                                         or isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _nodes(tree: ast.AST):
    """Every node but those under `if TYPE_CHECKING:` (names for annotations only: no dependency at
    run time, and the usual way to type a parameter with a class of a module that imports you)."""
    stack = [tree]
    while stack:
        node = stack.pop()
        yield node
        if _type_checking(node):
            stack.extend(node.orelse)
            continue
        stack.extend(ast.iter_child_nodes(node))


def imports_of(name: str, path: Path, known: set[str]) -> set[str]:
    """Every studyapp module `name` imports, at any depth of its code (a name imported from a
    package resolves to the submodule when there is one)."""
    out: set[str] = set()
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    pkg = name if path.name == "__init__.py" else name.rpartition(".")[0]
    top = name.split(".")[0]
    for node in _nodes(tree):
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names if a.name.split(".")[0] == top)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = pkg.split(".")
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join(anchor + ([base] if base else []))
            if base.split(".")[0] != top:
                continue
            for a in node.names:
                sub = f"{base}.{a.name}"
                out.add(sub if sub in known else base)
    out.discard(name)
    return {m for m in out if m in known}


def graph(root: Path) -> dict[str, set[str]]:
    mods = modules(root)
    known = set(mods)
    return {m: imports_of(m, p, known) for m, p in mods.items()}


def part_of(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else parts[0]


def _under(module: str, prefix: str) -> bool:
    return module == prefix or module.startswith(prefix + ".")


def layer_violations(g: dict[str, set[str]]) -> list[str]:
    bad = []
    for m, deps in g.items():
        mine = part_of(m)
        allowed = ALLOWED.get(mine)
        for d in sorted(deps):
            theirs = part_of(d)
            if theirs == mine or any(_under(m, a) and _under(d, b) for a, b in EXEMPT):
                pass
            elif allowed is None or theirs not in allowed:
                bad.append(f"{m} -> {d} ({mine} may not import {theirs})")
                continue
            for importer, imported, exempt in REFUSED:
                if (m == importer or m.startswith(importer + ".")) and (d == imported or d.startswith(imported + ".")):
                    if exempt and (m == exempt or m.startswith(exempt + ".")):
                        continue
                    bad.append(f"{m} -> {d} (only {exempt} may)" if exempt else f"{m} -> {d}")
    return bad


def cycles(g: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []
    counter = [0]

    def visit(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in g.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    import sys
    old = sys.getrecursionlimit()
    sys.setrecursionlimit(max(old, 10_000))
    try:
        for v in sorted(g):
            if v not in index:
                visit(v)
    finally:
        sys.setrecursionlimit(old)
    return out


def size_violations(root: Path) -> list[str]:
    bad = []
    for p in sorted(root.rglob("*.py")):
        n = len(p.read_text(encoding="utf-8").splitlines())
        rel = p.relative_to(root.parent).as_posix()
        limit = MAX_PAGE_LINES if p.parent.name == "views" and p.parent.parent.name == "ui" else MAX_MODULE_LINES
        if n > limit:
            bad.append(f"{rel}: {n} lines (at most {limit})")
    per_package: dict[Path, int] = defaultdict(int)
    for p in root.rglob("*.py"):
        if p.name != "__init__.py":
            per_package[p.parent] += 1
    bad += [f"{d.relative_to(root.parent).as_posix()}/: {n} modules (at most {MAX_PACKAGE_MODULES})"
            for d, n in sorted(per_package.items())
            if n > MAX_PACKAGE_MODULES and d.relative_to(root.parent).as_posix() not in FAMILY_PACKAGES]
    return bad


# --- the rules on studyapp -----------------------------------------------------------------------

def test_imports_run_down_the_layers():
    assert layer_violations(graph(ROOT)) == []


def test_no_import_cycle_between_modules():
    assert cycles(graph(ROOT)) == []


def test_modules_pages_and_packages_stay_small():
    assert size_violations(ROOT) == []


def test_every_store_module_is_a_store_attribute():
    """The store's modules are named after the Store attributes they make (`store.claims` lives in
    store/claims.py), so the store's size follows its table families and each is found by name."""
    import re

    base = (ROOT / "store" / "base.py").read_text(encoding="utf-8")
    attrs = set(re.findall(r"^\s+self\.([a-z_]+) = [A-Z]\w*\(self\)", base, re.M))
    modules = {p.stem for p in (ROOT / "store").glob("*.py")} | {p.name for p in (ROOT / "store").iterdir()
                                                                if p.is_dir() and p.name != "__pycache__"}
    assert modules - STORE_MACHINERY <= attrs, f"store modules that are no Store attribute: {sorted(modules - STORE_MACHINERY - attrs)}"


def test_every_part_has_a_rule():
    parts = {part_of(m) for m in modules(ROOT)}
    assert parts <= set(ALLOWED), f"no layering rule for {sorted(parts - set(ALLOWED))}"


# --- the test of the test --------------------------------------------------------------------------

def _write(root: Path, rel: str, text: str = "") -> None:
    p = root / rel
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(text, encoding="utf-8")


def test_the_checks_catch_a_planted_violation(tmp_path):
    root = tmp_path / "studyapp"
    _write(root, "__init__.py")
    for part in ("stats", "store", "services", "ui", "ui/views", "readers", "interop"):
        _write(root, f"{part}/__init__.py")
    _write(root, "stats/alpha.py", "from studyapp.store.base import Store\n")            # upward
    _write(root, "store/base.py", "def f():\n    from studyapp.store import rows\n")   # cycle, nested import
    _write(root, "store/rows.py", "from studyapp.store.base import f\n")
    _write(root, "services/x.py", "from studyapp.interop import refi\n")               # not publish
    _write(root, "interop/refi.py", "")
    _write(root, "ui/views/page.py", "from studyapp.readers import bib\n" + "x = 1\n" * 301)  # too long, readers
    _write(root, "readers/bib.py", "")
    for i in range(16):
        _write(root, f"services/m{i}.py")
    g = graph(root)
    bad = layer_violations(g)
    assert any(v.startswith("studyapp.stats.alpha -> studyapp.store.base") for v in bad)
    assert any(v.startswith("studyapp.services.x -> studyapp.interop.refi") for v in bad)
    assert any(v.startswith("studyapp.ui.views.page -> studyapp.readers.bib") for v in bad)
    assert ["studyapp.store.base", "studyapp.store.rows"] in cycles(g)
    sizes = size_violations(root)
    assert any("ui/views/page.py: 302 lines (at most 300)" in v for v in sizes)
    assert any(v.startswith("studyapp/services/: 17 modules") for v in sizes)
    # and a clean tree passes
    clean = tmp_path / "clean" / "studyapp"
    _write(clean, "__init__.py")
    _write(clean, "store/__init__.py")
    _write(clean, "store/base.py", "from studyapp.errors import StudyError\n")
    _write(clean, "errors.py", "class StudyError(Exception):\n    pass\n")
    g = graph(clean)
    assert layer_violations(g) == [] and cycles(g) == [] and size_violations(clean) == []

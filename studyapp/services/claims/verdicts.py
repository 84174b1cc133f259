"""Decision rules: a claim's rule, evaluated on a metric and its test, gives supported / refuted /
inconclusive with the reason in words.

A rule is a small boolean expression, e.g. `rho >= 0.3 and p < 0.01`, `value > 0.5 and p < 0.05`,
`count == 3`. Names: `p` (the p-value to decide on: Holm-adjusted when a claim has several tests),
`p_raw`, `statistic`, `effect` (and its own name: rho, tau, r, d, rbc, v, proportion), `value`,
`n`, `ci_low`, `ci_high`, and the metric's extras (count, total, share, churn, k, ...). Operators:
comparisons (chains too), `and`, `or`, `not`, + - * /, parentheses and numbers. Nothing else is
evaluated: the rule text is parsed with `ast` and walked, never passed to eval.

Verdict: supported when the rule holds. Otherwise, unless the claim gives its own `refute` rule:
inconclusive when a condition on the p-value fails (no evidence either way) or a number the rule
needs is undefined; refuted when every p-value condition holds (or there is none) and a condition on
the effect or value fails. With a `refute` rule: refuted when it holds, else inconclusive.
"""

from __future__ import annotations

import ast
import math
import operator
from dataclasses import dataclass
from typing import Any, Mapping, Sequence

from studyapp.errors import InvalidInput

SUPPORTED, REFUTED, INCONCLUSIVE = "supported", "refuted", "inconclusive"
EVIDENCE_NAMES = frozenset({"p", "p_raw"})
EFFECT_ALIASES = {"rho": "rho", "tau": "tau", "r": "r", "cohen_d": "d", "rank_biserial": "rbc",
                  "cramers_v": "v", "proportion": "proportion"}
_CMP = {ast.Lt: (operator.lt, "<", "is below", "is not below"),
        ast.LtE: (operator.le, "<=", "is at most", "is above"),
        ast.Gt: (operator.gt, ">", "is above", "is not above"),
        ast.GtE: (operator.ge, ">=", "is at least", "is below"),
        ast.Eq: (operator.eq, "==", "equals", "is not"),
        ast.NotEq: (operator.ne, "!=", "differs from", "equals")}
_ARITH = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv}


@dataclass(frozen=True)
class Verdict:
    verdict: str
    reason: str


class _Undefined(Exception):
    def __init__(self, name: str):
        self.name = name


def parse_rule(text: str, *, where: str = "rule") -> ast.Expression:
    """Parse and check a rule's syntax; raises InvalidInput naming what is not allowed."""
    try:
        tree = ast.parse(str(text).strip(), mode="eval")
    except SyntaxError as e:
        raise InvalidInput(f"{where} {text!r} is not a valid rule: {e.msg}") from None
    for node in ast.walk(tree):
        ok = isinstance(node, (ast.Expression, ast.BoolOp, ast.And, ast.Or, ast.UnaryOp, ast.Not, ast.USub,
                               ast.Compare, ast.BinOp, ast.Name, ast.Load, ast.Constant, *_CMP, *_ARITH))
        if not ok or (isinstance(node, ast.Constant) and not isinstance(node.value, (int, float))):
            raise InvalidInput(f"{where} {text!r}: {type(node).__name__} is not allowed in a rule "
                               "(use names, numbers, comparisons, and/or/not, + - * /)")
    return tree


def rule_names(text: str) -> set[str]:
    return {n.id for n in ast.walk(parse_rule(text)) if isinstance(n, ast.Name)}


def namespace(value: float | None, extras: Mapping[str, Any], test) -> dict[str, float | None]:
    """The names a rule may use, from a metric's value/extras and a `TestResult`."""
    ns: dict[str, Any] = {k: v for k, v in extras.items() if isinstance(v, (int, float)) or v is None}
    ns.update(value=value, n=test.n, statistic=test.statistic, p=test.p, p_raw=test.p_value,
              effect=test.effect_size, ci_low=test.ci95[0] if test.ci95 else None,
              ci_high=test.ci95[1] if test.ci95 else None)
    if test.effect_name in EFFECT_ALIASES:
        ns[EFFECT_ALIASES[test.effect_name]] = test.effect_size
    return ns


def fmt(name: str, x: Any) -> str:
    if x is None:
        return "undefined"
    if isinstance(x, bool):
        return str(x).lower()
    x = float(x)
    if name in EVIDENCE_NAMES:
        return f"{x:.2g}" if x < 0.001 else f"{x:.3g}"
    if x == int(x) and abs(x) < 1e15:
        return f"{int(x):,}"
    return f"{x:.3g}"


class _Eval:
    def __init__(self, ns: Mapping[str, Any]):
        self.ns = ns
        self.atoms: list[tuple[bool, str, set[str]]] = []  # (holds, words, names)

    def value(self, node) -> Any:
        if isinstance(node, ast.Constant):
            return node.value
        if isinstance(node, ast.Name):
            if node.id not in self.ns:
                raise KeyError(node.id)
            v = self.ns[node.id]
            if v is None or (isinstance(v, float) and math.isnan(v)):
                raise _Undefined(node.id)
            return v
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            return -self.value(node.operand)
        if isinstance(node, ast.BinOp):
            try:
                return _ARITH[type(node.op)](self.value(node.left), self.value(node.right))
            except ZeroDivisionError:
                raise _Undefined(ast.unparse(node)) from None
        return self.truth(node)

    def truth(self, node) -> bool:
        if isinstance(node, ast.BoolOp):
            results = [self.truth(v) for v in node.values]  # evaluate all: every atom gets a word
            return all(results) if isinstance(node.op, ast.And) else any(results)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            return not self.truth(node.operand)
        if isinstance(node, ast.Compare):
            left, ok = node.left, True
            for op, right in zip(node.ops, node.comparators):
                fn, sym, yes, no = _CMP[type(op)]
                a, b = self.value(left), self.value(right)
                holds = bool(fn(a, b))
                names = {n.id for n in ast.walk(left) if isinstance(n, ast.Name)} | \
                        {n.id for n in ast.walk(right) if isinstance(n, ast.Name)}
                self.atoms.append((holds, f"{self._show(left, a)} {yes if holds else no} {self._show(right, b)}",
                                   names))
                ok = ok and holds
                left = right
            return ok
        return bool(self.value(node))

    @staticmethod
    def _show(node, v) -> str:
        if isinstance(node, ast.Constant):
            return fmt("", v)
        name = node.id if isinstance(node, ast.Name) else ast.unparse(node)
        return f"{name} = {fmt(name, v)}"


def _join(words: Sequence[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def decide(rule: str, ns: Mapping[str, Any], *, refute: str | None = None, undefined_reason: str | None = None) -> Verdict:
    """Evaluate `rule` (and the optional `refute` rule) on the names in `ns`."""
    ev = _Eval(ns)
    try:
        holds = ev.truth(parse_rule(rule).body)
    except KeyError as e:
        known = ", ".join(sorted(k for k in ns))
        return Verdict(INCONCLUSIVE, f"the rule uses {e.args[0]!r}, which this metric and test do not provide "
                                     f"(available: {known})")
    except _Undefined as e:
        why = f": {undefined_reason}" if undefined_reason else ""
        return Verdict(INCONCLUSIVE, f"{e.name} is undefined{why}")
    if holds:
        return Verdict(SUPPORTED, "the rule holds: " + _join([w for ok, w, _ in ev.atoms if ok]))
    failed = [(w, names) for ok, w, names in ev.atoms if not ok]
    if refute:
        rv = decide(refute, ns)
        if rv.verdict == SUPPORTED:
            return Verdict(REFUTED, "the refutation rule holds: " + rv.reason.split(": ", 1)[1])
        return Verdict(INCONCLUSIVE, "neither the rule nor the refutation holds: " + _join([w for w, _ in failed]))
    evidence_failed = [w for w, names in failed if names & EVIDENCE_NAMES]
    if evidence_failed:
        return Verdict(INCONCLUSIVE, "no conclusive evidence: " + _join(evidence_failed))
    held = [w for ok, w, names in ev.atoms if ok and names & EVIDENCE_NAMES]
    tail = f" (although {_join(held)})" if held else ""
    return Verdict(REFUTED, "the data contradict the claim: " + _join([w for w, _ in failed]) + tail)


def combine(verdicts: Sequence[Verdict], require: str = "all", labels: Sequence[str] | None = None) -> Verdict:
    """One verdict from a claim's several checks: `all` must hold (default) or `any`."""
    if len(verdicts) == 1:
        return verdicts[0]
    labels = list(labels or [f"check {i}" for i in range(1, len(verdicts) + 1)])
    kinds = [v.verdict for v in verdicts]
    parts = "; ".join(f"{lab}: {v.verdict} ({v.reason})" for lab, v in zip(labels, verdicts))
    if require == "any":
        if SUPPORTED in kinds:
            return Verdict(SUPPORTED, f"at least one check holds. {parts}")
        if all(k == REFUTED for k in kinds):
            return Verdict(REFUTED, f"every check contradicts the claim. {parts}")
        return Verdict(INCONCLUSIVE, f"no check holds. {parts}")
    if all(k == SUPPORTED for k in kinds):
        return Verdict(SUPPORTED, f"all {len(kinds)} checks hold. {parts}")
    if REFUTED in kinds:
        return Verdict(REFUTED, f"{kinds.count(REFUTED)} of {len(kinds)} checks contradict the claim. {parts}")
    return Verdict(INCONCLUSIVE, f"{len(kinds) - kinds.count(SUPPORTED)} of {len(kinds)} checks are inconclusive. "
                                 f"{parts}")

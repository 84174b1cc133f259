"""YAML aliases checked before a document is built: the "billion laughs" of YAML.

Why: an anchor (`&a`) and its aliases (`*a`) let a 1 KB file describe a tree of 10^9 nodes. PyYAML
builds such a document cheaply (an alias is the same Python object again), but everything that walks
it afterwards (validating claims, storing them as JSON, printing a codebook) expands every alias and
runs out of memory. The contract: `check_aliases(text)` reads the event stream once, in time linear in
the text and without building anything, and raises `AliasRefused` (a `yaml.MarkedYAMLError`, so a
caller's existing `except yaml.YAMLError` reports it with its line) when the document

- uses an alias at all and `allow=False` (formats that never need one: claims.yaml), or
- would expand, aliases followed, to more than `max_nodes` nodes (formats that allow aliases for
  sharing, like a codebook's `codes: *yes_no`), or
- nests collections deeper than `max_depth` (PyYAML builds documents recursively: 100,000 `[`
  would end in a RecursionError instead of a message).

A text that is not valid YAML is left to the caller's loader, which reports it as it always did.
"""

from __future__ import annotations

import yaml

#: Nodes a document may expand to with its aliases followed: far above any real codebook or
#: claims file (the shipped codebooks have a few thousand), far below what exhausts memory.
MAX_EXPANDED_NODES = 1_000_000
#: Nesting a document may have: codebooks nest codes a few levels; PyYAML builds documents recursively.
MAX_DEPTH = 200


class AliasRefused(yaml.MarkedYAMLError):
    """A YAML alias where the format has none, or aliases that expand beyond the limit."""


def check_aliases(text: str, *, allow: bool = False, max_nodes: int = MAX_EXPANDED_NODES,
                  max_depth: int = MAX_DEPTH) -> None:
    """Refuse aliases (`allow=False`), documents whose aliases expand beyond `max_nodes` nodes, and
    collections nested deeper than `max_depth` (which would exhaust the loader's recursion)."""
    sizes: dict[str, int] = {}
    stack: list[list] = []  # per open collection: [expanded nodes in it so far, its anchor]
    total = 0

    def add(n: int, mark, into_parent: bool = True) -> None:
        nonlocal total
        total += n
        if stack and into_parent:
            stack[-1][0] += n
        if total > max_nodes:
            raise AliasRefused(problem=f"YAML aliases expand this document beyond {max_nodes:,} nodes "
                                       "(an alias bomb?); write the values out", problem_mark=mark)

    try:
        for ev in yaml.parse(text, Loader=yaml.SafeLoader):
            if isinstance(ev, yaml.AliasEvent):
                if not allow:
                    raise AliasRefused(problem=f"a YAML alias (*{ev.anchor}): this file format does not use "
                                               "anchors and aliases; write the value out",
                                       problem_mark=ev.start_mark)
                add(sizes.get(ev.anchor, 1), ev.start_mark)
            elif isinstance(ev, yaml.ScalarEvent):
                if ev.anchor:
                    sizes[ev.anchor] = 1
                add(1, ev.start_mark)
            elif isinstance(ev, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
                add(1, ev.start_mark, into_parent=False)  # the parent counts it whole when it ends
                stack.append([1, ev.anchor])
                if len(stack) > max_depth:
                    raise AliasRefused(problem=f"collections nested more than {max_depth} levels deep",
                                       problem_mark=ev.start_mark)
            elif isinstance(ev, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
                n, anchor = stack.pop()
                if anchor:
                    sizes[anchor] = n
                if stack:
                    stack[-1][0] += n
    except AliasRefused:
        raise
    except yaml.YAMLError:
        return  # not valid YAML: the caller's loader says where

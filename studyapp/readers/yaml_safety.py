"""YAML aliases checked before a document is built: the "billion laughs" of YAML.

Why: an anchor (`&a`) and its aliases (`*a`) let a 1 KB file describe a tree of 10^9 nodes. PyYAML
builds such a document cheaply (an alias is the same Python object again), but everything that walks
it afterwards (validating claims, storing them as JSON, printing a codebook) expands every alias and
runs out of memory. The contract: `check_aliases(text)` reads the event stream once, in time linear in
the text and without building anything, and raises `AliasRefused` (a `yaml.MarkedYAMLError`, so a
caller's existing `except yaml.YAMLError` reports it with its line) when the document

- uses an alias at all and `allow=False` (formats that never need one: claims.yaml), or
- would expand, aliases followed, to more than `max_nodes` nodes (formats that allow aliases for
  sharing, like a codebook's `codes: *yes_no`).

A text that is not valid YAML is left to the caller's loader, which reports it as it always did.
"""

from __future__ import annotations

import yaml

#: Nodes a document may expand to with its aliases followed: far above any real codebook or
#: claims file (the shipped codebooks have a few thousand), far below what exhausts memory.
MAX_EXPANDED_NODES = 1_000_000


class AliasRefused(yaml.MarkedYAMLError):
    """A YAML alias where the format has none, or aliases that expand beyond the limit."""


def check_aliases(text: str, *, allow: bool = False, max_nodes: int = MAX_EXPANDED_NODES) -> None:
    """Refuse aliases (`allow=False`), or documents whose aliases expand beyond `max_nodes` nodes."""
    sizes: dict[str, int] = {}
    stack: list[list] = [[0, None]]  # per open collection: [expanded nodes so far, its anchor]

    def add(n: int, mark) -> None:
        stack[-1][0] += n
        if stack[-1][0] > max_nodes or sum(s[0] for s in stack) > max_nodes:
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
                stack.append([1, ev.anchor])
            elif isinstance(ev, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
                n, anchor = stack.pop()
                if anchor:
                    sizes[anchor] = n
                add(n, ev.start_mark)
            elif isinstance(ev, yaml.DocumentEndEvent):
                stack = [[0, None]]
    except AliasRefused:
        raise
    except yaml.YAMLError:
        return  # not valid YAML: the caller's loader says where

"""The one YAML loader for files people write by hand (codebooks, claims files): every mapping,
list and key remembers its 1-based line, so each later message can say `file:line`.

It is PyYAML's SafeLoader plus three refusals a hand-written file never needs: a key given twice
(YAML would silently keep the last), an alias (`*name`, which lets 1 KB expand into gigabytes; a caller may allow a few) and
a tab used for indentation (reported as such, not as PyYAML's "found character '\\t'"). Every
problem raises the caller's error type (`InvalidCodebook`, `InvalidInput`) with path and line.
"""

from __future__ import annotations

from typing import Any

import yaml

from studyapp.readers.yaml_safety import AliasRefused, check_aliases

from studyapp.errors import InvalidInput, StudyError


class LineMap(dict):
    """A mapping with `line` (where it starts) and `key_lines[key]`."""

    line: int | None = None
    key_lines: dict


class LineSeq(list):
    """A list with `line` and `item_lines[i]`."""

    line: int | None = None
    item_lines: list


class _Refused(Exception):
    def __init__(self, message: str, line: int):
        super().__init__(message)
        self.message, self.line = message, line


class _Loader(yaml.SafeLoader):
    max_aliases = 0
    aliases_seen = 0

    def compose_node(self, parent, index):  # noqa: D102 - PyYAML hook
        if self.check_event(yaml.AliasEvent):
            self.aliases_seen += 1
            if self.aliases_seen > self.max_aliases:
                event = self.peek_event()
                what = "an alias" if not self.max_aliases else f"more than {self.max_aliases} aliases"
                raise _Refused(f"{what} (*{event.anchor}) is not allowed here: write the value out",
                               event.start_mark.line + 1)
        return super().compose_node(parent, index)


def _construct_map(loader, node):
    loader.flatten_mapping(node)
    m = LineMap()
    m.line, m.key_lines = node.start_mark.line + 1, {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in m:
            raise _Refused(f"duplicate key {key!r}", key_node.start_mark.line + 1)
        m[key] = loader.construct_object(value_node, deep=True)
        m.key_lines[key] = key_node.start_mark.line + 1
    return m


def _construct_seq(loader, node):
    s = LineSeq(loader.construct_object(child, deep=True) for child in node.value)
    s.line = node.start_mark.line + 1
    s.item_lines = [child.start_mark.line + 1 for child in node.value]
    return s


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_map)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_seq)


def load_yaml_lines(text: str, *, path: str | None = None, error: type[StudyError] = InvalidInput,
                    max_aliases: int = 0) -> Any:
    """The document of `text` (LineMap / LineSeq / scalars), or `error(message, path=, line=)`.
    `max_aliases` allows that many `*alias` uses (a codebook reuses one code list for several fields)."""
    try:
        # Before anything is built: aliases that expand beyond reason (a "billion laughs") and
        # nesting deeper than the loader's recursion, read from the event stream in linear time.
        check_aliases(text, allow=max_aliases > 0)
    except AliasRefused as e:
        raise error(str(e.problem), path=path, line=e.problem_mark.line + 1 if e.problem_mark else None) from None
    except yaml.YAMLError:
        pass  # not valid YAML: the loader below says where
    loader = _Loader(text)
    loader.max_aliases = max_aliases
    try:
        return loader.get_single_data()
    except _Refused as e:
        raise error(e.message, path=path, line=e.line) from None
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        problem = e.problem or e.context
        if "'\\t'" in str(problem):
            problem = "a tab character: indent with spaces (YAML does not allow tabs for indentation)"
        raise error(f"not valid YAML: {problem}", path=path, line=mark.line + 1 if mark else None) from None
    except yaml.YAMLError as e:
        raise error(f"not valid YAML: {e}", path=path) from None
    except RecursionError:
        raise error("not valid YAML: nested too deeply", path=path) from None
    finally:
        loader.dispose()


def line_of(obj: Any, key: Any = None) -> int | None:
    """The line of `obj` (or of its key / item `key`), None when unknown."""
    if isinstance(obj, LineSeq) and isinstance(key, int) and key < len(obj.item_lines):
        return obj.item_lines[key]
    if isinstance(obj, LineMap):
        if key is not None and key in obj.key_lines:
            return obj.key_lines[key]
        return obj.line
    return getattr(obj, "line", None)

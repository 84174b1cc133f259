"""Keyword highlighting of imported text (titles, abstracts) as safe Markdown, as Rayyan and ASReview do.

Imported text is untrusted: a title or abstract may hold Markdown or HTML (`![x](https://...)`,
`<img src=...>`, `[click](javascript:...)`, `$$`, `:red[...]`). Everything here is escaped first
(self-contained, no other sanitiser is relied on): every ASCII punctuation character gets a
backslash (CommonMark lets any of them be escaped, so no image, link, emphasis, heading, list,
table, math or Streamlit colour directive can start), `<` and `>` become entities, leading spaces
are dropped (no indented code block) and single line breaks are kept as hard breaks. Only then
are the keywords wrapped, in Streamlit's coloured-background directives: include terms
`:green-background[...]`, exclude terms `:red-background[...]`.

Keyword matching: case-insensitive, whole words; a keyword ending in `*` matches words that start
with it (`licen*` matches licence, license, licensing). Longer keywords win where two overlap; a
term listed as both include and exclude is marked as exclude.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass

_PUNCT = set(string.punctuation)
INCLUDE, EXCLUDE = "include", "exclude"
COLOURS = {INCLUDE: "green", EXCLUDE: "red"}


def escape_markdown(text: str) -> str:
    """`text` as Markdown that shows these characters (no markup of any kind, no HTML, no links;
    invisible word joiners keep bare URLs from being linked)."""
    out = []
    for ch in _unlink(text):
        if ch == "<":
            out.append("&lt;")
        elif ch == ">":
            out.append("&gt;")
        elif ch == "&":
            out.append("&amp;")
        elif ch in _PUNCT:
            out.append("\\" + ch)
        else:
            out.append(ch)
    return "".join(out)


_WJ = "\u2060"  # WORD JOINER: invisible; breaks GFM's autolink of bare URLs, www. and e-mail addresses
_AUTOLINK = re.compile(r"(?i)(?<=://)|(?<=\bwww)(?=\.)|(?<=@)")


def _unlink(text: str) -> str:
    """GFM turns bare `https://...`, `www.` and `a@b.c` into links after escapes are read: a word
    joiner after `://` and `@` and before `www`'s dot keeps them text."""
    return _AUTOLINK.sub(_WJ, text)


def _lines(md: str) -> str:
    """Paragraphs stay paragraphs, single line breaks become hard breaks, leading spaces go."""
    paras = re.split(r"\n\s*\n", md.replace("\r\n", "\n").replace("\r", "\n"))
    return "\n\n".join("  \n".join(line.strip() for line in p.split("\n") if line.strip()) for p in paras if p.strip())


@dataclass(frozen=True)
class Hit:
    start: int
    end: int
    kind: str
    keyword: str


def _pattern(keyword: str) -> str:
    kw = keyword.strip()
    prefix = kw.endswith("*")
    kw = kw.rstrip("*").strip()
    body = r"\s+".join(re.escape(part) for part in kw.split())
    return rf"(?<!\w){body}" + (r"\w*" if prefix else r"(?!\w)")


def find(text: str, include: tuple[str, ...] | list[str] = (), exclude: tuple[str, ...] | list[str] = ()) -> list[Hit]:
    """The keyword occurrences in `text`, left to right, not overlapping."""
    kinds: dict[str, str] = {}
    for kw in include:
        if kw and kw.strip().rstrip("*").strip():
            kinds[kw.strip()] = INCLUDE
    for kw in exclude:
        if kw and kw.strip().rstrip("*").strip():
            kinds[kw.strip()] = EXCLUDE
    if not kinds or not text:
        return []
    order = sorted(kinds, key=lambda k: (-len(k.rstrip("*")), k))
    rx = re.compile("|".join(f"(?P<k{i}>{_pattern(k)})" for i, k in enumerate(order)), re.IGNORECASE)
    hits = []
    for m in rx.finditer(text):
        kw = order[int(m.lastgroup[1:])]
        hits.append(Hit(m.start(), m.end(), kinds[kw], kw))
    return hits


def highlight(text: str | None, include: tuple[str, ...] | list[str] = (),
              exclude: tuple[str, ...] | list[str] = (), *, breaks: bool = True) -> str:
    """`text` as safe Markdown with the keywords marked (green include, red exclude); with
    `breaks`, line structure is kept (abstracts), else the text is one line (titles)."""
    text = text or ""
    if not breaks:
        text = " ".join(text.split())
    parts, at = [], 0
    for h in find(text, include, exclude):
        parts.append(escape_markdown(text[at:h.start]))
        colour = COLOURS[h.kind]
        parts.append(f":{colour}-background[:{colour}[**{escape_markdown(text[h.start:h.end])}**]]")
        at = h.end
    parts.append(escape_markdown(text[at:]))
    md = "".join(parts)
    return _lines(md) if breaks else md.strip()


def counts(text: str | None, include=(), exclude=()) -> dict[str, int]:
    """How many include and exclude keyword occurrences `text` holds."""
    out = {INCLUDE: 0, EXCLUDE: 0}
    for h in find(text or "", include, exclude):
        out[h.kind] += 1
    return out

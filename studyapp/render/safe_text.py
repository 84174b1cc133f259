"""Imported text made safe for Markdown: the one place that decides what of a paper's title or abstract,
an issue body, a transcript turn, a claim, a codebook's wording or a participant's attributes may
reach `st.markdown` (and every other Streamlit call that renders Markdown: captions, headers, alerts,
expander and widget labels, help tooltips, radio options).

Imported text is untrusted: `![](http://host/x.png)` in it would make every viewer's browser fetch
that image (a tracking beacon), and a `data:` or `javascript:` link runs or shows what the file's
author chose. So:

- `plain(text)` is Markdown that renders exactly `text`: the marks that open Markdown anywhere in a
  line (`\\ ` * _ [ ] < & $ ~ |`) are escaped, and so are those that open a block at the start of
  a line (`# > - + = 1.`), so no emphasis, link, image, heading, list, HTML, math, table or
  directive can form; other punctuation stays as it is (a title reads the same in the source) and
  line breaks stay line breaks. Use it for text that was never meant as Markdown (titles, names, quotes, attributes),
  alone or inside an f-string of the app's own Markdown.
- `safe_markdown(text)` keeps the Markdown formatting of text that was written as Markdown (an
  issue body, a codebook definition, the quotes export) but renders no image at all (`![alt](url)`
  and `![alt][ref]` show as text), no raw HTML or autolink (`<img ...>`, `<data:...>`), no link
  whose target is not `http(s)://`, `mailto:` or `#...` (`data:`, `javascript:`, `vbscript:`,
  `file:`, an entity-encoded scheme...), no reference definitions and no math (`$`).
- `code(text)` is `text` as an inline code span (for keys and ids), fenced so it cannot end early.
- `safe_url(url)` is the URL if it is `http(s)://` (for links the app builds itself), else None.

A bare `http(s)://` URL in imported text is still made a link by Streamlit's GFM renderer (its
autolink transform runs on text after escapes): a link is no fetch, and only a click follows it.

Both are transforms of the source text, not of a parse tree, so they hold whatever Markdown parser
the browser runs: each neutralises the characters that open the construct, wherever they are.
"""

from __future__ import annotations

import re

#: Marks that open Markdown anywhere in a line (CommonMark lets a backslash escape any punctuation).
_INLINE = re.compile(r"([\\`*_\[\]<&$~|])")
#: Marks that open a block at the start of a line: heading, list item, setext underline, ordered item.
_BLOCK = re.compile(r"^(\s*)([#>+=-])", re.MULTILINE)
_ORDERED = re.compile(r"^(\s*\d+)([.)])", re.MULTILINE)
#: Link targets that may stay links (after optional spaces and an opening `<`).
_SAFE_TARGET = re.compile(r"\s*<?\s*(?:https?://|mailto:|#)", re.IGNORECASE)
#: A link reference definition at the start of a line: `[ref]: target`.
_REF_DEF = re.compile(r"^( {0,3})\[(?=[^\]\n]*\]:)", re.MULTILINE)
#: `<` that could open an HTML tag, comment, declaration or autolink.
_TAG_OPEN = re.compile(r"<(?=[A-Za-z/!?])")
_SAFE_URL = re.compile(r"^https?://[^\s<>\"'`]+$", re.IGNORECASE)


def plain(text: object) -> str:
    """Markdown that shows `text` literally (None as the empty string)."""
    if text is None:
        return ""
    escaped = _INLINE.sub(r"\\\1", str(text).replace("\r\n", "\n").replace("\r", "\n"))
    escaped = _ORDERED.sub(r"\1\\\2", _BLOCK.sub(r"\1\\\2", escaped))
    return "  \n".join(escaped.split("\n"))


def plain_line(text: object) -> str:
    """`plain` on one line (line breaks become spaces): for headers, labels and options."""
    return plain(" ".join(str(text if text is not None else "").split()))


def code(text: object) -> str:
    """`text` as an inline code span (nothing inside one is Markdown), fenced with more backticks
    than any run inside it."""
    t = " ".join(str(text if text is not None else "").split())
    fence = "`" * (max((len(r) for r in re.findall(r"`+", t)), default=0) + 1)
    pad = " " if t.startswith("`") or t.endswith("`") else ""
    return f"{fence}{pad}{t}{pad}{fence}" if t else ""


def _links(text: str) -> str:
    out, i = [], 0
    for m in re.finditer(r"\]\(", text):
        out.append(text[i:m.start()])
        safe = _SAFE_TARGET.match(text, m.end()) is not None
        out.append("](" if safe else "]\\(")
        i = m.end()
    out.append(text[i:])
    return "".join(out)


def safe_markdown(text: object) -> str:
    """Markdown formatting kept; images, raw HTML, autolinks, unsafe link targets and math not."""
    if text is None:
        return ""
    s = str(text).replace("\r\n", "\n").replace("\r", "\n")
    s = s.replace("![", "!\\[")          # no image, inline or by reference: `!\[alt](u)` is text + a link
    s = _TAG_OPEN.sub(r"\\<", s)         # no HTML tag, comment or autolink (`<data:...>`)
    s = _REF_DEF.sub(r"\1\\[", s)        # no reference definitions (a hidden target for `[x][ref]`)
    s = _links(s)                        # inline links only to http(s), mailto and anchors
    return s.replace("$", "\\$")         # no math (KaTeX has its own links and macros)


def safe_url(url: object) -> str | None:
    """`url` if it is an http(s) URL without spaces or quotes, else None."""
    u = str(url or "").strip()
    return u if _SAFE_URL.match(u) else None


def markdown_link(label: object, url: object) -> str:
    """`[label](url)` with `label` shown literally, or just the label when `url` is no http(s) URL."""
    u = safe_url(url)
    if u is None:
        return plain_line(label)
    return f"[{plain_line(label)}]({u.replace('(', '%28').replace(')', '%29')})"

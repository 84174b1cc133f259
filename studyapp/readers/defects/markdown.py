"""Issue text split into blocks a page can show safely: Markdown, code, and raw text.

GitHub issue bodies are Markdown with fenced code blocks (stack traces, configs) and sometimes raw
HTML. `issue_blocks` parses the text with markdown-it-py and returns ("code", text, language) for
fenced and indented code, ("text", text, None) for any stretch holding HTML (shown verbatim, never
rendered), and ("markdown", text, None) for the rest.
"""

from __future__ import annotations

from markdown_it import MarkdownIt

_MD = MarkdownIt("commonmark")


def _has_html(tokens) -> bool:
    for t in tokens:
        if t.type in ("html_block", "html_inline"):
            return True
        if t.children and _has_html(t.children):
            return True
    return False


def issue_blocks(text: str | None) -> list[tuple[str, str, str | None]]:
    """(kind, text, language) blocks in order; adjacent blocks of the same kind are merged."""
    if not text or not text.strip():
        return []
    lines = text.splitlines()
    top: list[tuple[int, int, list]] = []
    depth = 0
    for t in _MD.parse(text):
        if depth == 0 and t.map:
            top.append((t.map[0], t.map[1], []))
        if top:
            top[-1][2].append(t)
        depth += t.nesting
    blocks: list[tuple[str, str, str | None]] = []
    for i, (start, end, toks) in enumerate(top):
        head = toks[0]
        if head.type in ("fence", "code_block"):
            lang = (head.info or "").split()[0] if head.type == "fence" and head.info else None
            blocks.append(("code", head.content.rstrip("\n"), lang or None))
            continue
        stop = top[i + 1][0] if i + 1 < len(top) else len(lines)
        chunk = "\n".join(lines[start:stop]).strip("\n")
        kind = "text" if _has_html(toks) else "markdown"
        if blocks and blocks[-1][0] == kind:
            blocks[-1] = (kind, blocks[-1][1] + "\n\n" + chunk, None)
        else:
            blocks.append((kind, chunk, None))
    return blocks

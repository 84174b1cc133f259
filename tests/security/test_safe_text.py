"""M6 (issue 17): imported text makes no browser fetch and shows no `data:` / `javascript:` link.

`studyapp.render.safe_text` is the one place imported text is made safe for Markdown. Its output is
checked here by rendering it with a CommonMark parser (markdown-it, with the GFM tables and
strikethrough Streamlit also reads): no image, no raw HTML, no link to anything but http(s)/mailto.
Then every page that shows imported text is opened under AppTest with a paper, an issue, a
transcript turn, a quote and a claim that all carry `![](http://beacon.invalid/x.png)`, and every
Markdown-rendering element the pages draw is checked the same way. The browser test
(tests/browser/test_no_remote_fetch.py) watches the requests themselves.
"""

from __future__ import annotations

import re

import pytest
from markdown_it import MarkdownIt

from studyapp.render.safe_text import markdown_link, plain, plain_line, safe_markdown, safe_url

BEACON = "http://beacon.invalid/x.png"
ATTACKS = [
    f"![]({BEACON})",
    f"![alt]({BEACON} \"t\")",
    f"[![x]({BEACON})](https://ok.example)",
    f"\\\\![x]({BEACON})",
    f"![x][r]\n\n[r]: {BEACON}",
    "[x][r]\n\n[r]: data:text/html,<b>hi</b>",
    f"<img src=\"{BEACON}\">",
    "<IMG SRC=x onerror=alert(1)>",
    "[click](javascript:alert(1))",
    "[click]( JavaScript:alert(1))",
    "[click](<data:text/html;base64,PGI+aGk8L2I+>)",
    "[click](&#106;avascript:alert(1))",
    "[click](\ndata:text/plain,hi)",
    "<data:text/plain,hi>",
    "<javascript:alert(1)>",
    "[x](vbscript:msgbox)",
    "[x](file:///etc/passwd)",
    f"$\\href{{javascript:alert(1)}}{{x}}$ and $$\\includegraphics{{{BEACON}}}$$",
    f"<svg><image href=\"{BEACON}\"/></svg>",
    "text ![](data:image/png;base64,iVBORw0KGgo=) text",
]

MD = MarkdownIt("commonmark").enable(["table", "strikethrough"])
MD.validateLink = lambda url: True  # see every link a permissive renderer would make (no filter of its own)
_SAFE_HREF = re.compile(r"^(https?://|mailto:|#)", re.IGNORECASE)


def _problems(markdown: str) -> list[str]:
    """What rendering `markdown` would fetch or link unsafely: images, raw HTML, unsafe hrefs, math."""
    found = []

    def walk(tokens):
        for t in tokens:
            if t.type == "image":
                found.append(f"image {t.attrGet('src')}")
            if t.type in ("html_inline", "html_block"):
                found.append(f"html {t.content!r}")
            if t.type == "link_open" and not _SAFE_HREF.match(t.attrGet("href") or ""):
                found.append(f"link {t.attrGet('href')}")
            if t.children:
                walk(t.children)
    walk(MD.parse(markdown))
    text = MD.render(markdown)
    if re.search(r"(?<!\\)\$", markdown.replace("\\\\", "")):
        found.append("math delimiter $")
    if "<img" in text.lower():
        found.append("rendered <img>")
    return found


@pytest.mark.parametrize("attack", ATTACKS)
def test_safe_markdown_and_plain_render_no_image_html_or_unsafe_link(attack):
    assert _problems(safe_markdown(attack)) == []
    assert _problems(plain(attack)) == []
    assert _problems(plain_line(attack)) == []


def test_the_attacks_are_real_without_the_sanitiser():
    """Each attack does render an image, HTML, an unsafe link or math when passed through raw."""
    assert [a for a in ATTACKS if not _problems(a)] == []


def test_markdown_formatting_and_http_links_survive():
    md = safe_markdown("**bold** and *it*, a [paper](https://doi.org/10.1/x) and\n\n- a list\n- `code`")
    html = MD.render(md)
    assert "<strong>bold</strong>" in html and '<a href="https://doi.org/10.1/x">paper</a>' in html
    assert "<li>a list</li>" in html and "<code>code</code>" in html


def test_plain_shows_the_text_exactly():
    for text in ["# Not a heading", "1. not a list", "a *b* _c_ `d` [e](f) <g> $h$ :red[i] \\ j", "two\nlines"]:
        html = MD.render(plain(text))
        shown = re.sub(r"<[^>]+>", "", html).replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
        assert shown.strip() == text.replace("\n", "\n"), (text, html)


def test_safe_url_and_markdown_link():
    assert safe_url("https://github.com/a/b/issues/1") == "https://github.com/a/b/issues/1"
    for bad in ["javascript:alert(1)", "data:text/html,x", " http://x y", "https://x\"onmouseover=1", "", None]:
        assert safe_url(bad) is None
    assert markdown_link("10.1/x(y)", "https://doi.org/10.1/x(y)") == r"[10\.1/x(y)](https://doi.org/10.1/x%28y%29)"
    assert markdown_link("![](x)", "javascript:alert(1)") == plain_line("![](x)")


def test_code_spans_cannot_end_early():
    from studyapp.render.safe_text import code
    for text in ["key-1", f"a`![]({BEACON})`b", "``x``", "`"]:
        md = code(text)
        assert _problems(md) == []
        tokens = MD.parseInline(md)[0].children
        assert [t.type for t in tokens] == ["code_inline"] and tokens[0].content == text, (text, md)


"""Help icons ("?") that take no tab stop: Tab moves from one answer to the next, as in Label Studio.

Streamlit draws each `help=` tooltip icon as a focusable button, so a coder tabbing through a form
stops on every "?" between two questions. This invisible component (plain JS, no build step, in the
page's own document) sets `tabindex="-1"` on every help icon of the page, now and whenever Streamlit
redraws; hovering still shows the help. Mount it once on a page: `no_tab_help(key=...)`.
"""

from __future__ import annotations

import json

import streamlit as st

NAME = "studyapp.no_tab_help"
SELECTOR = '[data-testid="stTooltipIcon"] button, [data-testid="stTooltipIcon"] [tabindex="0"]'

_JS = (
    "export default function (component) {\n"
    "  const selector = " + json.dumps(SELECTOR) + ";\n"
    "  const fix = () => {\n"
    "    for (const el of document.querySelectorAll(selector)) {\n"
    "      if (el.getAttribute('tabindex') !== '-1') el.setAttribute('tabindex', '-1');\n"
    "    }\n"
    "  };\n"
    "  fix();\n"
    "  if (!window.__studyappNoTabHelp) {\n"
    "    window.__studyappNoTabHelp = new MutationObserver(fix);\n"
    "    window.__studyappNoTabHelp.observe(document.body, { childList: true, subtree: true, attributes: true,"
    " attributeFilter: ['tabindex'] });\n"
    "  }\n"
    "}\n"
)

_mount = st.components.v2.component(NAME, js=_JS, isolate_styles=False)


def no_tab_help(*, key: str) -> None:
    """Take every help icon of the page out of the tab order."""
    _mount(key=key, data={})

"""Download buttons for paper-ready outputs: a table as LaTeX, Markdown or CSV, a chart as SVG or PNG.

One row of small buttons under what a page shows. Each button is given its file's bytes, made when
the page is drawn (charts: cached per chart spec and format, so a rerun costs nothing), never a
deferred callable: Streamlit drops a session's deferred callables when a rerun clears its file
references, so a PNG clicked after an SVG failed with "Deferred file ... not found" (issue 14 #9).
The text and images are those of `render.tables` and `render.charts`, the same as the CLI's
and the replication package's. Keys are `<key>.<format>`, so each page names its buttons once.
"""

from __future__ import annotations

import json
import re
from typing import Any, Sequence

import pandas as pd
import streamlit as st

from studyapp.render import charts, tables
from studyapp.ui import state

LABELS = {"latex": "LaTeX", "markdown": "Markdown", "csv": "CSV", "svg": "SVG", "png": "PNG"}


def _file(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-") or "download"


def downloads(key: str, name: str, *, chart: Any = None, table: pd.DataFrame | None = None,
              caption: str | None = None, notes: Sequence[str] | str = (), label: str | None = None,
              table_formats: Sequence[str] = ("latex", "markdown", "csv")) -> None:
    """Buttons for `chart` (SVG, PNG) and/or `table` (LaTeX, Markdown, CSV), files named `name.<ext>`."""
    items = []
    if chart is not None:
        spec = chart if isinstance(chart, str) else json.dumps(chart, sort_keys=True) if isinstance(chart, dict) \
            else chart.to_json()
        items += [(fmt, state.chart_file(spec, fmt), charts.MIME[fmt]) for fmt in charts.FORMATS]
    if table is not None:
        items += [(fmt, tables.render_table(table, fmt, caption=caption, notes=notes, label=label),
                   tables.MIME[fmt][1]) for fmt in table_formats]
    row = st.container(horizontal=True, gap="small")
    for fmt, make, mime in items:
        ext = tables.MIME[fmt][0] if fmt in tables.MIME else fmt
        row.download_button(LABELS[fmt], make, file_name=f"{_file(name)}.{ext}", mime=mime, key=f"{key}.{fmt}",
                            on_click="ignore", icon=":material/download:")

"""Paper-ready figures: an altair chart (or an SVG studyapp drew itself) as SVG and as print PNG.

Every download button, the replication package and the CLI convert charts here, with vl-convert,
offline (no browser, no network). Print resolution: the PNG is rendered at 300 pixels per inch of
the chart's natural size, taking one chart pixel as one point (1/72 in, the unit PDF and LaTeX give
an SVG), i.e. 300/72 = 4.17 times the SVG's pixel size, with 300 ppi recorded in the file, so a
figure placed at its natural size prints at 300 dpi.

Chart builders that the package or the CLI need live outside `studyapp/ui/` (the UI imports them
from here); altair is imported lazily so that importing this module costs nothing.
"""

from __future__ import annotations

from typing import Any

PRINT_PPI = 300
PNG_SCALE = PRINT_PPI / 72
FORMATS = ("svg", "png")
MIME = {"svg": "image/svg+xml", "png": "image/png"}


def _spec(chart: Any) -> str | dict:
    return chart if isinstance(chart, (str, dict)) else chart.to_json()


def to_svg(chart: Any) -> str:
    """An altair chart (or a Vega-Lite spec as dict/JSON) as a standalone SVG document."""
    import vl_convert as vlc

    return vlc.vegalite_to_svg(_spec(chart))


def to_png(chart: Any, ppi: float = PRINT_PPI) -> bytes:
    """An altair chart as PNG at `ppi` pixels per inch (see the module docstring)."""
    import vl_convert as vlc

    return vlc.vegalite_to_png(_spec(chart), ppi=ppi)


def svg_to_png(svg: str, ppi: float = PRINT_PPI) -> bytes:
    """An SVG document (e.g. the PRISMA diagram) as PNG at `ppi`, rendered by the same engine (resvg)."""
    import vl_convert as vlc

    return vlc.svg_to_png(svg, ppi=ppi)


def render_chart(chart: Any, fmt: str) -> str | bytes:
    """The chart in `fmt`: 'svg' (text) or 'png' (bytes)."""
    if fmt == "svg":
        return to_svg(chart)
    if fmt == "png":
        return to_png(chart)
    raise ValueError(f"unknown chart format {fmt!r}: use svg or png")


def chart_files(chart: Any, stem: str) -> dict[str, str | bytes]:
    """{stem.svg: svg text, stem.png: png bytes}: both files of one figure."""
    return {f"{stem}.{fmt}": render_chart(chart, fmt) for fmt in FORMATS}


def saturation_chart(curve) -> Any:
    """New codes per interview (bars) and distinct codes so far (line), interviews in order."""
    import altair as alt
    import pandas as pd

    df = pd.DataFrame(curve.rows(), columns=["order", "participant", "new_codes", "cumulative", "codes"])
    x = alt.X("participant:N", sort=list(curve.participants), title="interview order")
    count = alt.Axis(title="codes", tickMinStep=1, format="d")
    bars = alt.Chart(df).mark_bar(opacity=0.6).encode(x=x, y=alt.Y("new_codes:Q", axis=count),
                                                      tooltip=["participant", "new_codes", "cumulative", "codes"])
    line = alt.Chart(df).mark_line(point=True, color="#e15759").encode(x=x, y=alt.Y("cumulative:Q", axis=count),
                                                                       tooltip=["participant", "cumulative"])
    return (bars + line).properties(height=280)

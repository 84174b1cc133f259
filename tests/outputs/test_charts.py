"""Paper-ready figures: every chart as a standalone SVG and as a PNG at 300 ppi (4.17 times the SVG's
pixel size), converted offline by vl-convert; the chart builders the UI draws convert too."""

from __future__ import annotations

import re
import struct

import altair as alt
import pandas as pd
import pytest

from studyapp.render import charts

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == PNG_MAGIC and data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def png_ppi(data: bytes) -> float:
    i = data.index(b"pHYs")
    x, _, unit = struct.unpack(">IIB", data[i + 4:i + 13])
    assert unit == 1  # metres
    return x * 0.0254


def svg_size(svg: str) -> tuple[float, float]:
    head = svg[:svg.index(">")]
    return tuple(float(re.search(rf'{k}="([\d.]+)', head).group(1)) for k in ("width", "height"))


@pytest.fixture
def bars():
    df = pd.DataFrame({"code": ["a", "b", "c"], "n": [3, 1, 2]})
    return alt.Chart(df).mark_bar().encode(x="code:N", y="n:Q").properties(width=200, height=100)


def test_svg_is_a_standalone_svg_document(bars):
    svg = charts.to_svg(bars)
    assert svg.lstrip().startswith("<svg") and svg.rstrip().endswith("</svg>")
    assert "http://" not in svg.replace("http://www.w3.org", "")  # nothing fetched from the network


def test_png_is_print_resolution_of_the_svg_size(bars):
    w, h = svg_size(charts.to_svg(bars))
    png = charts.to_png(bars)
    pw, ph = png_size(png)
    assert charts.PRINT_PPI == 300 and charts.PNG_SCALE >= 2
    assert abs(pw - w * 300 / 72) <= 2 and abs(ph - h * 300 / 72) <= 2
    assert round(png_ppi(png)) == 300


def test_chart_files_gives_both_formats(bars):
    files = charts.chart_files(bars, "figures/codes")
    assert set(files) == {"figures/codes.svg", "figures/codes.png"}
    assert files["figures/codes.svg"].startswith("<svg") and files["figures/codes.png"][:8] == PNG_MAGIC


def test_svg_drawn_by_studyapp_converts_at_the_same_resolution():
    from studyapp.services.papers.prisma import prisma_png, prisma_svg

    counts = {"databases": {"Scopus": 3}, "registers": 0, "identified": 3, "duplicates_removed": 1, "screened": 2,
              "excluded_screening": 1, "awaiting_screening": 0, "sought": 1, "not_retrieved": 0, "assessed": 1,
              "excluded_reasons": {}, "excluded_full_text": 0, "awaiting_full_text": 0, "included": 1,
              "other_methods": None, "included_databases": 1, "included_other_methods": 0, "included_total": 1}
    svg = prisma_svg(counts, "T")
    w, h = svg_size(svg)
    pw, ph = png_size(prisma_png(svg))
    assert abs(pw - w * 300 / 72) <= 2 and abs(ph - h * 300 / 72) <= 2


def test_the_ui_chart_builders_convert(bars):
    from studyapp.services.interviews.saturation import saturation_curve
    from studyapp.ui.agreement.charts import round_trend
    from studyapp.ui.defects.charts import distribution_chart

    dist = distribution_chart({"multi": False, "rows": [
        {"label": "Env", "count": 3, "share": 0.75, "color": None, "definition": "d"},
        {"label": "Training", "count": 1, "share": 0.25, "color": "#e15759", "definition": ""}]})
    trend = round_trend(pd.DataFrame({"round": ["pilot", "main"], "kappa": [0.5, 0.8], "alpha": [0.45, 0.79]}))
    curve = charts.saturation_chart(saturation_curve([("P1", "a"), ("P1", "b"), ("P2", "a"), ("P2", "c")]))
    for chart in (dist, trend, curve):
        assert charts.render_chart(chart, "svg").startswith("<svg")
        assert png_size(charts.render_chart(chart, "png"))[0] > 200
    with pytest.raises(ValueError):
        charts.render_chart(bars, "pdf")

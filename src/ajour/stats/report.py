"""The yearly analysis as a PDF in Danish, with the structure of PLO's analysis (seed 1).

Charts are drawn server-side by vl-convert as SVG and laid out by WeasyPrint; the tables are the
public, suppressed ones, because the report is meant to be published.
"""

from __future__ import annotations

from collections.abc import Callable

from django.template.loader import render_to_string
from django.utils import translation

from ajour.stats.charts import chart_spec, chart_svg
from ajour.stats.selectors import headline
from ajour.stats.tables import public_tables

Progress = Callable[[int, int, str], None]
CHARTED = [
    "participation",
    "series",
    "per_gp",
    "form",
    "provider_type",
    "category",
    "top_topics",
    "topic_trends",
]


def _quiet(step: int, total: int, label: str) -> None:
    """The default progress: say nothing."""


def pdf_of(html: str) -> bytes:
    """A page of HTML (charts as inline SVG from `chart_svg`) laid out as PDF by WeasyPrint: the yearly
    report and the simulator's brief."""
    from weasyprint import HTML  # imported here: only the PDFs need it

    return bytes(HTML(string=html).write_pdf() or b"")


def render_report(*, year: int, progress: Progress = _quiet) -> bytes:
    with translation.override("da"):
        total = len(CHARTED) + 3
        progress(1, total, "Beregner nøgletal")
        figures = headline(year=year)
        plo_e = headline(year=year, provider_kind="plo_e")
        plo_e_series = plo_e["series"]
        assert isinstance(plo_e_series, dict)
        tables = {table.key: table for table in public_tables(year)}
        svgs = {}
        for step, key in enumerate(CHARTED, start=2):
            progress(step, total, f"Tegner figur: {tables[key].title}")
            svgs[key] = chart_svg(chart_spec(tables[key], language="da"))
        progress(total - 1, total, "Sætter rapporten op")
        html = render_to_string(
            "stats/report.html",
            {
                "year": year,
                "figures": figures,
                "plo_e": plo_e,
                "plo_e_then": plo_e_series.get(str(year - 3), {}),
                "tables": tables,
                "svgs": svgs,
            },
        )
        pdf = pdf_of(html)
        progress(total, total, "Færdig")
    return pdf

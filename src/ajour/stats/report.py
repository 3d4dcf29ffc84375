"""The yearly analysis as a PDF in Danish, with the structure of PLO's analysis (seed 1).

Charts are drawn server-side by vl-convert as SVG and laid out by WeasyPrint; the tables are the
public, suppressed ones, because the report is meant to be published.
"""

from __future__ import annotations

from collections.abc import Callable

from django.template.loader import render_to_string
from django.utils import translation

from ajour.stats.charts import chart_spec, chart_svg, has_data
from ajour.stats.selectors import Filters
from ajour.stats.tables import Table, headline_row, published_tables

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
        tables = {table.key: table for table in published_tables(Filters(year=year))}
        plo_e = _figures(
            {t.key: t for t in published_tables(Filters(year=year, provider_kind="plo_e"))}, year
        )
        svgs = {}
        for step, key in enumerate(CHARTED, start=2):
            progress(step, total, f"Tegner figur: {tables[key].title}")
            spec = chart_spec(tables[key], language="da")
            svgs[key] = chart_svg(spec) if has_data(spec) else ""
        progress(total - 1, total, "Sætter rapporten op")
        html = render_to_string(
            "stats/report.html",
            {
                "year": year,
                "figures": _figures(tables, year),
                "plo_e": plo_e
                | {"produced_course_days": _row(tables["provider_type"], "key", "plo_e")["course_days"]},
                "plo_e_then": _row(tables["series"], "year", year - 3).get("plo_e"),
                "tables": tables,
                "svgs": svgs,
            },
        )
        pdf = pdf_of(html)
        progress(total, total, "Færdig")
    return pdf


def _row(table: Table, key: str, value: object) -> dict[str, object]:
    return next((row for row in table.rows if row.get(key) == value), {})


def _figures(tables: dict[str, Table], year: int) -> dict[str, object]:
    """The report's figures, read from the published (suppressed) tables: a hidden figure is None."""
    row = headline_row(list(tables.values()), year)
    eligible, with_claims = row["eligible_gps"], row["gps_with_claims"]
    return row | {
        "gps_without_claims": eligible - with_claims
        if isinstance(eligible, int) and isinstance(with_claims, int)
        else None,
        "share_by_category": {r["key"]: r["share"] for r in tables["category"].rows},
        "top_topics": [
            {"name": r["label"], "course_days": r["course_days"]} for r in tables["top_topics"].rows
        ],
    }

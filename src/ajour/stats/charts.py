"""Vega-Lite specs built from published tables; vega-embed (browser) and vl-convert (PDF) draw the same."""

from __future__ import annotations

from ajour.stats.tables import Table

VEGA_LITE_VERSION = "6.4"
DANISH_NUMBERS = {"decimal": ",", "thousands": ".", "grouping": [3], "currency": ["", " kr."]}
ENGLISH_NUMBERS = {"decimal": ".", "thousands": ",", "grouping": [3], "currency": ["DKK ", ""]}
FORMAT_OF_KIND = {"rate": ".0%", "days": ",.1~f", "count": ",d", "ore": ",.0f"}
WIDTH = 560


def _value(kind: str, value: object) -> object:
    """Money is drawn in kroner; every other number as stored."""
    if kind == "ore" and isinstance(value, int):
        return value / 100
    return value


def chart_spec(table: Table, *, language: str = "da") -> dict[str, object]:
    """One Vega-Lite spec for `table`: horizontal bars for breakdowns, lines for yearly series.

    A table without series (no topic had course days that year) gives a spec without data, which
    nobody draws: the table under it says there is no data."""
    kinds = {column.key: column.kind for column in table.columns}
    labels = {column.key: str(column.label) for column in table.columns}
    value_kind = kinds[table.y[0]] if table.y else "days"
    axis_format = FORMAT_OF_KIND.get(value_kind, ",")
    value_title = labels[table.y[0]] if len(table.y) == 1 else ""
    if value_kind == "ore":
        value_title = "kr." if language.startswith("da") else "DKK"
    if table.chart == "line":
        data = [
            {"year": str(row["year"]), "series": labels[key], "value": _value(value_kind, row[key])}
            for row in table.rows
            for key in table.y
            if row.get(key) is not None
        ]
        encoding: dict[str, object] = {
            "x": {
                "field": "year",
                "type": "ordinal",
                "title": labels.get("year", ""),
                "axis": {"labelAngle": 0},
            },
            "y": {
                "field": "value",
                "type": "quantitative",
                "title": value_title,
                "axis": {"format": axis_format},
            },
            "color": {"field": "series", "type": "nominal", "title": None, "legend": {"orient": "bottom"}},
            "tooltip": [
                {"field": "series", "type": "nominal"},
                {"field": "year", "type": "ordinal"},
                {"field": "value", "type": "quantitative", "format": axis_format},
            ],
        }
        mark: dict[str, object] = {"type": "line", "point": True}
    else:
        data = [
            {"label": str(row[table.x]), "value": _value(value_kind, row[key])}
            for row in table.rows
            for key in table.y[:1]
            if row.get(key) is not None
        ]
        encoding = {
            "y": {"field": "label", "type": "nominal", "title": None, "sort": "-x"},
            "x": {
                "field": "value",
                "type": "quantitative",
                "title": value_title,
                "axis": {"format": axis_format},
            },
            "tooltip": [
                {"field": "label", "type": "nominal"},
                {"field": "value", "type": "quantitative", "format": axis_format},
            ],
        }
        mark = {"type": "bar", "color": "#1f5f8b"}
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v6.json",
        "description": str(table.title),
        "width": WIDTH,
        "data": {"values": data},
        "mark": mark,
        "encoding": encoding,
        "config": {
            "locale": {"number": DANISH_NUMBERS if language.startswith("da") else ENGLISH_NUMBERS},
            "font": "DejaVu Sans",
            "view": {"stroke": None},
        },
    }


def has_data(spec: dict[str, object]) -> bool:
    """Whether there is anything to draw (pages and the report leave empty charts out)."""
    data = spec["data"]
    return isinstance(data, dict) and bool(data["values"])


def chart_svg(spec: dict[str, object]) -> str:
    """Server-side rendering for the PDF report (no browser, no network)."""
    import vl_convert  # imported here: it is large and only the report needs it

    return str(vl_convert.vegalite_to_svg(spec, vl_version=VEGA_LITE_VERSION))


def chart_items(tables: list[Table], *, language: str) -> list[dict[str, object]]:
    """What `stats/_chart.html` shows for each table: its spec, the spec's element id and whether it has
    anything to draw (the statistics pages and the simulator's results)."""
    items: list[dict[str, object]] = []
    for table in tables:
        spec = chart_spec(table, language=language)
        items.append({"table": table, "spec_id": f"spec-{table.key}", "spec": spec, "drawn": has_data(spec)})
    return items

"""Formats a table cell by its column kind in the active language; hidden cells say why."""

from __future__ import annotations

from decimal import Decimal

from babel.numbers import format_decimal, format_percent
from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from ajour.core.formats import format_ore
from ajour.stats.suppression import MIN_CELL_GPS
from ajour.stats.tables import Column

register = template.Library()


def _number(value: object) -> float | Decimal | str:
    if isinstance(value, int | float | Decimal | str):
        return value
    raise TypeError(f"not a number: {value!r}")


def format_value(value: object, kind: str, language: str) -> str:
    locale = "da_DK" if language.startswith("da") else "en_GB"
    if kind == "rate":
        return format_percent(_number(value), format="#,##0.0\u00a0%", locale=locale)
    if kind == "days":
        return format_decimal(_number(value), format="#,##0.##", locale=locale)
    if kind == "count":
        return format_decimal(_number(value), format="#,##0", locale=locale)
    if kind == "ore":
        return format_ore(int(_number(value)), language)
    return str(value)


@register.simple_tag
def stats_cell(row: dict[str, object], column: Column) -> SafeString | str:
    value = row.get(column.key)
    if value is None and row.get("suppressed"):
        return format_html(
            '<span aria-hidden="true">–</span><span class="visually-hidden">{}</span>',
            _("hidden: fewer than %(n)s GPs, or it would give such a figure away") % {"n": MIN_CELL_GPS},
        )
    if value is None:
        return ""
    return format_value(value, column.kind, get_language() or "da")


@register.filter
def stats_percent(value: float | None) -> str:
    return "–" if value is None else format_value(value, "rate", get_language() or "da")


@register.filter
def stats_days(value: float | None) -> str:
    return "–" if value is None else format_value(value, "days", get_language() or "da")


@register.filter
def stats_count(value: int | None) -> str:
    return "–" if value is None else format_value(value, "count", get_language() or "da")


@register.filter
def stats_growth(now: float | None, before: float | None) -> str:
    """`now` relative to `before` as a signed percentage (`+23,0 %`); `–` if either is hidden."""
    if not before or now is None:
        return "–"
    change = now / before - 1
    return ("+" if change >= 0 else "") + format_value(change, "rate", get_language() or "da")

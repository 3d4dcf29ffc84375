"""Template filters for money and days in the active language."""

from django import template
from django.utils.translation import get_language

from ajour.core.formats import format_half_days, format_ore

register = template.Library()


@register.filter
def ore(amount: int | None) -> str:
    """Formats integer øre as money in the active language."""
    return format_ore(int(amount or 0), get_language() or "da")


@register.filter
def half_days(amount: int | None) -> str:
    """Formats a count of half days as days (`5` → `2,5` in Danish)."""
    return format_half_days(amount)

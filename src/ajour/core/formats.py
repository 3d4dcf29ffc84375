"""Numbers for people in Danish or English: money from integer øre (Babel) and days from half days."""

from decimal import Decimal

from babel.numbers import format_currency
from django.utils.translation import get_language


def format_ore(amount_ore: int, language: str) -> str:
    """`123450` → `1.234,50 kr.` in Danish, `DKK 1,234.50` in English."""
    locale = "da_DK" if language.startswith("da") else "en_GB"
    return format_currency(Decimal(amount_ore) / 100, "DKK", locale=locale)


def format_half_days(amount: int | None, language: str | None = None) -> str:
    """A count of half days as days: `5` → `2,5` in Danish, `2.5` in English (default: the active
    language)."""
    whole, half = divmod(int(amount or 0), 2)
    if not half:
        return str(whole)
    danish = (language or get_language() or "da").startswith("da")
    return f"{whole}{',' if danish else '.'}5"

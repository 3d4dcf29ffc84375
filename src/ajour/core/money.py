"""Money formatting for people: integer øre in, Danish or English text out (Babel)."""

from decimal import Decimal

from babel.numbers import format_currency


def format_ore(amount_ore: int, language: str) -> str:
    """`123450` → `1.234,50 kr.` in Danish, `DKK 1,234.50` in English."""
    locale = "da_DK" if language.startswith("da") else "en_GB"
    return format_currency(Decimal(amount_ore) / 100, "DKK", locale=locale)

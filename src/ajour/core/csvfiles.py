"""CSV files the product writes and reads, safe to open in a spreadsheet (OWASP "CSV injection").

A spreadsheet runs a cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return as a formula.
Every CSV the product writes goes through `csv_bytes`: such a text cell gets a leading single quote, so
the spreadsheet shows it as text. Numbers are numbers: a cell given as `int`, `float` or `Decimal` is
written as the number (a negative amount stays `-125`), never quoted. Every CSV import refuses such cells
with `formula_error`, one row at a time, instead of storing text that a later export would have to defuse.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal

from django.utils.translation import gettext as _

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

Number = int | float | Decimal


def is_formula(text: str) -> bool:
    """Whether a spreadsheet would run this text as a formula."""
    return text.startswith(FORMULA_STARTS)


def formula_error(text: str) -> str | None:
    """Why an imported cell is refused (in the user's language), or None if it is fine."""
    if not is_formula(text):
        return None
    return _(
        "the cell starts with =, +, -, @, a tab or a line break, which a spreadsheet would run as a "
        "formula. Remove that character."
    )


def csv_bytes(
    rows: Iterable[Sequence[object]],
    *,
    delimiter: str = ",",
    lineterminator: str = "\n",
    number: Callable[[Number], str] = str,
    bom: bool = False,
) -> bytes:
    """UTF-8 CSV of `rows` (header included); None is an empty cell, numbers go through `number`."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator=lineterminator)
    for row in rows:
        writer.writerow([_cell(value, number) for value in row])
    return ("\ufeff" if bom else "").encode() + out.getvalue().encode()


def _cell(value: object, number: Callable[[Number], str]) -> str:
    if value is None:
        return ""
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return number(value)
    text = str(value)
    return f"'{text}" if is_formula(text) else text

"""The bounds of what people and systems may type: one place for the date window, text lengths, money and
integer columns, read by every form, API schema and model that takes such a value.

- Dates from 2000-01-01 (the start of the rules engine's window; no claim of the scheme lies before it)
  to two years after today: later than that nobody plans a course or buys a book.
- Free text: titles and names at most `TITLE_MAX` characters, everything longer (descriptions,
  reasons, appeals, answers, notes) at most `TEXT_MAX`.
- Amounts typed in (fees, transport, prices) from 0 to `MONEY_MAX_ORE`.
- Integers stored in a column within the column's range, as PostgreSQL stores it.
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import models
from django.db.backends.base.operations import BaseDatabaseOperations
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual
from django.utils import timezone
from django.utils.translation import gettext as _

from ajour.rules.schema import EARLIEST_DATE

__all__ = ["EARLIEST_DATE"]  # the window starts where the rules engine's does

YEARS_AHEAD = 2
"""How far ahead of today a date may lie."""

TITLE_MAX = 200
"""Titles, names and one-line descriptions (a course title, what was bought, a session title)."""
TEXT_MAX = 5_000
"""Free text of several sentences: descriptions, justifications, reasons, appeals, answers, notes."""
PROGRAMME_MAX = 10_000
"""A programme typed one session per line: 150 sessions of a long title each."""
IDS_MAX = 2_000
"""Authorisation IDs reported at once for a run."""
ID_TEXT_MAX = 20
"""One authorisation ID as typed (five characters, with room for spaces)."""

MONEY_MAX_ORE = 100_000_000
"""An amount typed in: at most 1,000,000 DKK (fees, transport, study material, a course price)."""


def latest_date(today: date | None = None) -> date:
    """The last date anyone may give: two years after today (28 February for 29 February)."""
    today = today or timezone.localdate()
    try:
        return today.replace(year=today.year + YEARS_AHEAD)
    except ValueError:
        return today.replace(year=today.year + YEARS_AHEAD, day=28)


def date_window_message(today: date | None = None) -> str:
    """The message for a date outside the window, in the active language."""
    return _("Enter a date from %(earliest)s to %(latest)s.") % {
        "earliest": EARLIEST_DATE.isoformat(),
        "latest": latest_date(today).isoformat(),
    }


def in_date_window(value: date, today: date | None = None) -> bool:
    return EARLIEST_DATE <= value <= latest_date(today)


def validate_date_in_window(value: date) -> None:
    """A form field validator: a date before 2000 or more than two years ahead is invalid input."""
    if not in_date_window(value):
        raise ValidationError(date_window_message(), code="date_window")


def column_range(model: type[models.Model], name: str) -> tuple[int, int]:
    """The values an integer column holds on PostgreSQL (SQLite would take more, and then PostgreSQL
    would refuse them with a server error): the bounds to give the field in every form and schema."""
    field = model._meta.get_field(name)
    low, high = BaseDatabaseOperations.integer_field_ranges[field.get_internal_type()]
    return int(low), int(high)


ID_MAX = BaseDatabaseOperations.integer_field_ranges["BigAutoField"][1]
"""The largest row id (every primary key is a BigAutoField)."""


def length_at_most(field: str, limit: int) -> models.CheckConstraint:
    """A database check that a text column holds at most `limit` characters (SQLite enforces no
    `max_length`, and a text column has none)."""
    return models.CheckConstraint(
        condition=LessThanOrEqual(Length(field), limit), name=f"%(app_label)s_%(class)s_{field}_length"
    )

"""Fee days: Monday to Friday and not a Danish public holiday.

Only the official public holidays count (``holidays.Denmark`` without the optional category,
so not 1 May, Grundlovsdag, 24 or 31 December). Store Bededag is a holiday until 2023 and
not from 2024, which the ``holidays`` package already knows. Holiday sets are built once per
year and cached, and so is the answer for each day seen, so a lookup is one dictionary read.
"""

from __future__ import annotations

from datetime import date
from functools import cache


@cache
def public_holidays(year: int) -> frozenset[date]:
    """The official Danish public holidays of ``year``."""
    import holidays  # imported late: it is slow to import and only needed once days are seen

    return frozenset(holidays.country_holidays("DK", years=year))


_FEE_WEEKDAYS: dict[date, bool] = {}


def is_fee_weekday(day: date) -> bool:
    known = _FEE_WEEKDAYS.get(day)
    if known is None:
        known = _FEE_WEEKDAYS[day] = day.weekday() < 5 and day not in public_holidays(day.year)
    return known

"""Day arithmetic in integer minutes: effective time, day classes, fee days and transport blocks."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import NamedTuple

from ajour.rules.calendar import is_fee_weekday
from ajour.rules.schema import Day

FULL = "full"
HALF = "half"
MEETING = "meeting"
NONE = "none"


class DayResult(NamedTuple):
    date: date
    effective_minutes: int
    day_class: str
    qualifies: bool
    fee_day: bool
    """Qualifies and is Monday–Friday and not a public holiday."""


DayClasses = tuple[tuple[int, str], ...]
"""(minimum effective minutes, class) pairs, longest first; a day below all of them is ``none``."""


def classify(
    days: Iterable[Day], window_start: int, window_end: int, classes: DayClasses
) -> tuple[DayResult, ...]:
    """Class each day by its effective minutes: teaching time inside the fee window, less all
    breaks (breaks lie inside teaching time), never below 0."""
    results = []
    for day, start, end, break_minutes, _attended in days:
        opens = start if start > window_start else window_start
        minutes = (end if end < window_end else window_end) - opens - break_minutes
        if minutes < 0:
            minutes = 0
        day_class = NONE
        for minimum, name in classes:
            if minutes >= minimum:
                day_class = name
                break
        qualifies = day_class != NONE
        results.append(DayResult(day, minutes, day_class, qualifies, qualifies and is_fee_weekday(day)))
    return tuple(results)


HALVES_BY_CLASS = {FULL: 2, HALF: 1, MEETING: 1, NONE: 0}
"""How many half course days a day of each class counts as: one table for every count in Ajour."""


def day_halves(day_class: str) -> int:
    """Half course days of one classified day: a full day is 2, a half day or a DGE meeting 1."""
    return HALVES_BY_CLASS[day_class]


def course_day_halves(day_classes: Iterable[str]) -> int:
    """Half course days of a decision's days (its ``class`` values); statistics count these."""
    return sum(day_halves(day_class) for day_class in day_classes)


def count_blocks(dates: Iterable[date], max_gap: int) -> int:
    """Runs of dates (in order) where each is at most ``max_gap`` calendar days after the previous."""
    blocks = 0
    previous: date | None = None
    for current in dates:
        if previous is None or (current - previous).days > max_gap:
            blocks += 1
        previous = current
    return blocks

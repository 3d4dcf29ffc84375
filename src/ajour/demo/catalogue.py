"""Reference data and course runs: providers, topics, SE themes, activities with instances and programme days.

A *run* is one activity instance with its programme; the history fills runs with participants.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, time, timedelta

from ajour.accounts.models import Region
from ajour.catalogue.models import Activity, ActivityInstance, ProgrammeDay, Provider, SeTheme, Topic
from ajour.demo import vocabulary as v
from ajour.rules.calendar import is_fee_weekday

CATEGORY = {
    "lead": Topic.Category.LEADERSHIP,
    "medical": Topic.Category.MEDICAL,
    "other": Topic.Category.OTHER,
}
TimeSlot = tuple[tuple[int, int], tuple[int, int], int]
"""A programme day's start (hour, minute), end (hour, minute) and break in minutes."""
# (from, to, break minutes): full days have ≥ 5 h and half days ≥ 3 h inside 08–18,
# so days in the years of the older fee window qualify too.
FULL_DAY: list[TimeSlot] = [
    ((9, 0), (16, 0), 45),
    ((8, 30), (15, 30), 45),
    ((9, 30), (16, 30), 60),
    ((10, 0), (17, 0), 60),
]
HALF_DAY: list[TimeSlot] = [((13, 0), (16, 30), 15), ((9, 0), (12, 30), 15), ((14, 0), (17, 15), 15)]
MONTH_WEIGHTS = {
    "normal": [8, 10, 11, 9, 10, 8, 1, 7, 11, 11, 11, 4],
    2020: [10, 12, 4, 0, 0, 2, 0, 5, 9, 8, 3, 1],
    2021: [1, 1, 2, 3, 6, 9, 1, 9, 12, 12, 11, 3],
}


@dataclass
class Reference:
    regions: dict[str, Region]
    providers: dict[str, Provider]
    topics: dict[str, Topic]
    themes: dict[str, SeTheme]
    theme_topics: dict[str, list[str]]

    @property
    def plo_e(self) -> Provider:
        return self.providers["PLO Efteruddannelse"]


def reference_data(regions: dict[str, Region]) -> Reference:
    providers = {
        name: Provider(name=name, kind=kind, region=regions[code] if code else None, email=email)
        for name, kind, code, email in v.PROVIDERS
    }
    topics: dict[str, Topic] = {}
    for code, name_da, name_en, category, parent, assumed in v.TOPICS:
        topics[code] = Topic(
            code=code,
            name_da=name_da,
            name_en=name_en,
            category=CATEGORY[category],
            parent=topics[parent] if parent else None,
            assumed=assumed,
        )
    themes = {
        code: SeTheme(code=code, name_da=da, name_en=en, days=days, first_year=first)
        for code, da, en, days, first, _topics in v.SE_THEMES
    }
    theme_topics = {code: topic_codes for code, _da, _en, _d, _f, topic_codes in v.SE_THEMES}
    return Reference(regions, providers, topics, themes, theme_topics)


@dataclass(eq=False)
class Run:
    """One instance of an activity and what a participant's claim looks like."""

    activity: Activity
    instance: ActivityInstance
    days: list[ProgrammeDay]
    region_code: str
    claim_type: str
    halves: list[int]
    """Course-day halves of each programme day (2 full, 1 half or meeting)."""
    course_fee_ore: int = 0
    national: bool = False
    participants: list[object] = field(default_factory=list)
    rates: Mapping[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.dates = [day.date for day in self.days]
        self.fee_days = [is_fee_weekday(day) for day in self.dates]
        self.town = self.instance.town
        self.se_ok = self.claim_type in ("course", "sge_day") and self.activity.approval in (
            "systematic",
            "both",
        )

    @property
    def first(self) -> date:
        return self.dates[0]

    @property
    def last(self) -> date:
        return self.dates[-1]


class Dates:
    """Picks course dates: weekdays that are not holidays, in the busy months, with the COVID dip."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def day(
        self, year: int, weekday_only: bool = True, after: date | None = None, before: date | None = None
    ) -> date:
        weights = MONTH_WEIGHTS.get(year, MONTH_WEIGHTS["normal"])
        for _ in range(200):
            month = self.rng.choices(range(1, 13), weights)[0]
            candidate = date(year, month, self.rng.randint(1, 28))
            if after and candidate < after or before and candidate > before:
                continue
            if not weekday_only or is_fee_weekday(candidate):
                return candidate
        start = after or date(year, 1, 2)
        while not is_fee_weekday(start):
            start += timedelta(days=1)
        return start

    def consecutive(self, year: int, count: int, with_saturday: bool = False) -> list[date]:
        for _ in range(200):
            first = self.day(year)
            days = [first + timedelta(days=i) for i in range(count)]
            if days[-1].year != year:
                continue
            if with_saturday and first.weekday() == 4 and count == 2:
                return days
            if not with_saturday and all(is_fee_weekday(d) for d in days):
                return days
        return [self.day(year)]


def programme(instance: ActivityInstance, day: date, slot: TimeSlot) -> ProgrammeDay:
    (h1, m1), (h2, m2), pause = slot
    return ProgrammeDay(
        instance=instance, date=day, starts_at=time(h1, m1), ends_at=time(h2, m2), break_minutes=pause
    )

"""The published tables: one builder feeds the dashboard, the public page, the report, exports and API.

Every row carries `gps`, the number of distinct GPs it describes, so that `suppress()` can hide small
cells in one place for every public output.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace

from django.db.models import TextChoices
from django.utils.functional import Promise
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from ajour.accounts.models import Account, Doctor, Region
from ajour.catalogue.models import Provider, Topic
from ajour.stats.models import CellGpCount, Form
from ajour.stats.selectors import (
    PROVIDER_KINDS,
    CourseDays,
    Filters,
    Participation,
    course_days_by_year,
    days,
    fraction,
    ledger_money,
    participation_by_group,
    participation_by_year,
    produced_halves_by_region,
    top_topics,
    topic_halves,
    topics_by_id,
)
from ajour.stats.services import ALL_PROVIDERS

MIN_CELL_GPS = 5
TREND_TOPICS = 5


@dataclass(frozen=True)
class Column:
    key: str
    label: str | Promise
    kind: str = "text"  # text, days, count, rate, ore, year

    @property
    def numeric(self) -> bool:
        return self.kind != "text"


@dataclass(frozen=True)
class Table:
    """A measure as rows; `chart` says how it is drawn (`bar`, `line`) from column `x` and `y` keys."""

    key: str
    title: str | Promise
    columns: list[Column]
    rows: list[dict[str, object]]
    chart: str = "bar"
    x: str = "label"
    y: list[str] = field(default_factory=list)
    suppressed: int = 0


def suppress(table: Table) -> Table:
    """Hides every cell of a row that describes fewer than MIN_CELL_GPS GPs (pages, exports, API)."""
    hidden = 0
    rows = []
    for row in table.rows:
        gps = row.get("gps")
        if isinstance(gps, int) and gps < MIN_CELL_GPS:
            hidden += 1
            hide = {column.key: None for column in table.columns if column.numeric and column.kind != "year"}
            row = {**row, **hide, "gps": None, "suppressed": True}
        rows.append(row)
    return replace(table, rows=rows, suppressed=hidden)


def public_tables(year: int) -> list[Table]:
    """What anyone may see: the national tables of a year with small cells suppressed."""
    return [suppress(table) for table in build_tables(Filters(year=year))]


def headline_row(tables: list[Table], year: int) -> dict[str, object]:
    """The year's participation, course days and days per GP, read from (possibly suppressed) tables."""
    by_key = {table.key: table for table in tables}
    row: dict[str, object] = {}
    for key in ("participation", "series", "per_gp"):
        row |= next(r for r in by_key[key].rows if r["year"] == year)
    return row


def _label(choices: type[TextChoices], value: str) -> str:
    return str(choices(value).label) if value in choices.values else value


def topic_name(topic: Topic) -> str:
    return topic.name_en if (get_language() or "da").startswith("en") else topic.name_da


class Cells:
    """Distinct GPs per cell for some years and one provider type, as stored by `refresh_rollups`."""

    def __init__(self, years: list[int], provider_kind: str) -> None:
        self.counts = {
            (row.year, row.dimension, row.key): row.gps
            for row in CellGpCount.objects.filter(
                year__in=years, provider_kind=provider_kind or ALL_PROVIDERS
            )
        }

    def __call__(self, year: int, dimension: str, key: str) -> int:
        return self.counts.get((year, dimension, key), 0)

    def smallest(self, year: int, dimension: str, keys: list[str]) -> int:
        return _smallest(*(self(year, dimension, key) for key in keys))


DAYS = _("Course days")
SHARE = _("Share")


def _breakdown(
    key: str, title: Promise, halves: dict[str, int], label: Callable[[str], str], gps: Callable[[str], int]
) -> Table:
    total = sum(halves.values())
    return Table(
        key=key,
        title=title,
        columns=[Column("label", title), Column("course_days", DAYS, "days"), Column("share", SHARE, "rate")],
        rows=[
            {
                "key": k,
                "label": label(k),
                "course_days": days(v),
                "share": round(v / total, 4) if total else 0.0,
                "gps": gps(k),
            }
            for k, v in halves.items()
        ],
        y=["course_days"],
    )


def build_tables(filters: Filters) -> list[Table]:
    """All tables for a year and filters, unsuppressed (authorised users); public callers suppress."""
    years = filters.series_years()
    if filters.year not in years:
        years.append(filters.year)
    course_days = course_days_by_year(filters, years)
    people = participation_by_year(years, region=filters.region)
    topics = topics_by_id()
    regions = dict(Region.objects.values_list("code", "name"))
    now = course_days[filters.year]
    cells = Cells(years, filters.provider_kind)
    year = filters.year
    region_halves = produced_halves_by_region(filters)
    participation_groups: list[tuple[str, Promise, Callable[[str], str]]] = [
        ("region_code", _("Participation by region"), lambda k: regions.get(k, k)),
        ("sex", _("Participation by sex"), lambda k: _label(Doctor.Sex, k)),
        ("practice_size", _("Participation by practice size (doctor capacities)"), str),
    ]
    return [
        _participation_series(people, years),
        _breakdown(
            "provider_type",
            _("Produced course days by provider type"),
            now.by_provider_kind,
            lambda k: _label(Provider.Kind, k),
            lambda k: cells(year, "provider_kind", k),
        ),
        _breakdown(
            "form",
            _("Course days by form"),
            now.by_form,
            lambda k: _label(Form, k),
            lambda k: cells(year, "form", k),
        ),
        _breakdown(
            "category",
            _("Produced course days by category"),
            now.by_category,
            lambda k: _label(Topic.Category, k),
            lambda k: cells(year, "category", k),
        ),
        _breakdown(
            "region",
            _("Produced course days by region"),
            region_halves,
            lambda k: regions.get(k, k),
            lambda k: cells(year, "region", k),
        ),
        _top_topics(now, topics, cells, year),
        _course_day_series(course_days, years, cells),
        _topic_trends(course_days, years, topics, now, cells),
        _per_gp(course_days, people, years),
        _money(now),
        _unused_money(filters.year),
        *[
            _participation_groups(filters, group, title, label)
            for group, title, label in participation_groups
        ],
    ]


def _participation_series(people: dict[int, Participation], years: list[int]) -> Table:
    return Table(
        key="participation",
        title=_("Participation by year"),
        columns=[
            Column("year", _("Year"), "year"),
            Column("eligible_gps", _("Eligible GPs"), "count"),
            Column("gps_with_claims", _("GPs with claims"), "count"),
            Column("participation_rate", _("Participation rate"), "rate"),
            Column("participation_rate_two_years", _("Participation rate over two years"), "rate"),
            Column("gps_below_systematic_days", _("GPs below 3 systematic days"), "count"),
        ],
        rows=[
            {
                "year": year,
                "eligible_gps": people[year].eligible_gps,
                "gps_with_claims": people[year].gps_with_claims,
                "participation_rate": round(people[year].rate, 4),
                "participation_rate_two_years": round(people[year].rate_two_years, 4),
                "gps_below_systematic_days": people[year].gps_below_systematic,
                "gps": _smallest(
                    people[year].gps_with_claims,
                    people[year].eligible_gps - people[year].gps_with_claims,
                ),
            }
            for year in years
        ],
        chart="line",
        x="year",
        y=["participation_rate", "participation_rate_two_years"],
    )


def _smallest(*counts: int) -> int:
    """The smallest non-empty group a row describes (an empty group reveals nothing)."""
    return min([count for count in counts if count] or [0])


def _top_topics(now: CourseDays, topics: dict[int, Topic], cells: Cells, year: int) -> Table:
    return Table(
        key="top_topics",
        title=_("Top 10 topics by produced course days"),
        columns=[
            Column("rank", _("Rank"), "count"),
            Column("label", _("Topic"), "text"),
            Column("course_days", DAYS, "days"),
        ],
        rows=[
            {
                "rank": rank,
                "key": topic.code,
                "label": topic_name(topic),
                "course_days": days(halves),
                "gps": cells(year, "topic", topic.code),
            }
            for rank, (topic, halves) in enumerate(top_topics(now, topics), start=1)
        ],
        y=["course_days"],
    )


def _course_day_series(course_days: dict[int, CourseDays], years: list[int], cells: Cells) -> Table:
    return Table(
        key="series",
        title=_("Produced course days by year and provider type"),
        columns=[
            Column("year", _("Year"), "year"),
            Column("produced_course_days", _("All providers"), "days"),
            *[Column(kind, _label(Provider.Kind, kind), "days") for kind in PROVIDER_KINDS],
        ],
        rows=[
            {
                "year": year,
                "produced_course_days": days(course_days[year].produced),
                **{kind: days(course_days[year].by_provider_kind[kind]) for kind in PROVIDER_KINDS},
                "gps": cells.smallest(year, "provider_kind", PROVIDER_KINDS),
            }
            for year in years
        ],
        chart="line",
        x="year",
        y=["produced_course_days", *PROVIDER_KINDS],
    )


def _topic_trends(
    course_days: dict[int, CourseDays],
    years: list[int],
    topics: dict[int, Topic],
    now: CourseDays,
    cells: Cells,
) -> Table:
    """The year's largest topics and their sub-topics (ADHD under psychiatry) over the years."""
    chosen = [topic for topic, _halves in top_topics(now, topics, TREND_TOPICS)]
    chosen += [topic for topic in topics.values() if topic.parent in chosen and topic not in chosen]
    per_year = {year: topic_halves(course_days[year], topics) for year in years}
    return Table(
        key="topic_trends",
        title=_("Largest topics by year"),
        columns=[
            Column("year", _("Year"), "year"),
            *[Column(topic.code, topic_name(topic), "days") for topic in chosen],
        ],
        rows=[
            {
                "year": year,
                **{topic.code: days(per_year[year].get(topic, 0)) for topic in chosen},
                "gps": cells.smallest(year, "topic", [topic.code for topic in chosen]),
            }
            for year in years
        ],
        chart="line",
        x="year",
        y=[topic.code for topic in chosen],
    )


def _per_gp(course_days: dict[int, CourseDays], people: dict[int, Participation], years: list[int]) -> Table:
    def per_gp(halves: int, year: int) -> float:
        gps = people[year].gps_with_claims
        return round(days(halves) / gps, 2) if gps else 0.0

    return Table(
        key="per_gp",
        title=_("Course days per GP with claims"),
        columns=[
            Column("year", _("Year"), "year"),
            Column("course_days_per_gp", _("Produced course days per GP"), "days"),
            Column("including_group_based", _("Including group-based learning"), "days"),
        ],
        rows=[
            {
                "year": year,
                "course_days_per_gp": per_gp(course_days[year].produced, year),
                "including_group_based": per_gp(
                    course_days[year].produced + course_days[year].dge_meetings, year
                ),
                "gps": _smallest(people[year].gps_with_claims),
            }
            for year in years
        ],
        chart="line",
        x="year",
        y=["course_days_per_gp", "including_group_based"],
    )


def _money(now: CourseDays) -> Table:
    return Table(
        key="money",
        title=_("Money paid by stream"),
        columns=[Column("label", _("Stream"), "text"), Column("payable_ore", _("Paid (øre)"), "ore")],
        rows=[
            {"key": stream, "label": _label(Account.Kind, stream), "payable_ore": amount}
            for stream, amount in now.payable_by_stream.items()
        ],
        y=["payable_ore"],
    )


def _unused_money(year: int) -> Table:
    money = ledger_money(year=year)
    return Table(
        key="unused_money",
        title=_("Unused and forfeited money"),
        columns=[Column("label", _("Account"), "text"), Column("amount_ore", _("Amount (øre)"), "ore")],
        rows=[
            {
                "key": "unused_self_chosen",
                "label": str(_("Unused on self-chosen accounts before year end")),
                "amount_ore": money.unused_self_chosen_ore,
            },
            {
                "key": "forfeited_self_chosen",
                "label": str(_("Forfeited from self-chosen accounts")),
                "amount_ore": money.forfeited_self_chosen_ore,
            },
            {
                "key": "forfeited_staff",
                "label": str(_("Forfeited from clinic staff accounts")),
                "amount_ore": money.forfeited_staff_ore,
            },
        ],
        y=["amount_ore"],
    )


def _participation_groups(filters: Filters, group: str, title: Promise, label: Callable[[str], str]) -> Table:
    rows = participation_by_group(year=filters.year, group=group, region=filters.region)
    return Table(
        key=f"participation_{group.removesuffix('_code')}",
        title=title,
        columns=[
            Column("label", title, "text"),
            Column("eligible_gps", _("Eligible GPs"), "count"),
            Column("gps_with_claims", _("GPs with claims"), "count"),
            Column("participation_rate", _("Participation rate"), "rate"),
            Column("participation_rate_two_years", _("Participation rate over two years"), "rate"),
        ],
        rows=[
            {
                "key": row["key"],
                "label": label(str(row["key"])),
                "eligible_gps": row["n_eligible"],
                "gps_with_claims": row["n_with_claims"],
                "participation_rate": round(fraction(row["n_with_claims"], row["n_eligible"]), 4),
                "participation_rate_two_years": round(fraction(row["n_two_years"], row["n_eligible"]), 4),
                "gps": _smallest(row["n_with_claims"], row["n_eligible"] - row["n_with_claims"]),
            }
            for row in rows
        ],
        y=["participation_rate"],
    )


TABLE_KEYS = [
    "participation",
    "provider_type",
    "form",
    "category",
    "region",
    "top_topics",
    "series",
    "topic_trends",
    "per_gp",
    "money",
    "unused_money",
    "participation_region",
    "participation_sex",
    "participation_practice_size",
]

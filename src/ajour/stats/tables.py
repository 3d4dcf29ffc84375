"""The published tables: one builder feeds the dashboard, the public page, the report, exports and API.

Each table declares the figures it shows (`Cell`: which row and columns, how many distinct GPs) and the
margins they add up to (`Margin`), so that `published_tables()` can hide small figures and whatever
would give them away, in one place for every public output (`ajour.stats.suppression`).
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
from ajour.stats.services import ALL_PROVIDERS, ALL_REGIONS
from ajour.stats.suppression import Cell, Figure, Margin, Shown, hidden_figures

TREND_TOPICS = 5
ALL = "*"


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
    """A measure as rows; `chart` says how it is drawn (`bar`, `line`) from column `x` and `y` keys.

    `cells` and `margins` describe the figures the rows show, for suppression; `suppressed` counts the
    rows with a hidden figure once suppressed."""

    key: str
    title: str | Promise
    columns: list[Column]
    rows: list[dict[str, object]]
    chart: str = "bar"
    x: str = "label"
    y: list[str] = field(default_factory=list)
    cells: list[Cell] = field(default_factory=list)
    margins: list[Margin] = field(default_factory=list)
    suppressed: int = 0


def suppress(tables: list[Table]) -> list[Table]:
    """The tables of one filter with small figures hidden, and every figure that would give one away
    (`ajour.stats.suppression`): hidden cells are None and their rows carry `suppressed: True`."""
    shown: dict[Figure, Shown] = {}
    needs: dict[Figure, tuple[Figure, ...]] = {}
    for table in tables:
        for cell in table.cells:
            values = [table.rows[cell.row].get(column) for column in cell.columns]
            before = shown.get(cell.figure)
            shown[cell.figure] = Shown(
                gps=min(cell.gps, before.gps) if before else cell.gps,
                size=_size(values[0]),
                empty=all(not value for value in values) and (before is None or before.empty),
            )
            if cell.needs:
                needs[cell.figure] = cell.needs
    hidden = hidden_figures(shown, [margin for table in tables for margin in table.margins], needs)
    return [_blank(table, hidden) for table in tables]


def _size(value: object) -> float:
    return float(value) if isinstance(value, int | float) else 0.0


def _blank(table: Table, hidden: set[Figure]) -> Table:
    rows = [dict(row) for row in table.rows]
    for cell in table.cells:
        if cell.figure in hidden:
            rows[cell.row] |= dict.fromkeys(cell.columns) | {"suppressed": True}
    return replace(table, rows=rows, suppressed=sum(1 for row in rows if row.get("suppressed")))


def published_tables(filters: Filters) -> list[Table]:
    """What leaves the secretariat (public page, exports, API, PDF): every table of a filter, suppressed."""
    return suppress(build_tables(filters))


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
    """Distinct GPs per cell for some years, one provider type and one region (or all), as stored by
    `refresh_rollups`."""

    def __init__(self, years: list[int], provider_kind: str, region: str) -> None:
        self.counts = {
            (row.year, row.dimension, row.key): row.gps
            for row in CellGpCount.objects.filter(
                year__in=years,
                provider_kind=provider_kind or ALL_PROVIDERS,
                region_code=region or ALL_REGIONS,
            )
        }

    def __call__(self, year: int, dimension: str, key: str) -> int:
        return self.counts.get((year, dimension, key), 0)


DAYS = _("Course days")
SHARE = _("Share")


def _breakdown(
    key: str,
    title: Promise,
    halves: dict[str, int],
    label: Callable[[str], str],
    figure: Callable[[str], Figure],
    gps: Callable[[str], int],
    total: Figure | None,
) -> Table:
    """Course days by one dimension with each row's share of the table's total."""
    whole = sum(halves.values())
    return Table(
        key=key,
        title=title,
        columns=[Column("label", title), Column("course_days", DAYS, "days"), Column("share", SHARE, "rate")],
        rows=[
            {
                "key": k,
                "label": label(k),
                "course_days": days(v),
                "share": round(v / whole, 4) if whole else 0.0,
            }
            for k, v in halves.items()
        ],
        y=["course_days"],
        cells=[Cell(figure(k), row, ("course_days", "share"), gps(k)) for row, k in enumerate(halves)],
        margins=[Margin(tuple(figure(k) for k in halves), total, shares=True)],
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
    cells = Cells(years, filters.provider_kind, filters.region)
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
            lambda k: _produced(year, k),
            lambda k: cells(year, "provider_kind", k),
            total=_produced(year),
        ),
        _breakdown(
            "form",
            _("Course days by form"),
            now.by_form,
            lambda k: _label(Form, k),
            lambda k: ("form", year, k),
            lambda k: cells(year, "form", k),
            total=None,  # produced days, DGE meetings and staff days: no other table shows that sum
        ),
        _breakdown(
            "category",
            _("Produced course days by category"),
            now.by_category,
            lambda k: _label(Topic.Category, k),
            lambda k: ("category", year, k),
            lambda k: cells(year, "category", k),
            total=_produced(year),  # every activity has a topic, every topic a category
        ),
        _breakdown(
            "region",
            _("Produced course days by region"),
            region_halves,
            lambda k: regions.get(k, k),
            lambda k: ("region", year, k),
            lambda k: cells(year, "region", k),
            total=_produced(year),
        ),
        _top_topics(now, topics, cells, year),
        _course_day_series(course_days, years, cells),
        _topic_trends(course_days, years, topics, now, cells),
        _per_gp(course_days, people, years),
        _money(now, cells, year),
        _unused_money(filters.year),
        *[
            _participation_groups(filters, group, title, label)
            for group, title, label in participation_groups
        ],
    ]


def _produced(year: int, kind: str = ALL) -> Figure:
    """Produced course days of a year, by one provider type or all (the series and the breakdowns)."""
    return ("produced", year, kind)


def _participation(year: int) -> Figure:
    return ("participation", year)


def _participation_series(people: dict[int, Participation], years: list[int]) -> Table:
    columns = [
        Column("year", _("Year"), "year"),
        Column("eligible_gps", _("Eligible GPs"), "count"),
        Column("gps_with_claims", _("GPs with claims"), "count"),
        Column("participation_rate", _("Participation rate"), "rate"),
        Column("participation_rate_two_years", _("Participation rate over two years"), "rate"),
        Column("gps_below_systematic_days", _("GPs below 3 systematic days"), "count"),
    ]
    return Table(
        key="participation",
        title=_("Participation by year"),
        columns=columns,
        rows=[
            {
                "year": year,
                "eligible_gps": people[year].eligible_gps,
                "gps_with_claims": people[year].gps_with_claims,
                "participation_rate": round(people[year].rate, 4),
                "participation_rate_two_years": round(people[year].rate_two_years, 4),
                "gps_below_systematic_days": people[year].gps_below_systematic,
            }
            for year in years
        ],
        chart="line",
        x="year",
        y=["participation_rate", "participation_rate_two_years"],
        cells=[
            Cell(
                _participation(year),
                row,
                tuple(column.key for column in columns[1:]),
                _smallest_group(
                    people[year].eligible_gps,
                    people[year].gps_with_claims,
                    people[year].gps_two_years,
                    people[year].gps_below_systematic,
                ),
            )
            for row, year in enumerate(years)
        ],
    )


def _smallest_group(eligible: int, *subsets: int) -> int:
    """The smallest non-empty group a row describes: each subset of the eligible GPs and the rest (an
    empty group reveals nothing)."""
    groups = [count for subset in subsets for count in (subset, eligible - subset)]
    return min([count for count in groups if count] or [0])


def _top_topics(now: CourseDays, topics: dict[int, Topic], cells: Cells, year: int) -> Table:
    ranked = top_topics(now, topics)
    return Table(
        key="top_topics",
        title=_("Top 10 topics by produced course days"),
        columns=[
            Column("rank", _("Rank"), "count"),
            Column("label", _("Topic"), "text"),
            Column("course_days", DAYS, "days"),
        ],
        rows=[
            {"rank": rank, "key": topic.code, "label": topic_name(topic), "course_days": days(halves)}
            for rank, (topic, halves) in enumerate(ranked, start=1)
        ],
        y=["course_days"],
        cells=[
            Cell(("topic", year, topic.code), row, ("course_days",), cells(year, "topic", topic.code))
            for row, (topic, _halves) in enumerate(ranked)
        ],
    )


def _course_day_series(course_days: dict[int, CourseDays], years: list[int], cells: Cells) -> Table:
    """Each year's produced course days and their split by provider type (a margin per year)."""
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
            }
            for year in years
        ],
        chart="line",
        x="year",
        y=["produced_course_days", *PROVIDER_KINDS],
        cells=[
            cell
            for row, year in enumerate(years)
            for cell in [
                Cell(_produced(year), row, ("produced_course_days",), cells(year, "year", "all")),
                *[
                    Cell(_produced(year, kind), row, (kind,), cells(year, "provider_kind", kind))
                    for kind in PROVIDER_KINDS
                ],
            ]
        ],
        margins=[
            Margin(tuple(_produced(year, kind) for kind in PROVIDER_KINDS), _produced(year)) for year in years
        ],
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
            {"year": year, **{topic.code: days(per_year[year].get(topic, 0)) for topic in chosen}}
            for year in years
        ],
        chart="line",
        x="year",
        y=[topic.code for topic in chosen],
        cells=[
            Cell(("topic", year, topic.code), row, (topic.code,), cells(year, "topic", topic.code))
            for row, year in enumerate(years)
            for topic in chosen
        ],
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
            }
            for year in years
        ],
        chart="line",
        x="year",
        y=["course_days_per_gp", "including_group_based"],
        cells=[
            Cell(
                ("per_gp", year),
                row,
                ("course_days_per_gp", "including_group_based"),
                people[year].gps_with_claims,
                needs=(_participation(year), _produced(year)),  # days ÷ GPs gives either away
            )
            for row, year in enumerate(years)
        ],
    )


def _money(now: CourseDays, cells: Cells, year: int) -> Table:
    streams = list(now.payable_by_stream)
    return Table(
        key="money",
        title=_("Money paid by stream"),
        columns=[Column("label", _("Stream"), "text"), Column("payable_ore", _("Paid (øre)"), "ore")],
        rows=[
            {
                "key": stream,
                "label": _label(Account.Kind, stream),
                "payable_ore": now.payable_by_stream[stream],
            }
            for stream in streams
        ],
        y=["payable_ore"],
        cells=[
            Cell(("money", year, stream), row, ("payable_ore",), cells(year, "stream", stream))
            for row, stream in enumerate(streams)
        ],
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
    """One year's participation split by a group; the rows add up to the year's participation."""
    rows = participation_by_group(year=filters.year, group=group, region=filters.region)
    figures = [("participation", group, str(row["key"])) for row in rows]
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
            }
            for row in rows
        ],
        y=["participation_rate"],
        cells=[
            Cell(
                figure,
                index,
                ("eligible_gps", "gps_with_claims", "participation_rate", "participation_rate_two_years"),
                _smallest_group(row["n_eligible"], row["n_with_claims"], row["n_two_years"]),
            )
            for index, (figure, row) in enumerate(zip(figures, rows, strict=True))
        ],
        margins=[Margin(tuple(figures), _participation(filters.year))],
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

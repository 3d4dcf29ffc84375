"""The measures defined in the README, read from the roll-up tables (rebuilt by `refresh_rollups`).

Course days leave the database as integer half days and become days (`halves / 2`) only here. Rates
are fractions (0.874), never percentages; money stays integer øre.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, TypedDict

from django.db.models import Count, F, Q, QuerySet, Sum

from ajour.accounts.models import Account, Doctor, LedgerEntry, Practice, Region
from ajour.accounts.services import allocation_parameter
from ajour.catalogue.models import Provider, Topic
from ajour.stats.models import CourseDayFact, Form, GpYearFact, LedgerYearFact, RollupState
from ajour.stats.services import FIRST_SERIES_YEAR, STREAM_OF_FORM, in_course_days_by_form, practice_size

PROVIDER_KINDS = [choice.value for choice in Provider.Kind]
FORMS = [choice.value for choice in Form]
CATEGORIES = [choice.value for choice in Topic.Category]
TOP_TOPICS = 10


@dataclass(frozen=True)
class Filters:
    """What the dashboard, API and exports may narrow by; empty means all."""

    year: int
    region: str = ""
    provider_kind: str = ""
    form: str = ""
    topic: str = ""

    def series_years(self) -> list[int]:
        """From the first year of the series up to the chosen year."""
        return list(range(FIRST_SERIES_YEAR, self.year + 1))


@dataclass
class CourseDays:
    """One year's course-day measures, summed from roll-up rows (half days)."""

    produced: int = 0
    by_provider_kind: dict[str, int] = field(default_factory=lambda: dict.fromkeys(PROVIDER_KINDS, 0))
    by_form: dict[str, int] = field(default_factory=lambda: dict.fromkeys(FORMS, 0))
    by_category: dict[str, int] = field(default_factory=lambda: dict.fromkeys(CATEGORIES, 0))
    by_topic_id: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    dge_meetings: int = 0
    payable_by_stream: dict[str, int] = field(
        default_factory=lambda: dict.fromkeys([choice.value for choice in Account.Kind], 0)
    )

    def add(self, row: Mapping[str, Any]) -> None:
        """Adds one roll-up row (`values()` with summed `halves` and `payable`)."""
        halves, form = int(row["halves"]), str(row["form"])
        self.payable_by_stream[STREAM_OF_FORM[Form(form)]] += int(row["payable"])
        if row["produced"]:
            self.produced += halves
            self.by_provider_kind[str(row["provider_kind"])] += halves
            if row["category"]:
                self.by_category[str(row["category"])] += halves
            if row["topic_id"]:
                self.by_topic_id[int(row["topic_id"])] += halves
        elif form == Form.GROUP_BASED and row["gp_claim"]:
            self.dge_meetings += halves
        if in_course_days_by_form(form=form, gp_claim=bool(row["gp_claim"]), produced=bool(row["produced"])):
            self.by_form[form] += halves


@dataclass(frozen=True)
class Participation:
    year: int
    eligible_gps: int
    gps_with_claims: int
    gps_two_years: int
    gps_below_systematic: int

    @property
    def rate(self) -> float:
        return fraction(self.gps_with_claims, self.eligible_gps)

    @property
    def rate_two_years(self) -> float:
        return fraction(self.gps_two_years, self.eligible_gps)

    @property
    def percent(self) -> float:
        """For display only."""
        return 100 * self.rate


def fraction(part: float, whole: float) -> float:
    return part / whole if whole else 0.0


def days(halves: int) -> float:
    return halves / 2


def topics_by_id() -> dict[int, Topic]:
    return {topic.pk: topic for topic in Topic.objects.all()}


def filtered_facts(filters: Filters, years: list[int]) -> QuerySet[CourseDayFact]:
    facts = CourseDayFact.objects.filter(year__in=years)
    if filters.region:
        facts = facts.filter(region_code=filters.region)
    if filters.provider_kind:
        facts = facts.filter(provider_kind=filters.provider_kind)
    if filters.form:
        facts = facts.filter(form=filters.form)
    if filters.topic:
        facts = facts.filter(Q(topic__code=filters.topic) | Q(topic__parent__code=filters.topic))
    return facts


def course_days_by_year(filters: Filters, years: list[int]) -> dict[int, CourseDays]:
    """Course-day measures for each year in one grouped query over the roll-up table."""
    result = {year: CourseDays() for year in years}
    rows = (
        filtered_facts(filters, years)
        .values("year", "provider_kind", "form", "topic_id", "category", "gp_claim", "produced")
        .annotate(halves=Sum("course_day_halves"), payable=Sum("payable_ore"))
        .order_by()
    )
    for row in rows:
        result[row["year"]].add(row)
    return result


def produced_halves_by_region(filters: Filters) -> dict[str, int]:
    rows = (
        filtered_facts(filters, [filters.year])
        .filter(produced=True)
        .values_list("region_code")
        .annotate(halves=Sum("course_day_halves"))
        .order_by("region_code")
    )
    return dict(rows)


def topic_halves(course_days: CourseDays, topics: dict[int, Topic]) -> dict[Topic, int]:
    """Produced half days per topic; a sub-topic (ADHD) also counts towards its parent (psychiatry)."""
    totals: dict[Topic, int] = defaultdict(int)
    for topic_id, halves in course_days.by_topic_id.items():
        topic = topics[topic_id]
        totals[topic] += halves
        if topic.parent_id:
            totals[topics[topic.parent_id]] += halves
    return totals


def top_topics(
    course_days: CourseDays, topics: dict[int, Topic], limit: int = TOP_TOPICS
) -> list[tuple[Topic, int]]:
    ranked = sorted(topic_halves(course_days, topics).items(), key=lambda item: (-item[1], item[0].code))
    return ranked[:limit]


def participation_by_year(years: list[int], *, region: str = "") -> dict[int, Participation]:
    facts = GpYearFact.objects.filter(year__in=years)
    if region:
        facts = facts.filter(region_code=region)
    rows = {row["year"]: row for row in _participation_counts(facts.values("year"), years)}
    return {
        year: Participation(
            year=year,
            eligible_gps=rows.get(year, {}).get("n_eligible", 0),
            gps_with_claims=rows.get(year, {}).get("n_with_claims", 0),
            gps_two_years=rows.get(year, {}).get("n_two_years", 0),
            gps_below_systematic=rows.get(year, {}).get("n_below_systematic", 0),
        )
        for year in years
    }


def _participation_counts(
    grouped: QuerySet[GpYearFact, Any], years: Iterable[int]
) -> QuerySet[GpYearFact, dict[str, Any]]:
    return grouped.annotate(
        n_eligible=Count("pk", filter=Q(eligible=True)),
        n_with_claims=Count("pk", filter=Q(claims__gt=0)),
        n_two_years=Count("pk", filter=Q(eligible=True) & (Q(claims__gt=0) | Q(claims_previous_year__gt=0))),
        n_below_systematic=Count("pk", filter=Q(eligible=True) & _below_systematic(years)),
    ).order_by()


def _below_systematic(years: Iterable[int]) -> Q:
    """Drew fewer systematic half days in a year than that year's allocation (`systematic.per_year`)."""
    below = Q(pk__in=[])
    for year in years:
        per_year = allocation_parameter("systematic.per_year", date(year, 1, 1))
        below |= Q(year=year, systematic_half_days__lt=per_year)
    return below


def participation(*, year: int, region: str = "") -> Participation:
    return participation_by_year([year], region=region)[year]


class GroupParticipation(TypedDict):
    key: object
    n_eligible: int
    n_with_claims: int
    n_two_years: int
    n_below_systematic: int


def participation_by_group(*, year: int, group: str, region: str = "") -> list[GroupParticipation]:
    """Participation of one year split by `region_code`, `sex` or `practice_size`."""
    facts = GpYearFact.objects.filter(year=year)
    if region:
        facts = facts.filter(region_code=region)
    return [
        GroupParticipation(
            key=row[group],
            n_eligible=row["n_eligible"],
            n_with_claims=row["n_with_claims"],
            n_two_years=row["n_two_years"],
            n_below_systematic=row["n_below_systematic"],
        )
        for row in _participation_counts(facts.values(group), [year]).order_by(group)
    ]


@dataclass(frozen=True)
class LedgerMoney:
    """Unused (left before the year-end close) and forfeited money of one account year."""

    unused_self_chosen_ore: int
    forfeited_self_chosen_ore: int
    forfeited_staff_ore: int
    forfeited_systematic_half_days: int


def ledger_money(*, year: int) -> LedgerMoney:
    sums: dict[tuple[str, str], int] = defaultdict(int)
    for fact in LedgerYearFact.objects.filter(year=year):
        sums[(fact.account_kind, fact.entry_kind)] += fact.amount
    forfeit = LedgerEntry.Kind.FORFEIT
    unused = sum(
        amount
        for (account, entry), amount in sums.items()
        if account == Account.Kind.SELF_CHOSEN and entry != forfeit
    )
    return LedgerMoney(
        unused_self_chosen_ore=unused,
        forfeited_self_chosen_ore=-sums[(Account.Kind.SELF_CHOSEN, forfeit)],
        forfeited_staff_ore=-sums[(Account.Kind.STAFF, forfeit)],
        forfeited_systematic_half_days=-sums[(Account.Kind.SYSTEMATIC, forfeit)],
    )


def headline(*, year: int, provider_kind: str = "") -> dict[str, object]:
    """The headline measures as one JSON-ready object (`ajour stats --json`, API, report).

    With `provider_kind`, course-day, category, topic, money and series measures cover that provider
    type's activities only; participation always covers all claims.
    """
    filters = Filters(year=year, provider_kind=provider_kind)
    years = filters.series_years()
    if year not in years:
        years.append(year)
    course_days = course_days_by_year(filters, years)
    people = participation_by_year(years)
    topics = topics_by_id()
    now, gps = course_days[year], people[year]
    money = ledger_money(year=year)
    return {
        "year": year,
        "provider_type": provider_kind or None,
        "eligible_gps": gps.eligible_gps,
        "gps_with_claims": gps.gps_with_claims,
        "gps_without_claims": gps.eligible_gps - gps.gps_with_claims,
        "participation_rate": round(gps.rate, 4),
        "gps_with_claims_two_years": gps.gps_two_years,
        "participation_rate_two_years": round(gps.rate_two_years, 4),
        "gps_below_systematic_days": gps.gps_below_systematic,
        "produced_course_days": days(now.produced),
        "produced_course_days_by_provider_type": {k: days(v) for k, v in now.by_provider_kind.items()},
        "produced_course_days_by_form": {k: days(v) for k, v in now.by_form.items()},
        "share_by_category": {k: round(fraction(v, now.produced), 4) for k, v in now.by_category.items()},
        "course_days_per_gp": round(fraction(days(now.produced), gps.gps_with_claims), 2),
        "course_days_per_gp_including_group_based": round(
            fraction(days(now.produced + now.dge_meetings), gps.gps_with_claims), 2
        ),
        "top_topics": [
            {"topic": topic.code, "name": topic.name_da, "course_days": days(halves)}
            for topic, halves in top_topics(now, topics)
        ],
        "money_paid_ore_by_stream": now.payable_by_stream,
        "unused_self_chosen_ore": money.unused_self_chosen_ore,
        "forfeited_ore": {
            "self_chosen": money.forfeited_self_chosen_ore,
            "staff": money.forfeited_staff_ore,
        },
        "forfeited_systematic_days": days(money.forfeited_systematic_half_days),
        "series": {
            str(y): {
                "produced_course_days": days(course_days[y].produced),
                "participation_rate": round(people[y].rate, 4),
                "produced_course_days_by_provider_type": {
                    k: days(v) for k, v in course_days[y].by_provider_kind.items()
                },
                "topics": {
                    topic.code: days(halves)
                    for topic, halves in sorted(
                        topic_halves(course_days[y], topics).items(), key=lambda item: item[0].code
                    )
                },
            }
            for y in filters.series_years()
        },
    }


@dataclass(frozen=True)
class RareParticipant:
    name: str
    practice: str
    region: str
    practice_size: str
    sex: str
    claims_two_years: int


if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

    class _TwoYears(TypedDict):
        two_years: int

    _RareFact = WithAnnotations[GpYearFact, _TwoYears]


def _rare_facts(year: int, region: str, at_most: int) -> QuerySet[_RareFact]:
    facts = GpYearFact.objects.filter(year=year, eligible=True).annotate(
        two_years=F("claims") + F("claims_previous_year")
    )
    if region:
        facts = facts.filter(region_code=region)
    return facts.filter(two_years__lte=at_most)


def under_participation(*, year: int, region: str = "", at_most: int = 1) -> list[RareParticipant]:
    """Eligible GPs with at most `at_most` claims over `year` − 1 and `year` (DSAM's targeted offers)."""
    region_names = dict(Region.objects.values_list("code", "name"))
    rare = (
        _rare_facts(year, region, at_most)
        .select_related("doctor", "doctor__practice")
        .order_by("region_code", "doctor__last_name", "doctor__first_name")
    )
    return [
        RareParticipant(
            name=fact.doctor.full_name,
            practice=fact.doctor.practice.name if fact.doctor.practice else "",
            region=region_names.get(fact.region_code, fact.region_code),
            practice_size=fact.practice_size,
            sex=str(Doctor.Sex(fact.sex).label),
            claims_two_years=fact.two_years,
        )
        for fact in rare
    ]


@dataclass(frozen=True)
class RarePractice:
    name: str
    region: str
    practice_size: str
    eligible_gps: int


def under_participating_practices(*, year: int, region: str = "", at_most: int = 1) -> list[RarePractice]:
    """Practices where every eligible GP had at most `at_most` claims over `year` − 1 and `year`."""
    eligible = GpYearFact.objects.filter(year=year, eligible=True)
    if region:
        eligible = eligible.filter(region_code=region)
    per_practice = dict(eligible.values_list("doctor__practice_id").annotate(n=Count("pk")).order_by())
    rare = dict(
        _rare_facts(year, region, at_most)
        .values_list("doctor__practice_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    all_rare = [pk for pk, n in rare.items() if pk is not None and per_practice.get(pk) == n]
    region_names = dict(Region.objects.values_list("code", "name"))
    return [
        RarePractice(
            name=practice.name,
            region=region_names.get(practice.region.code, practice.region.code),
            practice_size=practice_size(practice.doctor_capacities),
            eligible_gps=per_practice[practice.pk],
        )
        for practice in Practice.objects.filter(pk__in=all_rare)
        .select_related("region")
        .order_by("region__name", "name")
    ]


def refreshed_at() -> datetime | None:
    """When the roll-ups were last rebuilt (shown under the figures)."""
    return RollupState.objects.values_list("refreshed_at", flat=True).first()


def latest_complete_year() -> int:
    return date.today().year - 1


def years_with_statistics() -> list[int]:
    """The years the roll-up tables hold figures for (a refresh builds 2019 to this year and any year
    with claims); the filters accept only these."""
    years = set(GpYearFact.objects.values_list("year", flat=True).distinct().order_by())
    years |= set(CourseDayFact.objects.values_list("year", flat=True).distinct().order_by())
    return sorted(years)

"""Writes of the stats app: rebuilding the roll-up tables from the records (docs/measures.md)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date

from django.db import transaction
from django.db.models import Case, CharField, Count, F, Q, QuerySet, Sum, Value, When
from django.db.models.functions import Coalesce, ExtractYear

from ajour.accounts.models import Doctor, LedgerEntry
from ajour.catalogue.models import Topic
from ajour.claims.models import Claim
from ajour.stats.models import CellGpCount, CourseDayFact, Form, GpYearFact, LedgerYearFact

GP_ROLES = [Doctor.Role.GP_OWNER, Doctor.Role.GP_EMPLOYED]
FIRST_SERIES_YEAR = 2019
STAFF_ACTIVITY_TYPES = ["staff_course", "pge_module"]
GROUP_ACTIVITY_TYPES = ["dge_module", "dge_meeting"]
BATCH = 5000
ALL_PROVIDERS = "*"
CELL_DIMENSIONS = {
    "provider_kind": "provider_kind",
    "form": "form",
    "region": "region_code",
    "category": "category",
    "topic": "topic_code",
}


def counted_claims() -> QuerySet[Claim]:
    """Claims whose decision was not rejected, annotated with the dimensions of the roll-ups."""
    staff = Q(staff_member__isnull=False) | Q(activity_type__in=STAFF_ACTIVITY_TYPES)
    gp_claim = ~staff & Q(claimant__role__in=GP_ROLES)
    return Claim.objects.exclude(outcome="rejected").annotate(
        year=ExtractYear("activity_date"),
        provider_kind=Coalesce(F("instance__activity__provider__kind"), Value(""), output_field=CharField()),
        region_code=Coalesce(
            F("practice__region__code"),
            F("claimant__practice__region__code"),
            F("instance__region__code"),
            Value(""),
            output_field=CharField(),
        ),
        topic_code=Coalesce(F("instance__activity__topic__code"), Value(""), output_field=CharField()),
        category=Coalesce(F("instance__activity__topic__category"), Value(""), output_field=CharField()),
        form=Case(
            When(staff, then=Value(Form.PRACTICE_STAFF)),
            When(activity_type__in=GROUP_ACTIVITY_TYPES, then=Value(Form.GROUP_BASED)),
            When(
                Q(drawn_systematic_half_days__gt=0) | Q(activity_type="sge_day"),
                then=Value(Form.SYSTEMATIC),
            ),
            default=Value(Form.SELF_CHOSEN),
            output_field=CharField(),
        ),
        gp_claim=Case(When(gp_claim, then=Value(True)), default=Value(False)),
        produced=Case(
            When(gp_claim & Q(instance__activity__provider__isnull=False), then=Value(True)),
            default=Value(False),
        ),
    )


@transaction.atomic
def refresh_rollups(*, years: Iterable[int] | None = None) -> int:
    """Rebuilds the roll-up tables (all years, or only `years`); returns the number of fact rows.

    Called after the demo load, after claim batches and by `ajour stats refresh`.
    """
    claims = counted_claims()
    all_years = sorted(_years_with_data() if years is None else set(years))
    if not all_years:
        return 0
    if years is not None:
        claims = claims.filter(activity_date__year__in=all_years)
    for table in (CourseDayFact, GpYearFact, CellGpCount, LedgerYearFact):
        stale = table.objects.all() if years is None else table.objects.filter(year__in=all_years)
        stale.delete()
    written = _write_course_day_facts(claims)
    written += _write_gp_year_facts(all_years)
    written += _write_cell_gp_counts(claims.filter(produced=True))
    written += _write_ledger_facts(all_years)
    return written


def _years_with_data() -> set[int]:
    claim_years = Claim.objects.annotate(y=ExtractYear("activity_date")).values_list("y", flat=True)
    return set(claim_years.distinct()) | set(range(FIRST_SERIES_YEAR, date.today().year + 1))


def _write_course_day_facts(claims: QuerySet[Claim]) -> int:
    topic_ids = dict(Topic.objects.values_list("code", "pk"))
    rows = claims.values(
        "year", "provider_kind", "region_code", "form", "topic_code", "category", "gp_claim", "produced"
    ).annotate(n=Count("pk"), halves=Sum("course_day_halves"), payable=Sum("payable_ore"))
    facts = (
        CourseDayFact(
            year=row["year"],
            provider_kind=row["provider_kind"],
            region_code=row["region_code"],
            form=row["form"],
            topic_id=topic_ids.get(row["topic_code"]),
            category=row["category"],
            gp_claim=bool(row["gp_claim"]),
            produced=bool(row["produced"]),
            claims=row["n"],
            course_day_halves=row["halves"] or 0,
            payable_ore=row["payable"] or 0,
        )
        for row in rows.order_by()
    )
    return len(CourseDayFact.objects.bulk_create(facts, batch_size=BATCH))


def _write_gp_year_facts(years: list[int]) -> int:
    per_gp: dict[tuple[int, int], dict[str, int]] = defaultdict(lambda: {"n": 0, "halves": 0, "sys": 0})
    gp_claims = counted_claims().filter(gp_claim=True, activity_date__year__in=[*years, min(years) - 1])
    for row in gp_claims.values("claimant_id", "year").annotate(
        n=Count("pk"),
        halves=Sum("course_day_halves"),
        sys=Sum("course_day_halves", filter=Q(form=Form.SYSTEMATIC)),
    ):
        per_gp[(row["claimant_id"], row["year"])] = {
            "n": row["n"],
            "halves": row["halves"] or 0,
            "sys": row["sys"] or 0,
        }
    doctors = Doctor.objects.filter(role__in=GP_ROLES).values(
        "pk", "sex", "active_from", "active_to", "practice__region__code", "practice__doctor_capacities"
    )
    facts = []
    for doctor in doctors:
        for year in years:
            eligible = doctor["active_from"] <= date(year, 12, 31) and (
                doctor["active_to"] is None or doctor["active_to"] >= date(year, 1, 1)
            )
            this_year = per_gp.get((doctor["pk"], year))
            if not eligible and this_year is None:
                continue
            this_year = this_year or {"n": 0, "halves": 0, "sys": 0}
            facts.append(
                GpYearFact(
                    year=year,
                    doctor_id=doctor["pk"],
                    region_code=doctor["practice__region__code"] or "",
                    practice_size=practice_size(doctor["practice__doctor_capacities"]),
                    sex=doctor["sex"],
                    eligible=eligible,
                    claims=this_year["n"],
                    claims_previous_year=per_gp.get((doctor["pk"], year - 1), {"n": 0})["n"],
                    course_day_halves=this_year["halves"],
                    systematic_half_days=this_year["sys"],
                )
            )
    return len(GpYearFact.objects.bulk_create(facts, batch_size=BATCH))


def practice_size(capacities: int | None) -> str:
    """Practice size band by doctor capacities: 1, 2–3 or 4+ (empty without a practice)."""
    if capacities is None:
        return ""
    return "1" if capacities <= 1 else "2-3" if capacities <= 3 else "4+"


def _write_cell_gp_counts(produced: QuerySet[Claim]) -> int:
    """Distinct GPs per published cell, for all providers and per provider type."""
    cells = []
    for dimension, field in (("year", None), *CELL_DIMENSIONS.items()):
        keys = ["year", "provider_kind"] + ([field] if field else [])
        for by_provider, group in ((False, keys[:1] + keys[2:]), (True, keys)):
            for row in produced.values(*group).annotate(gps=Count("claimant_id", distinct=True)).order_by():
                cells.append(
                    CellGpCount(
                        year=row["year"],
                        provider_kind=row["provider_kind"] if by_provider else ALL_PROVIDERS,
                        dimension=dimension,
                        key=row[field] if field else "all",
                        gps=row["gps"],
                    )
                )
    parent_cells = _parent_topic_cells(produced)
    replaced = {(c.year, c.provider_kind, c.key) for c in parent_cells}
    cells = [c for c in cells if c.dimension != "topic" or (c.year, c.provider_kind, c.key) not in replaced]
    return len(CellGpCount.objects.bulk_create([*cells, *parent_cells], batch_size=BATCH))


def _parent_topic_cells(produced: QuerySet[Claim]) -> list[CellGpCount]:
    """A parent topic (psychiatry) also counts the GPs of its sub-topics (ADHD)."""
    cells = []
    for parent in Topic.objects.filter(children__isnull=False).distinct():
        in_parent = produced.filter(
            Q(instance__activity__topic=parent) | Q(instance__activity__topic__parent=parent)
        )
        for by_provider, group in ((False, ["year"]), (True, ["year", "provider_kind"])):
            for row in in_parent.values(*group).annotate(gps=Count("claimant_id", distinct=True)).order_by():
                cells.append(
                    CellGpCount(
                        year=row["year"],
                        provider_kind=row["provider_kind"] if by_provider else ALL_PROVIDERS,
                        dimension="topic",
                        key=parent.code,
                        gps=row["gps"],
                    )
                )
    return cells


def _write_ledger_facts(years: list[int]) -> int:
    rows = (
        LedgerEntry.objects.filter(year__in=years)
        .values("year", "account__kind", "kind")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    facts = [
        LedgerYearFact(
            year=row["year"], account_kind=row["account__kind"], entry_kind=row["kind"], amount=row["total"]
        )
        for row in rows
    ]
    return len(LedgerYearFact.objects.bulk_create(facts, batch_size=BATCH))

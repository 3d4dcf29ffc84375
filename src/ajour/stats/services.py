"""Writes of the stats app: rebuilding the roll-up tables from the records (README, measure definitions)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.backends.base.operations import BaseDatabaseOperations
from django.db.models import Case, CharField, Count, F, Max, Q, QuerySet, Sum, Value, When
from django.db.models.functions import Coalesce, ExtractYear
from django.utils import timezone

from ajour.accounts.models import Account, Doctor, LedgerEntry, Region
from ajour.catalogue.models import Activity, ActivityInstance, Provider, Topic
from ajour.claims.models import Claim
from ajour.core.csvfiles import formula_error
from ajour.stats.models import CellGpCount, CourseDayFact, Form, GpYearFact, LedgerYearFact, RollupState

GP_ROLES = [Doctor.Role.GP_OWNER, Doctor.Role.GP_EMPLOYED]
FIRST_SERIES_YEAR = 2019
STAFF_ACTIVITY_TYPES = ["staff_course", "pge_module"]
GROUP_ACTIVITY_TYPES = ["dge_module", "dge_meeting"]
BATCH = 5000
ALL_PROVIDERS = "*"
ALL_REGIONS = "*"
STREAM_OF_FORM = {
    Form.SYSTEMATIC: Account.Kind.SYSTEMATIC,
    Form.SELF_CHOSEN: Account.Kind.SELF_CHOSEN,
    Form.GROUP_BASED: Account.Kind.SELF_CHOSEN,
    Form.PRACTICE_STAFF: Account.Kind.STAFF,
}
"""The account each form of claim is paid from (money paid by stream)."""


def counted_claims() -> QuerySet[Claim]:
    """Claims whose decision was not rejected, annotated with the dimensions of the roll-ups."""
    return with_dimensions(Claim.objects.exclude(outcome="rejected"))


def with_dimensions(claims: QuerySet[Claim]) -> QuerySet[Claim]:
    """`claims` annotated with the dimensions of the statistics: activity year, provider type, region,
    topic, category, form, whether it is a GP claim and whether it produced course days."""
    staff = Q(staff_member__isnull=False) | Q(activity_type__in=STAFF_ACTIVITY_TYPES)
    gp_claim = ~staff & Q(claimant__role__in=GP_ROLES)
    return claims.annotate(
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
    """Rebuilds the roll-up tables (all years, or only `years`); returns the number of rows written.

    Called after the demo load, after claim batches and by `ajour stats refresh`. The claims are read
    once, in one query, and summed here; a year's two-year participation also needs the year before.
    """
    all_years = sorted(_years_with_data() if years is None else set(years))
    if not all_years:
        return 0
    for table in (CourseDayFact, GpYearFact, CellGpCount, LedgerYearFact):
        stale = table.objects.all() if years is None else table.objects.filter(year__in=all_years)
        stale.delete()
    claims = counted_claims()
    if years is not None:
        claims = claims.filter(activity_date__year__in=[*all_years, min(all_years) - 1])
    sums = _Sums(
        set(all_years), dict(Topic.objects.filter(parent__isnull=False).values_list("code", "parent__code"))
    )
    for row in claims.values_list(*_Sums.FIELDS).iterator(chunk_size=BATCH):
        sums.add(*row)
    topic_ids = dict(Topic.objects.values_list("code", "pk"))
    written = len(CourseDayFact.objects.bulk_create(sums.course_day_facts(topic_ids), batch_size=BATCH))
    written += len(GpYearFact.objects.bulk_create(_gp_year_facts(all_years, sums.per_gp), batch_size=BATCH))
    written += len(CellGpCount.objects.bulk_create(sums.cell_counts(), batch_size=BATCH))
    written += _write_ledger_facts(all_years)
    RollupState.objects.all().delete()
    RollupState.objects.create(**_source_state())
    return written


def _source_state() -> dict[str, int]:
    claims = Claim.objects.aggregate(count=Count("pk"), max_pk=Max("pk"))
    return {
        "claims_count": claims["count"],
        "claims_max_pk": claims["max_pk"] or 0,
        "ledger_max_pk": LedgerEntry.objects.aggregate(max_pk=Max("pk"))["max_pk"] or 0,
    }


def rollups_are_stale() -> bool:
    """True when claims or ledger entries were added or removed since the last refresh."""
    state = RollupState.objects.values("claims_count", "claims_max_pk", "ledger_max_pk").first()
    return state != _source_state()


def refresh_if_stale() -> bool:
    """Refreshes when stale (used by the commands, so they never print old figures); True if it did."""
    if not rollups_are_stale():
        return False
    refresh_rollups()
    return True


def _years_with_data() -> set[int]:
    claim_years = Claim.objects.annotate(y=ExtractYear("activity_date")).values_list("y", flat=True)
    return set(claim_years.distinct()) | set(range(FIRST_SERIES_YEAR, date.today().year + 1))


def in_course_days_by_form(*, form: str, gp_claim: bool, produced: bool) -> bool:
    """The claims of "course days by form": produced days, DGE meetings and practice staff."""
    return produced or form == Form.PRACTICE_STAFF or (form == Form.GROUP_BASED and gp_claim)


# year, provider kind, region, form, topic, category, GP claim?, produced?
FactKey = tuple[int, str, str, str, str, str, bool, bool]


class _Sums:
    """One pass over the counted claims: fact sums, per-GP sums and the distinct GPs of every cell."""

    FIELDS = (
        "year",
        "provider_kind",
        "region_code",
        "form",
        "topic_code",
        "category",
        "gp_claim",
        "produced",
        "claimant_id",
        "course_day_halves",
        "payable_ore",
    )

    def __init__(self, years: set[int], parent_of: dict[str, str]) -> None:
        self.years = years
        self.parent_of = parent_of
        self.facts: dict[FactKey, list[int]] = defaultdict(lambda: [0, 0, 0])
        self.per_gp: dict[tuple[int, int], list[int]] = defaultdict(lambda: [0, 0, 0])
        self.cells: dict[tuple[int, str, str, str, str], set[int]] = defaultdict(set)

    def add(
        self,
        year: int,
        kind: str,
        region: str,
        form: str,
        topic: str,
        category: str,
        gp_claim: object,
        produced: object,
        claimant: int,
        halves: int,
        payable: int,
    ) -> None:
        gp_claim, produced = bool(gp_claim), bool(produced)
        if gp_claim:
            gp = self.per_gp[(claimant, year)]
            gp[0] += 1
            gp[1] += halves
            gp[2] += halves if form == Form.SYSTEMATIC else 0
        if year not in self.years:
            return
        fact = self.facts[(year, kind, region, form, topic, category, gp_claim, produced)]
        fact[0] += 1
        fact[1] += halves
        fact[2] += payable
        self._count(year, kind, region, "stream", STREAM_OF_FORM[Form(form)], claimant)
        if in_course_days_by_form(form=form, gp_claim=gp_claim, produced=produced):
            self._count(year, kind, region, "form", form, claimant)
        if produced:
            keys = [("year", "all"), ("provider_kind", kind), ("region", region), ("category", category)]
            keys += [("topic", code) for code in (topic, self.parent_of.get(topic)) if code is not None]
            for dimension, key in keys:
                self._count(year, kind, region, dimension, key, claimant)

    def _count(self, year: int, kind: str, region: str, dimension: str, key: str, claimant: int) -> None:
        self.cells[(year, kind, region, dimension, key)].add(claimant)

    def course_day_facts(self, topic_ids: dict[str, int]) -> list[CourseDayFact]:
        return [
            CourseDayFact(
                year=year,
                provider_kind=kind,
                region_code=region,
                form=form,
                topic_id=topic_ids.get(topic),
                category=category,
                gp_claim=gp_claim,
                produced=produced,
                claims=n,
                course_day_halves=halves,
                payable_ore=payable,
            )
            for (year, kind, region, form, topic, category, gp_claim, produced), (
                n,
                halves,
                payable,
            ) in self.facts.items()
        ]

    def cell_counts(self) -> list[CellGpCount]:
        """Distinct GPs per cell for each provider type and region, and for all of either (`*`)."""
        merged: dict[tuple[int, str, str, str, str], set[int]] = defaultdict(set)
        for (year, kind, region, dimension, key), gps in self.cells.items():
            for provider_kind in (kind, ALL_PROVIDERS):
                for region_code in (region, ALL_REGIONS):
                    merged[(year, provider_kind, region_code, dimension, key)].update(gps)
        return [
            CellGpCount(
                year=year, provider_kind=kind, region_code=region, dimension=dimension, key=key, gps=len(gps)
            )
            for (year, kind, region, dimension, key), gps in merged.items()
        ]


def _gp_year_facts(years: list[int], per_gp: dict[tuple[int, int], list[int]]) -> list[GpYearFact]:
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
            n, halves, systematic = this_year or (0, 0, 0)
            facts.append(
                GpYearFact(
                    year=year,
                    doctor_id=doctor["pk"],
                    region_code=doctor["practice__region__code"] or "",
                    practice_size=practice_size(doctor["practice__doctor_capacities"]),
                    sex=doctor["sex"],
                    eligible=eligible,
                    claims=n,
                    claims_previous_year=per_gp.get((doctor["pk"], year - 1), (0,))[0],
                    course_day_halves=halves,
                    systematic_half_days=systematic,
                )
            )
    return facts


def practice_size(capacities: int | None) -> str:
    """Practice size band by doctor capacities: 1, 2–3 or 4+ (empty without a practice)."""
    if capacities is None:
        return ""
    return "1" if capacities <= 1 else "2-3" if capacities <= 3 else "4+"


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


class HistoryImportError(Exception):
    """A history file was refused; `errors` lists "row N: message" lines, nothing was written."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("\n".join(errors))
        self.errors = errors


HISTORY_COLUMNS = [
    "reference",
    "authorisation_id",
    "activity_date",
    "activity_type",
    "provider",
    "topic",
    "course_days",
    "payable_kr",
    "systematic_days",
    "outcome",
]
HISTORY_FORMS = {
    "course": "course",
    "study_material": "course",
    "sge_day": "sge",
    "dge_module": "dge_module",
    "dge_meeting": "dge_meeting",
    "staff_course": "staff_course",
    "pge_module": "pge",
}
HISTORY_OUTCOMES = {"approved", "reduced", "rejected"}


HISTORY_FIRST_DATE = date(2000, 1, 1)
HISTORY_YEARS_AHEAD = 2
HISTORY_KEY_PREFIX = "history:"


def history_date_window(today: date) -> tuple[date, date]:
    """The activity dates a history file may hold: from 1 January 2000 to two years after today.

    Older records predate the scheme's digital history, and later ones are typing errors (a year 9999
    would overflow the statistics' year arithmetic). Kept here for the import; the Django layer's shared
    date window may replace it.
    """
    year = today.year + HISTORY_YEARS_AHEAD
    last = today.replace(year=year) if (today.month, today.day) != (2, 29) else date(year, 2, 28)
    return HISTORY_FIRST_DATE, last


def _column_limit(field: str) -> int:
    """The largest value the claim column `field` holds: its declared SQL type's range, which PostgreSQL
    enforces (SQLite would store more), so a file accepted on one database is accepted on the other."""
    internal_type = Claim._meta.get_field(field).get_internal_type()
    _lowest, highest = BaseDatabaseOperations.integer_field_ranges[internal_type]
    return highest


def _number(text: str, column: str) -> Decimal:
    try:
        value = Decimal(text)
    except InvalidOperation:
        value = Decimal("NaN")
    if not value.is_finite():
        raise ValueError(f"{column} must be a number, not {text.strip()[:40]!r}")
    if value.adjusted() > 20:  # beyond every column; keeps the arithmetic below within 28 digits
        raise ValueError(f"{column} is too large")
    return value


def _bounded(value: int, column: str, field: str) -> int:
    if value > _column_limit(field):
        raise ValueError(f"{column} is too large")
    return value


def _halves(text: str, column: str, field: str) -> int:
    value = _number(text.strip().replace(",", ".") or "0", column)
    if value < 0 or (value * 2) % 1:
        raise ValueError(f"{column} must be a multiple of 0,5 days")
    return _bounded(int(value * 2), column, field)


def _ore(text: str) -> int:
    raw = text.strip().replace(".", "").replace(",", ".") if "," in text else text.strip() or "0"
    value = _number(raw, "payable_kr")
    if value < 0 or (value * 100) % 1:
        raise ValueError("payable_kr must be kroner with at most 2 decimals")
    return _bounded(int(value * 100), "payable_kr", "payable_ore")


def _history_date(text: str, window: tuple[date, date]) -> date:
    text = text.strip()
    for pattern in ("%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y"):
        try:
            day = datetime.strptime(text, pattern).date()
        except ValueError:
            continue
        first, last = window
        if not first <= day <= last:
            raise ValueError(
                f"activity_date {day.isoformat()} is outside {first.isoformat()} to {last.isoformat()}"
            )
        return day
    raise ValueError("activity_date must be a date like 2019-03-14 or 14-03-2019")


@transaction.atomic
def import_history(*, rows: Iterable[dict[str, str]], progress: Callable[[int], None] | None = None) -> int:
    """Imports historical claim records (one claim a row) all-or-nothing; returns the rows imported.

    Every row is checked first; any error refuses the whole file with row-numbered messages
    (row 2 is the first data row, as a spreadsheet shows it).
    """
    doctors = {d.authorisation_id: d for d in Doctor.objects.select_related("practice")}
    providers = {p.name: p for p in Provider.objects.all()}
    topics = {t.code: t for t in Topic.objects.all()}
    seen: set[str] = set()
    window = history_date_window(timezone.localdate())
    errors: list[str] = []
    parsed = []
    for number, row in enumerate(rows, start=2):
        try:
            parsed.append(_parse_history_row(row, doctors, providers, topics, seen, window))
        except (ValueError, KeyError) as error:
            errors.append(f"row {number}: {error}")
        if progress:
            progress(number - 1)
    if errors:
        raise HistoryImportError(errors)
    for record in parsed:
        _save_history_claim(record)
    if parsed:
        refresh_rollups(years={record["activity_date"].year for record in parsed} | _neighbour_years(parsed))
    return len(parsed)


def _neighbour_years(parsed: list[dict[str, Any]]) -> set[int]:
    """A year's claims also change the next year's two-year participation."""
    return {record["activity_date"].year + 1 for record in parsed}


def _parse_history_row(
    row: dict[str, str],
    doctors: dict[str, Doctor],
    providers: dict[str, Provider],
    topics: dict[str, Topic],
    seen: set[str],
    window: tuple[date, date],
) -> dict[str, Any]:
    missing = [column for column in HISTORY_COLUMNS if column not in row]
    if missing:
        raise ValueError(f"missing column(s): {', '.join(missing)}")
    for column in HISTORY_COLUMNS:
        refused = formula_error(row[column] or "")
        if refused:
            raise ValueError(f"{column}: {refused}")
    reference = row["reference"].strip()
    if not reference:
        raise ValueError("reference is empty")
    key_length = Claim._meta.get_field("idempotency_key").max_length or 0
    if len(HISTORY_KEY_PREFIX + reference) > key_length:
        raise ValueError(f"reference is longer than {key_length - len(HISTORY_KEY_PREFIX)} characters")
    if reference in seen or Claim.objects.filter(idempotency_key=HISTORY_KEY_PREFIX + reference).exists():
        raise ValueError(f"reference {reference} is already imported")
    seen.add(reference)
    doctor = doctors.get(row["authorisation_id"].strip())
    if doctor is None:
        raise ValueError(f"no doctor with authorisation ID {row['authorisation_id'].strip()!r}")
    activity_type = row["activity_type"].strip()
    if activity_type not in HISTORY_FORMS:
        raise ValueError(f"activity_type must be one of {', '.join(HISTORY_FORMS)}")
    provider_name = row["provider"].strip()
    if provider_name and provider_name not in providers:
        raise ValueError(f"no provider named {provider_name!r}")
    topic_code = row["topic"].strip()
    if topic_code not in topics:
        raise ValueError(f"no topic with code {topic_code!r}")
    outcome = row["outcome"].strip() or "approved"
    if outcome not in HISTORY_OUTCOMES:
        raise ValueError(f"outcome must be one of {', '.join(sorted(HISTORY_OUTCOMES))}")
    if activity_type in STAFF_ACTIVITY_TYPES and doctor.practice is None:
        raise ValueError("a staff activity needs a doctor with a practice")
    return {
        "reference": reference,
        "doctor": doctor,
        "activity_date": _history_date(row["activity_date"], window),
        "activity_type": activity_type,
        "provider": providers.get(provider_name),
        "topic": topics[topic_code],
        "course_day_halves": _halves(row["course_days"], "course_days", "course_day_halves"),
        "payable_ore": _ore(row["payable_kr"]),
        "systematic_half_days": _halves(
            row["systematic_days"], "systematic_days", "drawn_systematic_half_days"
        ),
        "outcome": outcome,
    }


def _save_history_claim(record: dict[str, Any]) -> Claim:
    doctor: Doctor = record["doctor"]
    activity, _created = Activity.objects.get_or_create(
        provider=record["provider"],
        topic=record["topic"],
        form=HISTORY_FORMS[record["activity_type"]],
        title=f"Historisk aktivitet: {record['topic'].name_da}",
        defaults={
            "requested_approval": Activity.Approval.SELF_CHOSEN,
            "approval": Activity.Approval.SELF_CHOSEN,
            "status": Activity.Status.APPROVED,
            "target_group": Activity.TargetGroup.STAFF
            if record["activity_type"] in STAFF_ACTIVITY_TYPES
            else Activity.TargetGroup.GPS,
        },
    )
    region = doctor.practice.region if doctor.practice else Region.objects.order_by("pk").first()
    instance, _created = ActivityInstance.objects.get_or_create(
        activity=activity,
        starts_on=record["activity_date"],
        region=region,
        defaults={"venue": "Historisk", "town": "", "ends_on": record["activity_date"]},
    )
    staff = record["activity_type"] in STAFF_ACTIVITY_TYPES
    return Claim.objects.create(
        claimant=doctor,
        practice=doctor.practice if staff else None,
        instance=instance,
        activity_type=record["activity_type"],
        activity_date=record["activity_date"],
        filed_on=record["activity_date"],
        inputs={"source": "history-import", "reference": record["reference"]},
        decision={"source": "history-import", "outcome": record["outcome"]},
        rules_version="history-import",
        outcome=record["outcome"],
        payable_ore=0 if record["outcome"] == "rejected" else record["payable_ore"],
        drawn_systematic_half_days=record["systematic_half_days"],
        drawn_staff_ore=record["payable_ore"] if staff and record["outcome"] != "rejected" else 0,
        course_day_halves=0 if record["outcome"] == "rejected" else record["course_day_halves"],
        payee=Claim.Payee.PRACTICE if staff else Claim.Payee.PRIVATE,
        status=Claim.Status.PAID,
        idempotency_key=HISTORY_KEY_PREFIX + record["reference"],
    )

"""Reads in the catalogue: public search, queues with timers, approval in force, ready-to-claim lists."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from django.db.models import Count, Exists, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Greatest
from django.utils import timezone
from django.utils.translation import gettext as _

from ajour.accounts.models import Doctor
from ajour.catalogue import search
from ajour.catalogue.models import (
    Activity,
    ActivityEvent,
    ActivityInstance,
    ApprovalAppeal,
    ApprovalDecision,
    Attendance,
    Topic,
)
from ajour.catalogue.permissions import claimable_by
from ajour.rules import ParameterSet

IN_REVIEW = [Activity.Status.SUBMITTED, Activity.Status.INFO_REQUESTED]
NUMBER = re.compile(r"^\d{4}-\d{4}$")


def activities_for_provider(*, provider_id: int, limit: int = 50) -> QuerySet[Activity]:
    return Activity.objects.filter(provider_id=provider_id).select_related("topic").order_by("-pk")[:limit]


def activities_for_doctor(*, doctor: Doctor, limit: int = 50) -> QuerySet[Activity]:
    """A GP's own applications for individual (advance) approval."""
    return Activity.objects.filter(applicant_doctor=doctor).select_related("topic").order_by("-pk")[:limit]


def applicant_notifications(*, provider_id: int, limit: int = 10) -> QuerySet[ActivityEvent]:
    """The newest decisions and questions sent to a provider (shown on its home page)."""
    return (
        ActivityEvent.objects.filter(activity__provider_id=provider_id, for_applicant=True)
        .select_related("activity")
        .order_by("-at", "-pk")[:limit]
    )


def pending_appeals(*, limit: int = 50) -> QuerySet[ApprovalAppeal]:
    return (
        ApprovalAppeal.objects.filter(outcome=ApprovalAppeal.Outcome.PENDING)
        .select_related("activity__provider", "activity__applicant_doctor")
        .order_by("filed_at")[:limit]
    )


# ---------------------------------------------------------------- consultants


def waiting_days(*, activity: Activity, now: datetime | None = None) -> int:
    """Days since submission, not counting days spent waiting for the applicant's information."""
    if activity.submitted_at is None:
        return 0
    now = now or timezone.now()
    paused = activity.paused_days + ((now - activity.paused_since).days if activity.paused_since else 0)
    return max(0, (now - activity.submitted_at).days - paused)


@dataclass(frozen=True)
class QueueFilters:
    status: str = ""
    form: str = ""
    applicant: str = ""  # "provider" or "gp"
    problems_only: bool = False


@dataclass(frozen=True)
class QueueRow:
    activity: Activity
    waiting_days: int
    findings: list[str]
    paused: bool


def review_queue(*, filters: QueueFilters, limit: int = 200) -> list[QueueRow]:
    """Applications waiting for a consultant, oldest first, with timers and pre-check findings."""
    activities = Activity.objects.filter(status__in=IN_REVIEW).select_related(
        "provider", "topic", "applicant_doctor"
    )
    if filters.status in IN_REVIEW:
        activities = activities.filter(status=filters.status)
    if filters.form:
        activities = activities.filter(form=filters.form)
    if filters.applicant == "provider":
        activities = activities.filter(provider__isnull=False)
    elif filters.applicant == "gp":
        activities = activities.filter(applicant_doctor__isnull=False)
    if filters.problems_only:
        activities = activities.exclude(prechecks=[])
    now = timezone.now()
    return [
        QueueRow(
            a, waiting_days(activity=a, now=now), precheck_messages(a.prechecks), a.paused_since is not None
        )
        for a in activities.order_by("submitted_at", "pk")[:limit]
    ]


def precheck_messages(findings: list[dict[str, str]]) -> list[str]:
    """The stored pre-check findings as sentences in the active language."""
    field_names = {
        "description": _("description"),
        "gp_involvement": _("practising GPs in planning or teaching"),
        "curriculum_relevance": _("relevance to the specialty curriculum"),
        "funding": _("declaration of funding and sponsorship"),
    }
    texts = {
        "missing_field": _("Missing: %(detail)s."),
        "industry_influence": _(
            "Industry involvement or planning not independent: blocks approval (R-IND-2)."
        ),
        "se_theme_missing": _("Systematic approval requested without an SE theme."),
        "se_theme_not_in_force": _("The SE theme does not apply in the year of the run %(detail)s."),
        "not_decidable": _("The programme of the run %(detail)s cannot be assessed."),
        "day_too_short": _("Too short to count as a course day: %(detail)s."),
        "no_breaks": _("No breaks shown on full days: %(detail)s."),
        "duplicate": _("Same title as an earlier activity from the same applicant (%(detail)s)."),
    }
    messages = []
    for finding in findings:
        detail = finding.get("detail", "")
        if finding["code"] == "missing_field":
            detail = str(field_names.get(detail, detail))
        messages.append(str(texts.get(finding["code"], finding["code"])) % {"detail": detail})
    return messages


@dataclass(frozen=True)
class IndividualApprovalLimits:
    """P-05 and R-IND-1 as the rules parameters set them on a date."""

    breadth_from_half_days: int
    """From this many course days (in half days) an individual approval needs a breadth statement."""
    similar_years: int
    """The consultant sees the GP's activities on the same topic from this many years back."""


def individual_approval_limits(*, on: date) -> IndividualApprovalLimits:
    rules = ParameterSet.default().on(on)
    return IndividualApprovalLimits(
        breadth_from_half_days=rules.ints["individual_approval.breadth_from"],
        similar_years=rules.ints["individual_approval.similar_years"],
    )


def similar_activities(*, doctor: Doctor, topic: Topic, today: date) -> list[Activity]:
    """The GP's activities on the same topic in the last years (R-IND-1): attended or claimed."""
    years = individual_approval_limits(on=today).similar_years
    since = today - timedelta(days=365 * years + 1)
    attended = Attendance.objects.filter(doctor=doctor, instance__activity=OuterRef("pk"))
    # A run's claims are reached through the relation the claims app declares (`instance.claims`), so the
    # catalogue reads them without importing the app above it.
    claimed = ActivityInstance.objects.filter(activity=OuterRef("pk"), claims__claimant=doctor)
    return list(
        Activity.objects.filter(topic=topic, instances__starts_on__gte=since, instances__starts_on__lte=today)
        .filter(Q(Exists(attended)) | Q(Exists(claimed)))
        .distinct()
        .order_by("title")
    )


# ---------------------------------------------------------------- for the claims app


def approval_in_force(*, activity: Activity, on: date) -> str:
    """`self_chosen`, `systematic`, `both` or `none`: how the activity is approved on `on` (P-08).

    Approval decisions are versioned. Of the decisions whose `valid_from` is on or before `on`, the
    one with the highest version governs, so a later decision that is back-dated (a change or a
    withdrawal) overrides every earlier one from its date on. A rejection or withdrawal means not
    approved, and so does no decision in force: the activity's own `approval` and `status` fields
    are never a fallback. Reads `activity.decisions.all()`, so a caller listing many activities
    prefetches `decisions` once instead of one query per activity.
    """
    in_force = [decision for decision in activity.decisions.all() if decision.valid_from <= on]
    governing = max(in_force, key=lambda decision: decision.version, default=None)
    if governing is None or governing.kind in {ApprovalDecision.Kind.REJECT, ApprovalDecision.Kind.REVOKE}:
        return Activity.Approval.NONE
    return governing.approval


def approval_shown(*, activity: Activity, today: date) -> str:
    """The approval an activity page shows: in force today, or on its first run's first day while it
    has not started (an approval runs from the first run's start)."""
    first = min((instance.starts_on for instance in activity.instances.all()), default=today)
    return approval_in_force(activity=activity, on=max(today, first))


def activity_number_for(*, activity: Activity, year: int) -> str | None:
    """The number to claim with in `year`: a group concept's own number that year, else its number.
    Reads `activity.numbers.all()`, so a batch that prefetched them asks the database nothing."""
    found = next((n.number for n in activity.numbers.all() if n.year == year), None)
    return found or activity.number


def courses_with_seats(
    *, region_id: int | None, start: date, end: date, limit: int = 5
) -> list[dict[str, str]]:
    """Courses in the public catalogue (approved, open to every GP: `public_instances`) in the region
    between `start` and `end` that still have free places."""
    if region_id is None:
        return []  # every activity instance has a region
    instances = (
        public_instances()
        .filter(region_id=region_id, starts_on__gte=start, starts_on__lte=end)
        .annotate(taken=Count("attendances"))
        .filter(places__gt=F("taken"))
        .order_by("starts_on", "pk")[:limit]
    )
    return [
        {
            "number": i.activity.number or "",
            "title": i.activity.title,
            "starts_on": i.starts_on.isoformat(),
            "town": i.town,
            "seats": str(i.places - i.taken),
        }
        for i in instances
    ]


# ---------------------------------------------------------------- public catalogue


@dataclass(frozen=True)
class SearchFilters:
    q: str = ""
    region: str = ""
    date_from: date | None = None
    date_to: date | None = None
    form: str = ""
    se_theme: str = ""
    topic: str = ""
    free_places: bool = False
    max_price_ore: int | None = None
    e_learning: bool = False
    sort: str = "relevance"


def public_instances() -> QuerySet[ActivityInstance]:
    """Runs anyone may find: approved and claimable by every GP. A DGE group's own meetings and individual
    approvals concern only their members or applicant, so the public catalogue leaves them out."""
    return (
        ActivityInstance.objects.filter(claimable_by(None), activity__status=Activity.Status.APPROVED)
        .select_related("activity__provider", "activity__topic", "activity__se_theme", "region")
        .prefetch_related("activity__decisions")
        .defer("activity__search_document")
    )


def search_catalogue(*, filters: SearchFilters, today: date | None = None) -> QuerySet[ActivityInstance]:
    """Approved runs matching the filters, ranked by the forgiving search (`ajour.catalogue.search`).

    Identical runs (same activity, dates and place) are one row, `seats` their free places together.
    """
    today = today or timezone.localdate()
    instances = public_instances().filter(starts_on__gte=filters.date_from or today)
    if filters.date_to:
        instances = instances.filter(starts_on__lte=filters.date_to)
    if filters.region:
        instances = instances.filter(region__code=filters.region)
    if filters.form:
        instances = instances.filter(activity__form=filters.form)
    if filters.e_learning:
        instances = instances.filter(activity__form=Activity.Form.E_LEARNING)
    if filters.se_theme:
        instances = instances.filter(activity__se_theme__code=filters.se_theme)
    if filters.topic:
        tagged = Activity.topics.through.objects.filter(
            activity=OuterRef("activity"), topic__code=filters.topic
        )
        instances = instances.filter(Q(activity__topic__code=filters.topic) | Q(Exists(tagged)))
    if filters.max_price_ore is not None:
        instances = instances.filter(activity__price_ore__lte=filters.max_price_ore)
    instances = _one_row_per_identical_run(instances, with_free_places=filters.free_places)
    query = filters.q.strip()
    if NUMBER.match(query):
        instances = instances.filter(activity__numbers__number=query)
        query = ""
    instances = search.match_and_rank(instances, search.read_query(query))
    if filters.sort == "relevance" and query:
        return instances.order_by(F("rank").desc(), "starts_on", "pk")
    return instances.order_by("starts_on", "pk")


def _one_row_per_identical_run(
    instances: QuerySet[ActivityInstance], *, with_free_places: bool
) -> QuerySet[ActivityInstance]:
    """The first of identical runs (same activity, dates and place), with `seats`: their free places
    together; only those with free places if asked."""
    identical = ActivityInstance.objects.filter(
        activity=OuterRef("activity"),
        starts_on=OuterRef("starts_on"),
        ends_on=OuterRef("ends_on"),
        region=OuterRef("region"),
        town=OuterRef("town"),
        venue=OuterRef("venue"),
    )
    seats = (
        identical.values("activity")
        .annotate(free=Sum(Greatest(F("places") - F("booked"), Value(0))))
        .values("free")
    )
    first = instances.exclude(Exists(identical.filter(pk__lt=OuterRef("pk")))).annotate(
        seats=Subquery(seats, output_field=IntegerField())
    )
    return first.filter(Exists(identical.filter(places__gt=F("booked")))) if with_free_places else first


def did_you_mean(*, filters: SearchFilters) -> str | None:
    """For a search that finds nothing: the nearest query that finds something with the same filters
    (only runs the public catalogue shows, so a suggestion never reveals anything else)."""
    if NUMBER.match(filters.q.strip()):
        return None
    for suggestion in search.suggestions(filters.q):
        if search_catalogue(filters=replace(filters, q=suggestion)).exists():
            return suggestion
    return None


def public_activity(*, pk: int) -> Activity | None:
    """An approved activity, for the public detail page; None for anything else."""
    return (
        Activity.objects.filter(pk=pk, status=Activity.Status.APPROVED)
        .select_related("provider", "topic", "se_theme")
        .first()
    )


def instances_with_days(*, activity: Activity) -> QuerySet[ActivityInstance]:
    return activity.instances.select_related("region").prefetch_related("days").order_by("starts_on", "pk")

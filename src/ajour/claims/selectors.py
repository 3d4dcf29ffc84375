"""Reads about claims: a claimant's own claims and the secretariat's queues."""

from __future__ import annotations

from datetime import date

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from ajour.accounts.models import Doctor
from ajour.catalogue.models import Activity, ActivityInstance, Attendance
from ajour.claims.models import Appeal, Claim, PayoutBatch
from ajour.groups.models import DgeGroup
from ajour.rules import ParameterSet

NEEDS_CASEWORKER = [Claim.Status.CONTROL_REQUESTED, Claim.Status.CONTROL_SUBMITTED]


def claims_for_doctor(*, doctor: Doctor, limit: int = 20) -> QuerySet[Claim]:
    return (
        Claim.objects.filter(claimant=doctor, staff_member__isnull=True)
        .select_related("instance__activity")
        .order_by("-activity_date", "-pk")[:limit]
    )


def staff_claims_for_practice(*, practice_id: int, limit: int = 20) -> QuerySet[Claim]:
    return (
        Claim.objects.filter(practice_id=practice_id, staff_member__isnull=False)
        .select_related("instance__activity", "staff_member")
        .order_by("-activity_date", "-pk")[:limit]
    )


def caseworker_queue(*, limit: int = 50) -> QuerySet[Claim]:
    return (
        Claim.objects.filter(status__in=NEEDS_CASEWORKER)
        .select_related("claimant", "instance__activity")
        .order_by("created_at")[:limit]
    )


def claim_appeals_queue(*, limit: int = 50) -> QuerySet[Claim]:
    return (
        Claim.objects.filter(status=Claim.Status.APPEALED)
        .select_related("claimant")
        .order_by("created_at")[:limit]
    )


def claimable_instances(
    *, query: str, on: date | None, today: date, doctor: Doctor | None, limit: int = 30
) -> QuerySet[ActivityInstance]:
    """Held instances of approved activities, found by number (`YYYY-NNNN`), title or a date they cover,
    within the claim deadline (C-01: this year and the `claim.filing_deadline_years` before it). A DGE
    group's own meetings are offered only to its members, and an individual approval only to the GP it
    was given to."""
    years_back = ParameterSet.default().on(today).ints["claim.filing_deadline_years"]
    instances = ActivityInstance.objects.filter(
        activity__status__in=[Activity.Status.APPROVED, Activity.Status.REVOKED],
        starts_on__lte=today,
        ends_on__gte=date(today.year - years_back, 1, 1),
    ).select_related("activity__provider", "region")
    doctor_pk = doctor.pk if doctor is not None else 0  # no doctor: nothing group-bound or personal
    own_group = DgeGroup.members.through.objects.filter(
        dgegroup_id=OuterRef("activity__dge_group_id"), doctor_id=doctor_pk
    )
    instances = instances.exclude(Q(activity__form=Activity.Form.DGE_MEETING) & ~Exists(own_group))
    instances = instances.exclude(
        Q(activity__scope=Activity.Scope.INDIVIDUAL) & ~Q(activity__applicant_doctor_id=doctor_pk)
    )
    query = query.strip()
    if query:
        instances = instances.filter(Q(activity__number=query) | Q(activity__title__icontains=query))
    if on is not None:
        instances = instances.filter(starts_on__lte=on, ends_on__gte=on)
    return instances.order_by("-starts_on", "pk")[:limit]


def filtered_queue(
    *, status: str = "", query: str = "", min_ore: int | None = None, limit: int = 100
) -> QuerySet[Claim]:
    """The secretariat's queue: by default claims needing attention; filter by status, activity, amount."""
    claims = Claim.objects.select_related("claimant", "instance__activity")
    claims = claims.filter(status=status) if status else claims.filter(status__in=NEEDS_CASEWORKER)
    if query.strip():
        claims = claims.filter(
            Q(instance__activity__number=query.strip())
            | Q(instance__activity__title__icontains=query.strip())
        )
    if min_ore is not None:
        claims = claims.filter(payable_ore__gte=min_ore)
    return claims.order_by("created_at", "pk")[:limit]


def pending_appeals(*, limit: int = 50) -> QuerySet[Appeal]:
    return (
        Appeal.objects.filter(outcome=Appeal.Outcome.PENDING)
        .select_related("claim__claimant", "claim__instance__activity")
        .order_by("filed_at", "pk")[:limit]
    )


def recent_batches(*, limit: int = 30) -> QuerySet[PayoutBatch]:
    return PayoutBatch.objects.order_by("-date")[:limit]


def claimable_attendances(*, doctor: Doctor, today: date | None = None) -> QuerySet[Attendance]:
    """Runs the provider reported the GP at, now ended, that the GP has not claimed yet."""
    today = today or timezone.localdate()
    claimed = Claim.objects.filter(claimant=doctor, instance=OuterRef("instance"))
    return (
        Attendance.objects.filter(doctor=doctor, instance__ends_on__lte=today)
        .exclude(Exists(claimed))
        .select_related("instance__activity__provider", "instance__region")
        .order_by("-instance__ends_on")
    )

"""Reads about claims: a claimant's own claims and the secretariat's queues."""

from __future__ import annotations

from datetime import date

from django.db.models import Case, Exists, OuterRef, Q, QuerySet, Subquery, When
from django.utils import timezone

from ajour.accounts.models import Doctor
from ajour.catalogue.models import ActivityInstance, Attendance, ProgrammeDay
from ajour.catalogue.permissions import claimable_by
from ajour.claims.models import LIVE, Appeal, Claim, PayoutBatch
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


def live_claims_holding(*, claimant_id: int, staff_member_id: int | None = None) -> QuerySet[Claim]:
    """The live claims that hold runs for a GP (own claims) or, given one, for a staff member (staff
    claims): the two holders the database allows one live claim per run (Claim.Meta.constraints)."""
    if staff_member_id is not None:
        return Claim.objects.filter(LIVE, staff_member_id=staff_member_id)
    return Claim.objects.filter(LIVE, claimant_id=claimant_id, staff_member__isnull=True)


def live_claim_for_run(
    *, claimant_id: int, instance_id: int, staff_member_id: int | None = None, excluding: int | None = None
) -> Claim | None:
    """The live claim that already holds this run for the GP or staff member, if any."""
    claims = live_claims_holding(claimant_id=claimant_id, staff_member_id=staff_member_id)
    if excluding is not None:
        claims = claims.exclude(pk=excluding)
    return claims.filter(instance_id=instance_id).order_by("pk").first()


def claims_shown_on_the_form(
    *, claimant: Doctor, instance_id: int, staff_practice_id: int | None
) -> QuerySet[Claim]:
    """What the claim form warns about: the GP's own live claim for the run, or for a clinic the live
    staff claims of its staff for it."""
    if staff_practice_id is not None:
        claims = Claim.objects.filter(LIVE, staff_member__practice_id=staff_practice_id)
    else:
        claims = live_claims_holding(claimant_id=claimant.pk)
    return claims.filter(instance_id=instance_id).select_related("staff_member").order_by("pk")


def claimable_instances(
    *,
    query: str,
    on: date | None,
    today: date,
    doctor: Doctor | None,
    mark_own_claims: bool = True,
    limit: int = 30,
) -> QuerySet[ActivityInstance]:
    """Held instances of approved activities the doctor may claim (`claimable_by`), found by number
    (`YYYY-NNNN`), title or a date they cover, within the claim deadline (C-01: this year and the
    `claim.filing_deadline_years` before it). With `mark_own_claims`, each carries `claimed_as`: the public
    id of the doctor's own live claim for it (a clinic claims for its staff, so its search leaves the
    owner's own claims out)."""
    years_back = ParameterSet.default().on(today).ints["claim.filing_deadline_years"]
    instances = ActivityInstance.objects.filter(
        claimable_by(doctor),
        starts_on__lte=today,
        ends_on__gte=date(today.year - years_back, 1, 1),
    ).select_related("activity__provider", "region")
    if doctor is not None and mark_own_claims:
        held = live_claims_holding(claimant_id=doctor.pk).filter(instance=OuterRef("pk"))
        instances = instances.annotate(claimed_as=Subquery(held.values("public_id")[:1]))
    query = query.strip()
    if query:
        instances = instances.filter(Q(activity__number=query) | Q(activity__title__icontains=query))
    if on is not None:
        instances = instances.filter(starts_on__lte=on, ends_on__gte=on)
    return instances.order_by("-starts_on", "pk")[:limit]


def _same_day_as() -> Case:
    """The public id of another live claim of the same person (the GP for own claims, the staff member
    for staff claims) for a different run sharing a programme day with this claim's run: one person
    cannot attend both, so the caseworker should look."""
    shared_day = Claim.objects.filter(
        LIVE,
        instance__days__date__in=ProgrammeDay.objects.filter(
            instance_id=OuterRef(OuterRef("instance_id"))
        ).values("date"),
    ).exclude(instance_id=OuterRef("instance_id"))
    own = shared_day.filter(claimant_id=OuterRef("claimant_id"), staff_member__isnull=True)
    staff = shared_day.filter(staff_member_id=OuterRef("staff_member_id"))
    return Case(
        When(staff_member__isnull=True, then=Subquery(own.order_by("pk").values("public_id")[:1])),
        default=Subquery(staff.order_by("pk").values("public_id")[:1]),
    )


def filtered_queue(
    *,
    status: str = "",
    query: str = "",
    min_ore: int | None = None,
    same_day_only: bool = False,
    limit: int = 100,
) -> QuerySet[Claim]:
    """The secretariat's queue: by default claims needing attention; filter by status, activity, amount,
    or only live claims sharing a day with another live claim of the same person. Each claim carries
    `same_day_as`: the public id of such another claim, if any."""
    claims = Claim.objects.select_related("claimant", "instance__activity").annotate(
        same_day_as=_same_day_as()
    )
    if status:
        claims = claims.filter(status=status)
    elif same_day_only:
        claims = claims.filter(LIVE)
    else:
        claims = claims.filter(status__in=NEEDS_CASEWORKER)
    if same_day_only:
        claims = claims.filter(same_day_as__isnull=False)
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
    """Runs the provider reported the GP at, now ended, that the GP may claim (`claimable_by`) and holds
    no live claim for (a rejected claim leaves the run to claim again)."""
    today = today or timezone.localdate()
    claimed = live_claims_holding(claimant_id=doctor.pk).filter(instance=OuterRef("instance"))
    return (
        Attendance.objects.filter(
            doctor=doctor,
            instance__ends_on__lte=today,
            instance__in=ActivityInstance.objects.filter(claimable_by(doctor)),
        )
        .exclude(Exists(claimed))
        .select_related("instance__activity__provider", "instance__region")
        .order_by("-instance__ends_on")
    )

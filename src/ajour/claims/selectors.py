"""Reads about claims: a claimant's own claims and the secretariat's queues."""

from __future__ import annotations

from django.db.models import QuerySet

from ajour.accounts.models import Doctor
from ajour.claims.models import Claim

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

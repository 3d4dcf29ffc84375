"""Reads about activities: a provider's own, and the consultants' and steering group's queues."""

from __future__ import annotations

from datetime import date

from django.db.models import Q, QuerySet

from ajour.catalogue.models import Activity, ActivityInstance

IN_REVIEW = [Activity.Status.SUBMITTED, Activity.Status.INFO_REQUESTED]


def activities_for_provider(*, provider_id: int, limit: int = 50) -> QuerySet[Activity]:
    return Activity.objects.filter(provider_id=provider_id).select_related("topic").order_by("-pk")[:limit]


def consultant_queue(*, limit: int = 50) -> QuerySet[Activity]:
    return (
        Activity.objects.filter(status__in=IN_REVIEW)
        .select_related("provider", "topic")
        .order_by("submitted_at")[:limit]
    )


def activity_appeals_queue(*, limit: int = 50) -> QuerySet[Activity]:
    return (
        Activity.objects.filter(status=Activity.Status.APPEALED)
        .select_related("provider")
        .order_by("pk")[:limit]
    )


def search_instances(*, query: str, from_date: date, limit: int = 50) -> QuerySet[ActivityInstance]:
    """Approved activity instances starting on or after `from_date`, matching `query` in the title."""
    instances = ActivityInstance.objects.filter(
        activity__status=Activity.Status.APPROVED, starts_on__gte=from_date
    ).select_related("activity__provider", "activity__topic", "region")
    if query:
        instances = instances.filter(Q(activity__title__icontains=query) | Q(activity__number=query))
    return instances.order_by("starts_on", "pk")[:limit]

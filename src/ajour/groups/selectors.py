"""Reads about DGE groups and clusters."""

from __future__ import annotations

from django.db.models import Count, QuerySet

from ajour.groups.models import DgeGroup


def groups_in_region(*, region_id: int) -> QuerySet[DgeGroup]:
    return (
        DgeGroup.objects.filter(region_id=region_id)
        .select_related("leader")
        .annotate(member_count=Count("members"))
        .order_by("name")
    )

"""The bounds every form and schema reads (`ajour.core.bounds`), and the database's own check of them."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import IntegrityError, transaction

from ajour.catalogue.models import ApprovalAppeal
from ajour.claims.models import Appeal, Claim
from ajour.core.bounds import TEXT_MAX, in_date_window, latest_date
from tests.catalogue import factories as cf


def test_the_date_window_runs_from_2000_to_two_years_after_today() -> None:
    today = date(2026, 6, 15)
    assert latest_date(today) == date(2028, 6, 15)
    assert latest_date(date(2028, 2, 29)) == date(2030, 2, 28)
    assert in_date_window(date(2000, 1, 1), today) and in_date_window(date(2028, 6, 15), today)
    assert not in_date_window(date(1999, 12, 31), today) and not in_date_window(date(2028, 6, 16), today)


@pytest.mark.django_db
def test_the_database_refuses_free_text_above_the_maximum() -> None:
    """A 3 MB appeal was stored: now a path that skipped the forms would still be refused."""
    activity = cf.approved()
    with pytest.raises(IntegrityError), transaction.atomic():
        ApprovalAppeal.objects.create(
            activity=activity, reasons="x" * (TEXT_MAX + 1), filed_by=activity.created_by
        )
    ApprovalAppeal.objects.create(activity=activity, reasons="x" * TEXT_MAX, filed_by=activity.created_by)
    with pytest.raises(IntegrityError), transaction.atomic():
        Appeal.objects.create(claim=Claim(pk=1), text="x" * (TEXT_MAX + 1), previous_status="decided")

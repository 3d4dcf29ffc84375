"""Activity numbers under concurrent approvals: no gaps, no duplicates (P-11, R-NUM-1)."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import OperationalError, connection, connections
from django.utils import timezone

from ajour.catalogue import services
from ajour.catalogue.models import Activity, ActivityNumber
from tests.catalogue import factories as cf

APPROVERS = 6


def approve_concurrently(activities: list[Activity]) -> list[BaseException]:
    """Approves each activity in its own thread and connection, all released at once.

    SQLite lets one writer in at a time and may answer "database is locked"; such an approval is
    retried, as a user would. PostgreSQL queues the transactions on the locked counter row.
    """
    consultant = cf.consultant()
    barrier = threading.Barrier(len(activities))
    errors: list[BaseException] = []

    def approve(activity: Activity) -> None:
        try:
            barrier.wait()
            for attempt in range(50):
                try:
                    services.approve_activity(
                        activity=activity, decided_by=consultant, approval="self_chosen", scope="general"
                    )
                    return
                except OperationalError:
                    time.sleep(0.01 * (attempt + 1))
            raise AssertionError("approval never got the database")
        except BaseException as error:  # reported to the test thread
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=approve, args=(activity,)) for activity in activities]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


def assert_gapless(count: int) -> None:
    year = timezone.localdate().year
    numbers = sorted(ActivityNumber.objects.filter(year=year).values_list("number", flat=True))
    assert numbers == [f"{year}-{n:04d}" for n in range(1, count + 1)]
    assert sorted(Activity.objects.exclude(number=None).values_list("number", flat=True)) == numbers


@pytest.mark.django_db(transaction=True)
def test_concurrent_approvals_get_distinct_consecutive_numbers() -> None:
    activities = [cf.submitted() for _ in range(APPROVERS)]
    assert approve_concurrently(activities) == []
    assert_gapless(APPROVERS)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_approvals_on_postgresql_wait_for_the_counter_row() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (select_for_update on the counter row)")
    activities = [cf.submitted() for _ in range(APPROVERS * 2)]
    assert approve_concurrently(activities) == []
    assert_gapless(APPROVERS * 2)

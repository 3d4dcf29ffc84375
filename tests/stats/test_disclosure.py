"""No hidden statistic can be worked out from the other figures published for the same filter.

The small demo (five regions, GPs from 2019) is published for every year the statistics hold, nationally
and for each region, through the API; a reader (`tests/stats/disclosure.py`) then tries every hidden cell
from totals, shares, the same figure in two tables and ratios (`test_suppression.py` pins the rules
down on small worlds).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.db import transaction
from django.test import Client

from ajour.accounts.models import Region
from ajour.demo.services import _wipe
from ajour.stats.selectors import years_with_statistics
from tests.stats.disclosure import Reader

pytestmark = pytest.mark.django_db

DEMO_DAY = date(2026, 6, 15)


@pytest.fixture(scope="module")
def demo(django_db_setup: None, django_db_blocker: Any) -> Iterator[None]:
    """The small demo, loaded once for the module (on a fixed day) and removed again afterwards."""
    with time_machine.travel(datetime.combine(DEMO_DAY, time(9), tzinfo=ZoneInfo("Europe/Copenhagen"))):
        with django_db_blocker.unblock():
            call_command(
                "demo", "load", "--scale", "small", "--seed", "7", "--today", str(DEMO_DAY), verbosity=0
            )
            yield
            with transaction.atomic():
                _wipe()


def test_no_hidden_cell_can_be_worked_out_from_the_published_ones(demo: None, client: Client) -> None:
    hidden = 0
    recovered = []
    regions = ["", *Region.objects.order_by("code").values_list("code", flat=True)]
    years = years_with_statistics()
    for year in years:
        for region in regions:
            response = client.get(f"/api/v1/stats/tables?year={year}&region={region}")
            assert response.status_code == 200
            reader = Reader(response.json(), year)
            hidden += len(reader.hidden)
            recovered += [
                (year, region or "national", *var, float(value)) for var, value in reader.recovered().items()
            ]

    assert len(years) >= 7 and len(regions) == 6
    assert hidden > 1000  # the small demo has small cells to protect in every kind of table
    assert recovered == []

"""Primary and secondary suppression on small worlds, through the API and the report."""

from __future__ import annotations

import subprocess
from datetime import date
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from ajour.accounts.models import Practice, Region
from ajour.stats.services import refresh_rollups
from tests import factories
from tests.stats import factories as f

pytestmark = pytest.mark.django_db

D = date(2024, 5, 10)


def _table(client: Client, key: str, query: str) -> dict[str, dict[str, Any]]:
    rows = client.get(f"/api/v1/stats/tables/{key}?{query}").json()["rows"]
    return {str(row.get("key", row.get("year"))): row for row in rows}


def _practice(region: Region, capacities: int = 1) -> Practice:
    practice = factories.practice(capacities=capacities)
    Practice.objects.filter(pk=practice.pk).update(region=region)
    practice.refresh_from_db()
    return practice


def _gps(n: int, *, capacities: int, region: Region, claims: int) -> None:
    """`n` GPs in practices of `capacities` doctors in `region`, the first `claims` of them claiming."""
    course = f.instance(on=D)
    for i in range(n):
        doctor = f.gp(at=_practice(region, capacities))
        if i < claims:
            f.claim(doctor, on=D, at=course)


def test_a_lone_hidden_part_of_a_total_takes_the_smallest_other_part_with_it(client: Client) -> None:
    """The issue's case: participation 35 of 50, practice sizes 12 of 17 and 21 of 29 shown, and the
    hidden 2 of 4 in practices of 4+ doctors is the difference. The 17 is hidden too; the 29 stays."""
    region = factories.region()
    _gps(17, capacities=1, region=region, claims=12)
    _gps(29, capacities=2, region=region, claims=21)
    _gps(4, capacities=4, region=region, claims=2)
    refresh_rollups()

    sizes = _table(client, "participation_practice_size", f"year=2024&region={region.code}")
    total = _table(client, "participation", f"year=2024&region={region.code}")["2024"]

    assert (total["eligible_gps"], total["gps_with_claims"]) == (50, 35)
    assert sizes["4+"]["eligible_gps"] is None and sizes["4+"]["suppressed"] is True
    assert sizes["1"]["eligible_gps"] is None and sizes["1"]["suppressed"] is True
    assert (sizes["2-3"]["eligible_gps"], sizes["2-3"]["gps_with_claims"]) == (29, 21)


def test_a_regions_tables_count_the_regions_gps(client: Client) -> None:
    """Seven GPs took a rare topic, two of them in one region: nationally a figure, in the region not."""
    small, large = factories.region(), factories.region(code="nordjylland", name="Region Nordjylland")
    rare = f.instance(on=D, topic_code="sjaelden")
    for i in range(7):
        f.claim(f.gp(at=_practice(small if i < 2 else large)), on=D, at=rare)
    refresh_rollups()

    assert _table(client, "top_topics", "year=2024")["sjaelden"]["course_days"] == 7.0
    assert _table(client, "top_topics", f"year=2024&region={small.code}")["sjaelden"]["course_days"] is None
    assert _table(client, "top_topics", f"year=2024&region={large.code}")["sjaelden"]["course_days"] == 5.0


def test_course_days_per_gp_are_hidden_with_the_participation_they_divide_by(client: Client) -> None:
    """Six of eight GPs claimed: two without claims hide the year's participation, and the days per GP
    with it (the produced days divided by them would give the six away)."""
    region = factories.region()
    _gps(8, capacities=1, region=region, claims=6)
    refresh_rollups()

    assert _table(client, "participation", "year=2024")["2024"]["gps_with_claims"] is None
    assert _table(client, "series", "year=2024")["2024"]["produced_course_days"] == 6.0
    assert _table(client, "per_gp", "year=2024")["2024"]["course_days_per_gp"] is None


def test_the_report_prints_no_hidden_figure(tmp_path: Path) -> None:
    """The report's text reads the published tables too: no "6 ud af 8" where the table hides them."""
    region = factories.region()
    _gps(8, capacities=1, region=region, claims=6)
    refresh_rollups()
    out = tmp_path / "rapport.pdf"

    call_command("report", "--year", "2024", "--out", str(out), stdout=StringIO(), stderr=StringIO())

    text = " ".join(
        subprocess.run(
            ["pdftotext", str(out), "-"], capture_output=True, check=True, text=True
        ).stdout.split()
    )
    assert "6 ud af 8" not in text and "75,0 %" not in text
    assert "har – ud af – tilskudsberettigede" in text

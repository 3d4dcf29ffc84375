"""A year the statistics hold no figures for is refused with the reason beside the year (pages, exports,
report, API); a year they hold without any claims shows its empty tables honestly. Never a 500."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client

from ajour.accounts.models import User
from ajour.stats.services import refresh_rollups
from tests import factories
from tests.stats import factories as f

pytestmark = pytest.mark.django_db

D = date(2024, 5, 10)


@pytest.fixture
def world() -> None:
    """Claims in 2024 only; the roll-ups hold 2019 to this year."""
    course = f.instance(on=D)
    for _n in range(6):
        f.claim(f.gp(), on=D, at=course)
    refresh_rollups()


@pytest.fixture
def analyst(client: Client) -> Client:
    client.force_login(factories.user(role=User.Role.ANALYST))
    return client


OUTSIDE = [2009, 2018, 2100, date.today().year + 1]
PAGES = ["/stats/?year={year}", "/stats/dashboard/?year={year}", "/stats/report.pdf?year={year}"]


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("year", OUTSIDE)
def test_pages_refuse_a_year_without_statistics(world: None, analyst: Client, page: str, year: int) -> None:
    response = analyst.get(page.format(year=year))

    assert response.status_code == 400
    assert f"Der er ingen statistik for {year}" in response.content.decode()
    assert "2019–" in response.content.decode()  # the years that have statistics


def test_the_reason_is_in_the_users_language(world: None, client: Client) -> None:
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})

    response = client.get("/stats/?year=2030")

    assert response.status_code == 400
    assert "There are no statistics for 2030" in response.content.decode()


@pytest.mark.parametrize("file_type", ["csv", "parquet"])
def test_exports_refuse_a_year_without_statistics(world: None, client: Client, file_type: str) -> None:
    response = client.get(f"/stats/export.{file_type}?measure=participation&year=2012")

    assert response.status_code == 400
    assert "Der er ingen statistik for 2012" in response.content.decode()


@pytest.mark.parametrize(
    "path", ["/api/v1/stats/tables", "/api/v1/stats/tables/topic_trends", "/api/v1/stats/headline"]
)
@pytest.mark.parametrize("year", OUTSIDE)
def test_api_refuses_a_year_without_statistics(world: None, client: Client, path: str, year: int) -> None:
    response = client.get(f"{path}?year={year}")

    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request" and response.json()["field"] == "year"


def test_an_empty_database_has_no_years(client: Client) -> None:
    response = client.get("/api/v1/stats/tables?year=2024")

    assert response.status_code == 400
    assert response.json()["field"] == "year"
    assert response.json()["message"] == "There are no statistics yet."


def test_a_year_without_claims_shows_empty_tables(world: None, analyst: Client) -> None:
    """2019 is in the roll-ups but nobody claimed: no chart to draw, the tables say so."""
    for page in ("/stats/?year=2019", "/stats/dashboard/?year=2019"):
        response = analyst.get(page)
        assert response.status_code == 200
        assert "Ingen data for dette udvalg." in response.content.decode()

    report = analyst.get("/stats/report.pdf?year=2019")
    assert report.status_code == 200
    assert report.content.startswith(b"%PDF")
    assert analyst.get("/api/v1/stats/tables/topic_trends?year=2019").json()["rows"][0]["year"] == 2019

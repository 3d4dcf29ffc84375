"""Public page, exports and API hide every cell describing fewer than 5 GPs; the dashboard is for roles."""

from __future__ import annotations

import csv
import io
from datetime import date

import pyarrow.parquet as pq
import pytest
from django.test import Client

from ajour.accounts.models import User
from ajour.stats.selectors import Filters
from ajour.stats.services import refresh_rollups
from ajour.stats.tables import build_tables, published_tables
from tests import factories
from tests.stats import factories as f

pytestmark = pytest.mark.django_db

D = date(2024, 5, 10)


@pytest.fixture
def world() -> None:
    """Six GPs took diabetes courses (a public cell), two a rare topic (a small cell), five none."""
    diabetes = f.instance(on=D, topic_code="diabetes")
    rare = f.instance(on=D, topic_code="sjaelden")
    for n in range(6):
        doctor = f.gp(first_name=f"Læge{n}")
        f.claim(doctor, on=D, halves=2, at=diabetes)
        if n < 2:
            f.claim(doctor, on=D, halves=3, at=rare)
    for _n in range(5):
        f.gp(first_name="Uden")  # eligible without claims
    refresh_rollups()


def _topic_rows(rows: list[dict[str, object]]) -> dict[str, dict[str, object]]:
    return {str(row["key"]): row for row in rows}


def test_suppress_hides_rows_of_fewer_than_five_gps(world: None) -> None:
    top = next(t for t in build_tables(Filters(year=2024)) if t.key == "top_topics")

    published = next(t for t in published_tables(Filters(year=2024)) if t.key == "top_topics")

    hidden = _topic_rows(published.rows)
    assert _topic_rows(top.rows)["sjaelden"]["course_days"] == 3.0
    assert hidden["sjaelden"]["course_days"] is None
    assert hidden["sjaelden"]["suppressed"] is True
    assert hidden["sjaelden"]["rank"] == 2  # a position, not a figure
    assert hidden["diabetes"]["course_days"] == 6.0
    assert published.suppressed == 1


def test_public_page_hides_small_cells(world: None, client: Client) -> None:
    response = client.get("/stats/?year=2024")

    assert response.status_code == 200
    html = response.content.decode()
    assert "Sjaelden" in html
    assert "hidden: fewer than 5 GPs" in html or "skjult" in html
    assert 'data-testid="table-top_topics"' in html


def test_csv_export_is_danish_excel_and_suppressed(world: None, client: Client) -> None:
    response = client.get("/stats/export.csv?measure=top_topics&year=2024")

    assert response.status_code == 200
    body = response.content
    assert body.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))
    by_topic = {row[1]: row for row in rows[1:]}
    assert by_topic["Diabetes"][2] == "6"
    assert by_topic["Sjaelden"][2] == ""


def test_csv_uses_decimal_commas(world: None, client: Client) -> None:
    rows = list(
        csv.reader(
            io.StringIO(
                client.get("/stats/export.csv?measure=participation&year=2024").content.decode("utf-8-sig")
            ),
            delimiter=";",
        )
    )
    row_2024 = next(row for row in rows if row[0] == "2024")
    assert row_2024[3] == "0,5455"  # 6 of 11 eligible GPs


def test_parquet_export_is_suppressed(world: None, client: Client) -> None:
    response = client.get("/stats/export.parquet?measure=top_topics&year=2024")

    table = pq.read_table(io.BytesIO(response.content)).to_pylist()
    by_topic = {row["label"]: row for row in table}
    assert by_topic["Sjaelden"]["course_days"] is None
    assert by_topic["Diabetes"]["course_days"] == 6.0


def test_export_refuses_an_unknown_measure(client: Client) -> None:
    response = client.get("/stats/export.csv?measure=cpr&year=2024")
    assert response.status_code == 400


def test_api_is_suppressed(world: None, client: Client) -> None:
    response = client.get("/api/v1/stats/tables/top_topics?year=2024")

    assert response.status_code == 200
    rows = _topic_rows(response.json()["rows"])
    assert rows["sjaelden"]["course_days"] is None
    assert rows["diabetes"]["course_days"] == 6.0


def test_openapi_documents_the_stats_endpoints(client: Client) -> None:
    paths = client.get("/api/openapi.json").json()["paths"]
    assert {"/api/v1/stats/tables", "/api/v1/stats/tables/{measure}", "/api/v1/stats/headline"} <= set(paths)


def test_api_headline_and_bad_input(world: None, client: Client) -> None:
    headline = client.get("/api/v1/stats/headline?year=2024").json()
    assert headline["eligible_gps"] == 11
    assert headline["gps_with_claims"] == 6
    assert client.get("/api/v1/stats/headline?year=2024&provider_type=nobody").status_code == 400
    assert client.get("/api/v1/stats/tables/nothing?year=2024").status_code == 404


def test_dashboard_is_unsuppressed_for_analysts_and_closed_to_others(world: None, client: Client) -> None:
    assert client.get("/stats/dashboard/").status_code in {302, 403}
    client.force_login(factories.user(role=User.Role.GP))
    assert client.get("/stats/dashboard/?year=2024").status_code == 403

    client.force_login(factories.user(role=User.Role.ANALYST))
    response = client.get("/stats/dashboard/?year=2024&provider_type=plo_e")

    assert response.status_code == 200
    assert "1,5" in response.content.decode() or "1.5" in response.content.decode()


def test_under_participation_list_by_role_and_region(world: None, client: Client) -> None:
    client.force_login(factories.user(role=User.Role.ANALYST))
    response = client.get("/stats/under-participation/?year=2024")
    assert response.status_code == 200
    assert "Uden" in response.content.decode()
    practices = response.context["practices"]
    assert len(practices) == 9  # every GP has an own practice; 2 of the 11 had two activities
    assert {practice.eligible_gps for practice in practices} == {1}

    own = factories.region()
    other = factories.region(code="nordjylland", name="Region Nordjylland")
    client.force_login(factories.user(role=User.Role.COUNSELLOR, region=own))
    assert client.get("/stats/under-participation/?year=2024").status_code == 200
    assert client.get(f"/stats/under-participation/?year=2024&region={other.code}").status_code == 403

    client.force_login(factories.user(role=User.Role.PROVIDER))
    assert client.get("/stats/under-participation/?year=2024").status_code == 403


def test_participation_hides_a_year_with_fewer_than_five_gps_without_claims(client: Client) -> None:
    for _n in range(6):
        f.claim(f.gp(), on=D)
    f.gp()
    refresh_rollups()

    headline = client.get("/api/v1/stats/headline?year=2024").json()

    assert headline["participation_rate"] is None
    assert headline["suppressed"] is True


def test_dashboard_button_streams_the_pdf_report(world: None, client: Client) -> None:
    assert client.get("/stats/report.pdf?year=2024").status_code in {302, 403}
    client.force_login(factories.user(role=User.Role.ANALYST))

    response = client.get("/stats/report.pdf?year=2024")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")

"""The catalogue JSON API: public search and detail, provider submission and attendance, OpenAPI."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
import time_machine
from django.test import Client

from ajour.accounts.services import create_api_token
from ajour.catalogue import services
from ajour.catalogue.models import Activity, Attendance
from tests import factories
from tests.catalogue import factories as cf

pytestmark = pytest.mark.django_db


def submission(**overrides: object) -> dict[str, object]:
    day = cf.weekday_after().isoformat()
    body: dict[str, object] = {
        "title": "Astma og KOL",
        "description": "Spirometri i praksis",
        "form": "course",
        "topic": cf.topic().code,
        "requested_approval": "self_chosen",
        "price_ore": 300_000,
        "gp_involvement": "Praktiserende læge underviser",
        "curriculum_relevance": "Kronisk sygdom",
        "funding": "Deltagerbetaling",
        "runs": [
            {
                "venue": "Lægehuset",
                "town": "Odense",
                "region": factories.region().code,
                "places": 20,
                "days": [
                    {
                        "date": day,
                        "sessions": [{"from": "09:00", "to": "12:00"}, {"from": "12:30", "to": "15:00"}],
                    }
                ],
            }
        ],
        "submit": True,
    }
    body.update(overrides)
    return body


def test_search_and_detail_are_public(client: Client) -> None:
    activity = cf.approved(title="Akutte abdominalsmerter")
    cf.submitted(title="Akutte brystsmerter")
    found = client.get("/api/v1/catalogue/search", {"q": "akutte"}).json()
    assert found["count"] == 1
    (run,) = found["results"]
    assert run["number"] == activity.number and run["claimable"][0]["fee_ore"] == 800_000
    detail = client.get(f"/api/v1/catalogue/activities/{activity.pk}").json()
    assert detail["numbers"] == [activity.number]
    assert [day["day_class"] for day in detail["runs"][0]["days"]] == ["full", "full"]
    assert client.get(f"/api/v1/catalogue/activities/{activity.pk + 1}").status_code == 404
    assert client.get("/api/v1/catalogue/search", {"sort": "sideways"}).json()["field"] == "sort"


def test_the_approval_shown_is_the_one_in_force_and_a_dated_change_takes_effect_on_its_date(
    client: Client,
) -> None:
    activity = cf.approved(
        approval="both", theme=cf.se_theme(), requested_approval="both", se_theme=cf.se_theme()
    )
    start = activity.instances.get().starts_on
    services.change_approval(
        activity=activity,
        decided_by=cf.steering_member(),
        approval="self_chosen",
        valid_from=start + timedelta(days=1),
        reasons="Kun selvvalgt fra kursets anden dag.",
    )

    (run,) = client.get("/api/v1/catalogue/search").json()["results"]
    assert run["approval"] == "self_chosen"
    assert [option["account"] for option in run["claimable"]] == ["self_chosen"]
    assert client.get(f"/api/v1/catalogue/activities/{activity.pk}").json()["approval"] == "both"
    with time_machine.travel(start + timedelta(days=1), tick=False):
        assert client.get(f"/api/v1/catalogue/activities/{activity.pk}").json()["approval"] == "self_chosen"


def test_a_provider_system_submits_with_an_api_token(client: Client) -> None:
    user = cf.provider_user()
    token = create_api_token(user=user, name="Kursussystem")
    response = client.post(
        "/api/v1/catalogue/activities",
        submission(),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["status"] == "submitted" and data["prechecks"] == []
    assert data["runs"][0]["days"][0]["break_minutes"] == 30
    assert data["runs"][0]["claimable"][0]["fee_ore"] == 400_000
    assert Activity.objects.get().provider == user.provider


def test_submission_needs_a_provider_and_valid_codes(client: Client) -> None:
    assert (
        client.post("/api/v1/catalogue/activities", submission(), content_type="application/json").status_code
        == 401
    )
    gp = cf.gp_user()
    client.force_login(gp)
    assert (
        client.post("/api/v1/catalogue/activities", submission(), content_type="application/json").status_code
        == 403
    )
    client.force_login(cf.provider_user())
    response = client.post(
        "/api/v1/catalogue/activities", submission(topic="ukendt"), content_type="application/json"
    )
    assert response.status_code == 400 and response.json()["field"] == "topic"
    assert response.json()["message"] == "Unknown topic: ukendt"
    bad_time = submission()
    bad_time["runs"][0]["days"][0]["sessions"][0]["to"] = "08:00"  # type: ignore[index]
    response = client.post("/api/v1/catalogue/activities", bad_time, content_type="application/json")
    assert response.status_code == 400 and response.json()["field"] == "runs[0].days[0].sessions[0].to"
    response = client.post("/api/v1/catalogue/activities", {"title": ""}, content_type="application/json")
    assert response.status_code == 400 and response.json()["field"] == "title"
    assert not Activity.objects.exists()


def test_attendance_through_the_api_is_all_or_nothing(client: Client) -> None:
    activity = cf.approved()
    past = date.today() - timedelta(days=2)
    activity.instances.update(starts_on=past, ends_on=past)
    instance = activity.instances.get()
    gp = factories.doctor()
    client.force_login(activity.created_by)
    url = f"/api/v1/catalogue/runs/{instance.pk}/attendance"
    response = client.post(
        url, {"authorisation_ids": [gp.authorisation_id, "QQQQQ"]}, content_type="application/json"
    )
    assert response.status_code == 400 and response.json()["errors"][0].startswith("Row 2")
    assert not Attendance.objects.exists()
    response = client.post(url, {"authorisation_ids": [gp.authorisation_id]}, content_type="application/json")
    assert response.json() == {"recorded": 1}
    client.force_login(cf.provider_user())
    assert client.post(url, {"authorisation_ids": ["X"]}, content_type="application/json").status_code == 404


def test_the_endpoints_are_in_the_openapi_document(client: Client) -> None:
    paths = client.get("/api/openapi.json").json()["paths"]
    for path in (
        "/api/v1/catalogue/search",
        "/api/v1/catalogue/activities/{activity_id}",
        "/api/v1/catalogue/activities",
        "/api/v1/catalogue/runs/{run_id}/attendance",
    ):
        assert path in paths


def test_dates_times_and_numbers_are_read_only_as_the_schema_writes_them(client: Client) -> None:
    """Pydantic alone would read `1.5e-300` as 1 January 1970, `3600` as 01:00 and `"20"` as 20."""
    assert client.get("/api/v1/catalogue/search", {"date_from": "2.9e-300"}).status_code == 400
    assert client.get("/api/v1/catalogue/search", {"date_from": "2025-01-01"}).status_code == 200
    client.force_login(cf.provider_user())
    for where, value in (("from", 3600), ("from", "09:00+01:00"), ("to", "9:00")):
        body = submission()
        body["runs"][0]["days"][0]["sessions"][0][where] = value  # type: ignore[index]
        response = client.post("/api/v1/catalogue/activities", body, content_type="application/json")
        assert response.status_code == 400, (where, value)
    body = submission()
    body["runs"][0]["places"] = "20"  # type: ignore[index]
    assert (
        client.post("/api/v1/catalogue/activities", body, content_type="application/json").status_code == 400
    )
    body["runs"][0]["places"] = 20.0  # type: ignore[index]
    response = client.post("/api/v1/catalogue/activities", body, content_type="application/json")
    assert response.status_code == 201
    assert response.json()["runs"][0]["days"][0]["starts_at"] == "09:00:00"


def test_numbers_dates_and_texts_beyond_their_bounds_are_refused_naming_the_field(client: Client) -> None:
    """Places of 2^31 and a price of 2^63 crashed PostgreSQL ("integer out of range"); a programme day
    in 9999 was stored. Each is now a 400 naming the field, and nothing is written."""
    client.force_login(cf.provider_user())
    cases: list[tuple[str, object, str]] = [
        ("runs.0.places", 2**31, "runs[0].places"),
        ("runs.0.places", 0, "runs[0].places"),
        ("price_ore", 2**63, "price_ore"),
        ("runs.0.days.0.date", "9999-12-31", "runs[0].days[0].date"),
        ("runs.0.days.0.date", "1999-12-31", "runs[0].days[0].date"),
        ("description", "x" * 5_001, "description"),
        ("runs.0.days.0.sessions.0.title", "x" * 201, "runs[0].days[0].sessions[0].title"),
        ("extra_topics", ["adhd"] * 21, "extra_topics"),
    ]
    for where, value, field in cases:
        body = submission()
        *path, last = [int(step) if step.isdigit() else step for step in where.split(".")]
        parent: Any = body
        for step in path:
            parent = parent[step]
        parent[last] = value
        response = client.post("/api/v1/catalogue/activities", body, content_type="application/json")
        assert response.status_code == 400, (where, response.content)
        assert response.json()["field"] == field, (where, response.json())
    far = client.get("/api/v1/catalogue/search", {"date_from": "9999-12-31"})
    assert far.status_code == 400 and far.json()["field"] == "date_from"
    assert "2000-01-01" in far.json()["message"]
    assert not Activity.objects.exists()

"""The portal shell through HTTP: front page, demo logins, role home pages, health, errors."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client, override_settings

import ajour.web
from ajour.accounts.models import User
from tests import factories

pytestmark = pytest.mark.django_db


def test_front_page_explains_ajour_in_danish_and_offers_every_demo_role(client: Client) -> None:
    response = client.get("/")
    assert response.status_code == 200
    body = response.content.decode()
    assert 'lang="da"' in body
    for label in ("Praktiserende læge", "Medicinsk konsulent", "Analytiker", "Administrator"):
        assert label in body


def test_front_page_switches_to_english(client: Client) -> None:
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    body = client.get("/").content.decode()
    assert 'lang="en"' in body
    assert "Try the demo: log in as" in body


@override_settings(AJOUR_DEMO=False)
def test_demo_logins_are_absent_and_refused_outside_demo_mode(client: Client) -> None:
    factories.user(role=User.Role.ANALYST, username="demo-analyst")
    assert "demo-login" not in client.get("/").content.decode()
    response = client.post("/demo-login/analyst/")
    assert response.status_code == 403
    assert "_auth_user_id" not in client.session


def test_demo_login_for_a_missing_user_explains_how_to_load_the_demo(client: Client) -> None:
    response = client.post("/demo-login/analyst/")
    assert response.status_code == 404
    assert "ajour demo load" in response.content.decode()


def test_demo_login_is_post_only(client: Client) -> None:
    assert client.get("/demo-login/analyst/").status_code == 405


def test_gp_home_shows_name_role_practice_region_and_balances(client: Client) -> None:
    year = date.today().year
    gp = factories.with_allocation(factories.doctor(first_name="Birgitte"), year=year)
    factories.user(role=User.Role.GP, username="demo-gp-owner", doctor=gp)
    client.post("/demo-login/gp-owner/")
    body = client.get("/home/").content.decode()
    assert "Birgitte" in body
    assert "Praktiserende læge (ejer)" in body or "GP owner" in body
    assert gp.practice is not None and gp.practice.name in body
    assert "Region Hovedstaden" in body
    assert "21.400,00" in body
    assert "3 dage" in body


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        (User.Role.CONSULTANT, "Ingen ansøgninger venter."),
        (User.Role.CASEWORKER, "Ingen ansøgninger kræver behandling."),
        (User.Role.STEERING, "Ingen klager over afgørelser venter."),
        (User.Role.ANALYST, "Nationale statistikker"),
    ],
)
def test_role_home_pages_say_truthfully_when_their_queue_is_empty(
    client: Client, role: str, expected: str
) -> None:
    client.force_login(factories.user(role=role))
    response = client.get("/home/")
    assert response.status_code == 200
    assert expected in response.content.decode()


def test_home_requires_login(client: Client) -> None:
    response = client.get("/home/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_healthz_reports_database_and_version(client: Client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    data = response.json()
    assert data["status"] == "ok"
    assert data["database"] == "ok"
    assert data["version"]


def test_unknown_page_gets_a_friendly_404_without_a_stack_trace(client: Client) -> None:
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    body = response.content.decode()
    assert "Siden blev ikke fundet." in body
    assert "Traceback" not in body


def test_pages_carry_a_content_security_policy(client: Client) -> None:
    policy = client.get("/")["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy


def test_the_api_docs_load_only_ajours_own_files_under_the_csp(client: Client) -> None:
    response = client.get("/api/docs")

    assert response.status_code == 200
    assert response["Content-Security-Policy"] == settings.CONTENT_SECURITY_POLICY
    html = response.content.decode()
    assets = re.findall(r'<(?:script|link)\b[^>]*?(?:src|href)="([^"]+)"', html)
    assert assets and all(a.startswith("/") and not a.startswith("//") for a in assets), assets
    assert "/static/ajour/vendor/swagger-ui-bundle-5.31.0.js" in assets
    assert "<script>" not in html  # the settings travel as JSON, the start-up is a file


def test_the_vendored_swagger_ui_points_at_no_missing_source_map() -> None:
    vendor = Path(ajour.web.__file__).parent / "static" / "ajour" / "vendor"
    for file in vendor.glob("swagger-ui*"):
        assert "sourceMappingURL" not in file.read_text(encoding="utf-8"), file.name


def test_openapi_schema_is_versioned_under_v1(client: Client) -> None:
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert client.get("/api/docs").status_code == 200


def test_nul_characters_are_refused_clearly_before_they_reach_the_database(client: Client) -> None:
    page = client.get("/catalogue/", {"q": "astma\x00"})
    assert page.status_code == 400
    assert "NUL" in page.content.decode()
    api = client.get("/api/v1/catalogue/search", {"form": "course\x00"})
    assert api.status_code == 400
    assert api.json() == {
        "error": "invalid_request",
        "field": "form",
        "message": "Text may not contain NUL characters.",
    }
    body = client.post("/api/v1/claims", '{"description": "kursus\\u0000"}', content_type="application/json")
    assert body.status_code == 400
    assert body.json()["field"] == "body"

"""Every error of the JSON API is JSON in one shape, in English: also an unknown route, a wrong method or
content type, a body too large, a failed CSRF check and a server error, which were HTML pages."""

from __future__ import annotations

import json
import logging
from datetime import date, timedelta

import pytest
from django.test import Client

from ajour.accounts.services import create_api_token
from ajour.catalogue import selectors
from ajour.catalogue.models import Activity, Attendance
from ajour.claims.models import Claim
from tests import factories
from tests.catalogue import factories as cf
from tests.catalogue.test_api import submission
from tests.claims import factories as f

pytestmark = pytest.mark.django_db

SHAPE = {"error", "field", "message"}


def _error(response: object, status: int, error: str) -> dict[str, object]:
    assert response.status_code == status, response.content  # type: ignore[attr-defined]
    assert response.headers["Content-Type"] == "application/json"  # type: ignore[attr-defined]
    body = response.json()  # type: ignore[attr-defined]
    assert set(body) >= SHAPE and body["error"] == error, body
    return dict(body)


def _provider_client() -> Client:
    token = create_api_token(user=cf.provider_user(), name="Kursussystem")
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}", raise_request_exception=False)


def test_an_unknown_route_and_a_wrong_method_answer_in_the_error_shape() -> None:
    client = Client()
    _error(client.get("/api/v1/nothing"), 404, "not_found")
    _error(client.get("/api/v1/catalogue/activities/12/nothing"), 404, "not_found")
    wrong = client.put("/api/v1/claims")
    _error(wrong, 405, "method_not_allowed")
    assert set(wrong.headers["Allow"].replace(" ", "").split(",")) == {"GET", "POST"}


def test_a_body_that_is_not_json_is_refused_with_415_and_writes_nothing() -> None:
    client = _provider_client()
    text = json.dumps(submission())
    for content_type in ("text/plain", "application/x-www-form-urlencoded", "application/xml"):
        refused = client.post("/api/v1/catalogue/activities", text, content_type=content_type)
        assert _error(refused, 415, "unsupported_media_type")["field"] == "Content-Type"
    assert client.post("/api/v1/catalogue/activities", {"title": "x"}).status_code == 415  # multipart
    assert not Activity.objects.exists()


def test_the_quote_reads_its_body_as_json_whatever_the_content_type() -> None:
    """quote.md: the same bodies as `ajour quote`, which reads a file; the contract names no media type."""
    from tests.claims.test_api import WORKED_EXAMPLE

    response = Client().post("/api/v1/quote", json.dumps(WORKED_EXAMPLE), content_type="text/plain")
    assert response.status_code == 200 and response.json()["payable_ore"] == 1510000


def test_nul_in_a_body_of_any_content_type_is_refused_and_writes_nothing() -> None:
    """A NUL in a text/plain body once passed the guard, was parsed as JSON and crashed PostgreSQL."""
    client = _provider_client()
    gp = f.gp(year=date.today().year)
    gp_client = Client(HTTP_AUTHORIZATION=f"Bearer {create_api_token(user=f.login_of(gp), name='k')}")
    held = cf.approved()
    past = date.today() - timedelta(days=2)
    held.instances.update(starts_on=past, ends_on=past)
    run = held.instances.get()
    provider_of_run = Client(
        HTTP_AUTHORIZATION=f"Bearer {create_api_token(user=held.created_by, name='k')}",
        raise_request_exception=False,
    )
    cases = [
        (client, "/api/v1/catalogue/activities", json.dumps(submission(title="Astma\x00"))),
        (gp_client, "/api/v1/claims", json.dumps({"material_ore": 100, "description": "bog\x00"})),
        (
            provider_of_run,
            f"/api/v1/catalogue/runs/{run.pk}/attendance",
            '{"authorisation_ids": ["AB\x00CD"]}',
        ),
    ]
    for caller, url, body in cases:
        for content_type in ("text/plain", "application/json", "application/octet-stream"):
            for raw in (body, body.replace("\x00", "\\u0000")):
                response = caller.post(url, raw, content_type=content_type, HTTP_IDEMPOTENCY_KEY="k")
                assert 400 <= response.status_code < 500, (url, content_type, response.content)
                assert set(response.json()) >= SHAPE
    assert not Activity.objects.exclude(pk=held.pk).exists()
    assert not Claim.objects.exists() and not Attendance.objects.exists()


def test_a_body_above_5_mb_is_a_413_in_the_error_shape() -> None:
    body = json.dumps({"title": "x" * (6 * 1024 * 1024)})
    _error(
        _provider_client().post("/api/v1/catalogue/activities", body, content_type="application/json"),
        413,
        "payload_too_large",
    )
    _error(Client().post("/api/v1/quote", body, content_type="application/json"), 413, "payload_too_large")


def test_a_failed_csrf_check_is_a_403_in_the_error_shape() -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(cf.provider_user())
    refused = client.post("/api/v1/catalogue/activities", submission(), content_type="application/json")
    assert "CSRF" in _error(refused, 403, "forbidden")["message"]
    assert not Activity.objects.exists()


def test_no_token_is_a_401_in_the_error_shape() -> None:
    _error(Client().get("/api/v1/claims"), 401, "unauthorized")
    _error(Client(HTTP_AUTHORIZATION="Bearer ajr_nope_nope").get("/api/v1/account"), 401, "unauthorized")


def test_an_unexpected_failure_is_a_500_without_details_logged_without_personal_data(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    cpr, name = "010190-" + "1234", "Jens " + "Hansen"  # not in the source lines of the traceback

    def explode(**kwargs: object) -> object:
        raise RuntimeError(f"CPR {cpr} of {name}")

    monkeypatch.setattr(selectors, "search_catalogue", explode)
    with caplog.at_level(logging.ERROR):
        response = Client(raise_request_exception=False).get("/api/v1/catalogue/search")
    body = _error(response, 500, "server_error")
    assert "CPR" not in json.dumps(body) and "Traceback" not in response.content.decode()
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "RuntimeError" in logged and "api/v1/catalogue/search" in logged
    assert "010190" not in logged and "Jens" not in logged


def test_api_errors_are_in_english_for_a_danish_reader() -> None:
    """The 409 of an Idempotency-Key used with another body was Danish: the portal's language leaked."""
    gp = f.gp(year=2025)
    instance = f.activity(days=[date(2025, 3, 6)])
    client = Client(
        HTTP_AUTHORIZATION=f"Bearer {create_api_token(user=f.login_of(gp), name='k')}",
        HTTP_ACCEPT_LANGUAGE="da",
    )
    client.cookies["django_language"] = "da"
    first = client.post(
        "/api/v1/claims",
        {"instance_id": instance.pk},
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="a",
    )
    assert first.status_code == 201
    other = client.post(
        "/api/v1/claims",
        {"instance_id": instance.pk, "course_fee_ore": 1},
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="a",
    )
    conflict = _error(other, 409, "idempotency_conflict")
    assert conflict["message"].startswith("This Idempotency-Key")  # type: ignore[union-attr]
    assert other.headers["Content-Language"] == "en"
    provider = _provider_client()
    provider.cookies["django_language"] = "da"
    refused = provider.post(
        "/api/v1/catalogue/activities", submission(topic="ukendt"), content_type="application/json"
    )
    assert _error(refused, 400, "invalid_request") == {
        "error": "invalid_request",
        "field": "topic",
        "message": "Unknown topic: ukendt",
    }


def test_several_invalid_fields_are_each_named() -> None:
    body = submission(title="", price_ore=-1)
    body["runs"][0]["places"] = 0  # type: ignore[index]
    refused = _error(
        _provider_client().post("/api/v1/catalogue/activities", body, content_type="application/json"),
        400,
        "invalid_request",
    )
    assert refused["field"] == "title"
    assert [e.split(":")[0] for e in refused["errors"]] == ["title", "price_ore", "runs[0].places"]  # type: ignore[union-attr]


def test_the_openapi_document_declares_the_one_error_shape_everywhere() -> None:
    document = Client().get("/api/openapi.json").json()
    assert "one shape" in document["info"]["description"]
    assert set(document["components"]["schemas"]["ErrorOut"]["required"]) == SHAPE
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            errors = {status: r for status, r in operation["responses"].items() if int(status) >= 400}
            assert {"405", "500"} <= set(errors), (method, path)
            for response in errors.values():
                schema = response["content"]["application/json"]["schema"]
                assert schema == {"$ref": "#/components/schemas/ErrorOut"}, (method, path)


def test_a_provider_token_cannot_report_attendance_for_another_providers_run() -> None:
    """The chokepoint's 404 is the API's own, not an HTML page."""
    held = cf.approved()
    run = held.instances.get()
    _error(
        _provider_client().post(
            f"/api/v1/catalogue/runs/{run.pk}/attendance",
            {"authorisation_ids": [factories.doctor().authorisation_id]},
            content_type="application/json",
        ),
        404,
        "not_found",
    )

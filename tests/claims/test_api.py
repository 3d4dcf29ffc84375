"""The claims API: public quote, token-authenticated claims with idempotency keys."""

from __future__ import annotations

import json
from datetime import date

import pytest
from django.test import Client

from ajour.accounts.services import create_api_token
from ajour.claims.models import Claim
from tests.claims import factories as f

pytestmark = pytest.mark.django_db

WORKED_EXAMPLE = {
    "schema": "ajour.claim/1",
    "filed_on": "2025-03-10",
    "claimant": {"role": "gp_owner", "has_account": True},
    "balances": {"self_chosen_ore": 2140000, "systematic_days": 3},
    "activity": {
        "id": "2025-0142",
        "type": "course",
        "approval": "self_chosen",
        "days": [
            {"date": "2025-03-06", "from": "09:00", "to": "16:30", "break_minutes": 60},
            {"date": "2025-03-07", "from": "09:00", "to": "16:30", "break_minutes": 60},
        ],
    },
    "expenses": {"course_fee_ore": 600000, "transport_ore": 180000},
}


def test_quote_needs_no_login_and_decides_like_the_cli() -> None:
    response = Client().post("/api/v1/quote", WORKED_EXAMPLE, content_type="application/json")
    assert response.status_code == 200
    assert response.json()["payable_ore"] == 1510000


def test_quote_error_object_for_bad_input() -> None:
    body = {**WORKED_EXAMPLE, "surprise": 1}
    response = Client().post("/api/v1/quote", body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_claim" and response.json()["field"] == "surprise"
    broken = Client().post("/api/v1/quote", "{not json", content_type="application/json")
    assert broken.status_code == 400 and broken.json()["error"] == "invalid_claim"


def _client_for(gp) -> Client:  # type: ignore[no-untyped-def]
    token = create_api_token(user=f.login_of(gp), name="Clinic system")
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}")


def test_submit_is_idempotent_and_conflicts_on_another_body() -> None:
    gp = f.gp(year=date.today().year)
    day = f.weekdays(date(date.today().year, 1, 5), 1)[0]
    instance = f.activity(days=[day])
    client = _client_for(gp)
    body = {"instance_id": instance.pk, "course_fee_ore": 100000}

    first = client.post("/api/v1/claims", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="abc")
    retry = client.post("/api/v1/claims", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="abc")
    other = client.post(
        "/api/v1/claims",
        {**body, "transport_ore": 1},
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="abc",
    )

    assert first.status_code == 201, first.content
    assert retry.status_code == 200 and retry.json()["id"] == first.json()["id"]
    assert other.status_code == 409
    assert Claim.objects.count() == 1
    listed = client.get("/api/v1/claims")
    assert [c["id"] for c in listed.json()] == [first.json()["id"]]
    account = client.get("/api/v1/account").json()
    assert account["self_chosen_ore"] == 2140000 - first.json()["payable_ore"]


def test_submit_refuses_bad_input_without_writing() -> None:
    gp = f.gp(year=2025)
    client = _client_for(gp)
    missing_key = client.post("/api/v1/claims", {"instance_id": 1}, content_type="application/json")
    negative = client.post(
        "/api/v1/claims",
        {"instance_id": 1, "course_fee_ore": -5},
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="k",
    )
    unknown = client.post(
        "/api/v1/claims", {"instance_id": 999999}, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k2"
    )
    assert missing_key.status_code == 400 and missing_key.json()["field"] == "Idempotency-Key"
    assert negative.status_code == 400 and negative.json()["field"] == "course_fee_ore"
    assert unknown.status_code == 400 and unknown.json()["field"] == "instance_id"
    assert Claim.objects.count() == 0


def test_claims_need_a_valid_token() -> None:
    assert Client().get("/api/v1/claims").status_code == 401
    assert Client(HTTP_AUTHORIZATION="Bearer ajr_nope_nope").get("/api/v1/claims").status_code == 401


def test_openapi_declares_every_status() -> None:
    schema = json.loads(Client().get("/api/openapi.json").content)
    submit = schema["paths"]["/api/v1/claims"]["post"]["responses"]
    assert {"200", "201", "400", "401", "403", "409"} <= set(submit)
    assert {"200", "400"} <= set(schema["paths"]["/api/v1/quote"]["post"]["responses"])


def test_wrong_parameter_types_get_a_declared_error() -> None:
    client = _client_for(f.gp(year=2025))
    assert client.get("/api/v1/claims", {"limit": "many"}).json()["field"] == "limit"
    language = Client().post("/api/v1/quote?lang=fr", WORKED_EXAMPLE, content_type="application/json")
    assert language.status_code == 400 and language.json()["field"] == "lang"
    assert client.get("/api/v1/claims/not-a-uuid").status_code in {400, 404}


def test_submit_reads_dates_and_amounts_only_as_the_schema_writes_them() -> None:
    client = _client_for(f.gp(year=2025))
    for field, value in (("course_fee_ore", "100"), ("course_fee_ore", True), ("purchased_on", 0)):
        response = client.post(
            "/api/v1/claims", {field: value}, content_type="application/json", HTTP_IDEMPOTENCY_KEY=field
        )
        assert response.status_code == 400 and response.json()["field"] == field, (field, value)
    blank_key = client.post("/api/v1/claims", {}, content_type="application/json", HTTP_IDEMPOTENCY_KEY="  ")
    assert blank_key.status_code == 400 and blank_key.json()["field"] == "Idempotency-Key"
    assert Claim.objects.count() == 0


def test_openapi_describes_the_quote_documents() -> None:
    operation = json.loads(Client().get("/api/openapi.json").content)["paths"]["/api/v1/quote"]["post"]
    claim = operation["requestBody"]["content"]["application/json"]["schema"]
    gp_claim, staff_claim = claim["anyOf"]
    assert gp_claim["required"] == ["schema", "filed_on", "claimant", "balances", "activity"]
    assert staff_claim["properties"]["staff"]["required"] == ["profession", "weekly_hours"]
    assert gp_claim["additionalProperties"] is False and "$ref" not in json.dumps(claim)
    decision = operation["responses"]["200"]["content"]["application/json"]["schema"]
    assert decision["properties"]["schema"]["const"] == "ajour.decision/1"


def test_study_material_on_a_far_date_is_invalid_input_naming_the_field() -> None:
    """Not the rules engine's `activity.purchased_on`: the API's own field, refused before anything is
    decided or stored."""
    client = _client_for(f.gp(year=date.today().year))
    for day in ("0001-01-01", "9999-12-31"):
        response = client.post(
            "/api/v1/claims",
            {"material_ore": 45_000, "purchased_on": day, "description": "Lærebog"},
            content_type="application/json",
            HTTP_IDEMPOTENCY_KEY=day,
        )
        assert response.status_code == 400
        assert response.json()["field"] == "purchased_on"
        assert response.json()["message"].startswith("Enter a date from 2000-01-01 to")
    assert not Claim.objects.exists()

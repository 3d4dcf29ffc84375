"""The OpenAPI document describes what the JSON API really does.

Schemathesis reads /api/openapi.json, generates requests for every operation (valid and invalid ones)
and sends them in-process to the WSGI application, on the test database with a little data: a GP with
a claim, an approved course and a provider. Each request goes once with a token (the provider's for the
catalogue's POSTs, else the GP's) and once anonymously. No response may be a server error, and every
response must have a declared status, content type and body schema. The generation is derandomized and
small; a second test sends requests about data that exists, which generated ids rarely name.

Not checked here: that every schema-valid request is accepted (schemathesis' ST202). Some rules are
beyond JSON Schema and are refused with a documented 400: codes and ids that must exist in the
database, and quote.md's cross-field rules (a programme day's `to` before its `from`, a date given
twice). A third test generates activities from the schema alone, with only those rules filled in
(codes that exist, sessions that end after they start), and most of them must be created: the
schemas' bounds, patterns, enums and examples are what the service accepts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.test import Client
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from ajour.accounts.services import create_api_token
from ajour.catalogue.models import Activity
from tests import factories
from tests.catalogue import factories as cf
from tests.catalogue.test_api import submission
from tests.claims import factories as f
from tests.claims.test_api import WORKED_EXAMPLE

EXAMPLES = 8
GENERATED_ACTIVITIES = 25
EXISTING_TOPICS = [("psychiatry", "Psykiatri"), ("adhd", "ADHD")]
EXISTING_SE_THEME = "diagnostik"
EXISTING_REGION = "hovedstaden"
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@dataclass(frozen=True)
class World:
    gp_token: str
    provider_token: str
    claim_id: str
    claimed_run_id: int
    activity_id: int
    held_run_id: int
    attendee: str


@pytest.fixture
def world(db: None) -> World:
    last_year = date.today().year - 1  # activity numbers of another year than the provider's courses
    gp = f.gp(year=last_year)
    gp_token = create_api_token(user=f.login_of(gp), name="Clinic system")
    day = f.weekdays(date(last_year, 3, 2), 1)[0]
    instance = f.activity(days=[day])
    response = Client(HTTP_AUTHORIZATION=f"Bearer {gp_token}").post(
        "/api/v1/claims",
        {"instance_id": instance.pk, "course_fee_ore": 100_000},
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="conformance",
    )
    assert response.status_code == 201, response.content
    provider = cf.provider_user()
    for code, name in EXISTING_TOPICS:  # the codes the schemas give as examples
        cf.topic(code, name)
    cf.se_theme(EXISTING_SE_THEME)
    factories.region(EXISTING_REGION)
    upcoming = cf.approved(user=provider)
    held = cf.approved(user=provider)
    past = date.today() - timedelta(days=2)
    held.instances.update(starts_on=past, ends_on=past)
    return World(
        gp_token=gp_token,
        provider_token=create_api_token(user=provider, name="Course system"),
        claim_id=response.json()["id"],
        claimed_run_id=instance.pk,
        activity_id=upcoming.pk,
        held_run_id=held.instances.get().pk,
        attendee=factories.doctor().authorisation_id,
    )


# The document needs no data, so it is loaded at collection (schemathesis.pytest.from_fixture, which would
# load it per test, does not run on pytest 9: it sets the removed Node._nodeid).
application = get_wsgi_application()


def ajour_in_the_test_transaction(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    """Ajour called the way Django's test client calls it. Django closes "old" database connections
    around each request; inside a test's transaction on PostgreSQL that would be the test's own."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        response = application(environ, start_response)
        body = b"".join(response)
        response.close()  # type: ignore[attr-defined]
        return [body]
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


schema = schemathesis.openapi.from_wsgi("/api/openapi.json", ajour_in_the_test_transaction)
schema.config.generation.update(max_examples=EXAMPLES, deterministic=True, database="none")


@schema.parametrize()
@pytest.mark.parametrize("caller", ["token", "anonymous"])  # also gives each operation its own node id
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])  # `world` is meant to be shared
def test_the_api_does_what_its_openapi_document_says(
    case: schemathesis.Case[Any], caller: str, world: World
) -> None:
    provider = case.method == "POST" and case.path.startswith("/api/v1/catalogue/")
    token = world.provider_token if provider else world.gp_token
    headers = {"Authorization": f"Bearer {token}"} if caller == "token" else {}
    case.call_and_validate(headers=headers, checks=CHECKS)


STAFF_QUOTE = {
    **WORKED_EXAMPLE,
    "balances": {"self_chosen_ore": 0, "systematic_days": 0, "staff_ore": 1_000_000},
    "activity": {**WORKED_EXAMPLE["activity"], "type": "staff_course"},  # type: ignore[dict-item]
    "staff": {"profession": "nurse", "weekly_hours": 37},
}
MATERIAL_QUOTE = {
    **WORKED_EXAMPLE,
    "activity": {
        "id": "bog",
        "type": "study_material",
        "approval": "self_chosen",
        "purchased_on": "2025-02-03",
    },
    "expenses": {"material_ore": 900_000},
}


def _known(world: World) -> list[tuple[str, str, int, dict[str, Any], str]]:
    """(method, path, expected status, Case arguments, token) for requests about data that exists."""
    gp, provider = world.gp_token, world.provider_token
    key = {"Idempotency-Key": "second"}
    return [
        ("GET", "/api/v1/catalogue/search", 200, {}, ""),
        (
            "GET",
            "/api/v1/catalogue/activities/{activity_id}",
            200,
            {"path_parameters": {"activity_id": world.activity_id}},
            "",
        ),
        ("POST", "/api/v1/catalogue/activities", 201, {"body": submission()}, provider),
        ("POST", "/api/v1/catalogue/activities", 400, {"body": submission(topic="ukendt")}, provider),
        ("POST", "/api/v1/catalogue/activities", 403, {"body": submission()}, gp),
        (
            "POST",
            "/api/v1/catalogue/runs/{run_id}/attendance",
            200,
            {
                "path_parameters": {"run_id": world.held_run_id},
                "body": {"authorisation_ids": [world.attendee]},
            },
            provider,
        ),
        (
            "POST",
            "/api/v1/catalogue/runs/{run_id}/attendance",
            400,
            {"path_parameters": {"run_id": world.held_run_id}, "body": {"authorisation_ids": ["QQQQQ"]}},
            provider,
        ),
        ("GET", "/api/v1/claims", 200, {}, gp),
        ("GET", "/api/v1/claims", 401, {}, ""),
        ("GET", "/api/v1/claims/{public_id}", 200, {"path_parameters": {"public_id": world.claim_id}}, gp),
        ("POST", "/api/v1/claims", 400, {"body": {"instance_id": 0}, "headers": key}, gp),
        (
            "POST",
            "/api/v1/claims",
            409,
            {
                "body": {"instance_id": world.claimed_run_id, "course_fee_ore": 1},
                "headers": {"Idempotency-Key": "conformance"},
            },
            gp,
        ),
        ("GET", "/api/v1/account", 200, {}, gp),
        ("POST", "/api/v1/quote", 200, {"body": WORKED_EXAMPLE}, ""),
        ("POST", "/api/v1/quote", 200, {"body": STAFF_QUOTE}, ""),
        ("POST", "/api/v1/quote", 200, {"body": MATERIAL_QUOTE}, ""),
        ("POST", "/api/v1/quote", 400, {"body": {**WORKED_EXAMPLE, "surprise": 1}}, ""),
        ("GET", "/api/v1/stats/headline", 200, {}, ""),
        ("GET", "/api/v1/stats/tables", 200, {}, ""),
        ("GET", "/api/v1/stats/tables/{measure}", 200, {"path_parameters": {"measure": "participation"}}, ""),
        (
            "GET",
            "/api/v1/stats/tables/{measure}",
            400,
            {"path_parameters": {"measure": "participation"}, "query": {"provider_type": "nobody"}},
            "",
        ),
    ]


def test_responses_about_real_data_fit_their_schemas(world: World) -> None:
    """The generated ids above rarely name something that exists: these requests do, and reach the
    full response bodies (programme days, claim options, decisions, created activities)."""
    for method, path, status, arguments, token in _known(world):
        case = schema[path][method].Case(**arguments)
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        response = case.call_and_validate(headers=headers, checks=CHECKS)
        assert response.status_code == status, (method, path, response.text)


creating = schemathesis.openapi.from_wsgi("/api/openapi.json", ajour_in_the_test_transaction)


@creating.hook
def map_body(context: Any, body: Any) -> Any:
    """What JSON Schema cannot say about a new activity: its codes name a topic, SE theme and region
    that exist, and each session ends after it starts."""
    body["topic"] = EXISTING_TOPICS[0][0]
    body["extra_topics"] = [EXISTING_TOPICS[1][0]][: len(body.get("extra_topics", []))]
    if body.get("se_theme") is not None:
        body["se_theme"] = EXISTING_SE_THEME
    for run in body["runs"]:
        run["region"] = EXISTING_REGION
        for session in (session for day in run["days"] for session in day["sessions"]):
            starts, ends = sorted([session["from"], session["to"]])
            session["from"], session["to"] = starts, ends if ends[:5] != starts[:5] else "23:59"
    return body


def test_activities_generated_from_the_schema_are_created(world: World) -> None:
    """Before the schemas said their bounds, patterns and examples, no generated body was valid, so the
    catalogue's server errors behind validation were never reached. Now nearly every one is created."""
    answers: list[tuple[int, str]] = []
    operation = creating["/api/v1/catalogue/activities"]["POST"]
    headers = {"Authorization": f"Bearer {world.provider_token}"}

    @settings(
        max_examples=GENERATED_ACTIVITIES,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy())
    def submit(case: schemathesis.Case[Any]) -> None:
        response = case.call_and_validate(headers=headers, checks=CHECKS)
        answers.append((response.status_code, response.text if response.status_code != 201 else ""))

    before = Activity.objects.count()
    submit()
    created = sum(1 for status, _text in answers if status == 201)
    assert Activity.objects.count() - before == created
    assert created >= 0.8 * len(answers), [text for status, text in answers if status != 201]

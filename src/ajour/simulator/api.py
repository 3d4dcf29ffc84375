"""JSON API of the policy simulator (mounted under /api/v1/simulations): run a reform, read a scenario.

``POST /api/v1/simulations`` runs a reform (an ``ajour.reform/1`` document, or the name of a shipped
example) for a year, per claim or per account, saves it as a scenario and returns the same figures as
the page and ``ajour simulate``. Token or session; the steering group, analysts and the secretariat.
Outside the secretariat, figures describing fewer than 5 GPs are null (``suppressed: true`` on a row).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from django.http import HttpRequest
from django.urls import reverse
from django.utils import translation
from ninja import Field, Router, Schema, Status
from ninja.security import django_auth
from pydantic import ValidationError, WithJsonSchema

from ajour.accounts.http import api_user, token_auth
from ajour.accounts.models import User
from ajour.core.api_errors import ApiError
from ajour.core.permissions import Permission
from ajour.core.schemas import ErrorOut, JsonInt
from ajour.rules.reforms import Reform, ReformError, parse_reform, shipped_reforms
from ajour.simulator import permissions, selectors, services
from ajour.simulator.display import note_text
from ajour.simulator.models import Mode, Scenario
from ajour.simulator.results import for_reader

router = Router(tags=["simulator"])
AUTH = [token_auth, django_auth]

REFORM_SCHEMA = {
    "type": "object",
    "description": "An ajour.reform/1 document (README, Policy simulator).",
    "required": ["schema", "name", "version", "label", "description"],
    "properties": {
        "schema": {"type": "string", "enum": ["ajour.reform/1"]},
        "name": {"type": "string", "pattern": "^[a-z][a-z0-9_]{0,59}$"},
        "version": {"type": "integer", "minimum": 1},
        "label": {"type": "object", "properties": {"da": {"type": "string"}, "en": {"type": "string"}}},
        "description": {"type": "object", "properties": {"da": {"type": "string"}, "en": {"type": "string"}}},
        "overrides": {"type": "array", "items": {"type": "object"}},
        "switches": {"type": "array", "items": {"type": "object"}},
    },
}
ReformDocument = Annotated[dict[str, Any], WithJsonSchema(REFORM_SCHEMA)]


class SimulationIn(Schema):
    """A reform document or the name of a shipped example, the year the activities were held and the mode."""

    model_config = {"extra": "forbid"}

    reform: ReformDocument | None = Field(None, description="The reform; give this or `example`.")
    example: Annotated[str | None, WithJsonSchema({"type": "string", "enum": sorted(shipped_reforms())})] = (
        Field(None, description="A shipped example reform by name.")
    )
    year: JsonInt = Field(ge=2000, le=2100)
    mode: Literal["claim", "account"] = "account"
    lang: Literal["da", "en"] = Field("da", description="The language of the notes and error messages.")


class SimulationOut(Schema):
    id: UUID
    url: str
    author: str
    created_at: datetime
    year: int
    mode: str
    reform: ReformDocument
    results: dict[str, Any] = Field(description="The ajour.simulation/1 figures (README, Policy simulator).")
    notes: list[str]


class ExampleOut(Schema):
    name: str
    reform: ReformDocument


def _out(scenario: Scenario, user: User, lang: str) -> dict[str, Any]:
    with translation.override(lang):
        notes = [note_text(note) for note in scenario.results["notes"]]
        results = for_reader(scenario.results, unsuppressed=bool(permissions.can_see_claims(user)))
    return {
        "id": scenario.public_id,
        "url": reverse("simulator:detail", args=[scenario.public_id]),
        "author": scenario.author.get_full_name() or scenario.author.username,
        "created_at": scenario.created_at,
        "year": scenario.year,
        "mode": scenario.mode,
        "reform": scenario.reform,
        "results": results,
        "notes": notes,
    }


def _refused(permission: Permission) -> Status[object]:
    raise ApiError(403, permission.reason)


def _reform(body: SimulationIn) -> Reform:
    """The reform asked for; raises ReformError naming the field."""
    if body.example is not None:
        found = shipped_reforms().get(body.example)
        if found is None:
            raise ReformError("example", "unknown_example", name=body.example)
        return found
    return parse_reform(body.reform)


SIMULATION_BODY = {
    "requestBody": {
        "required": True,
        "content": {"application/json": {"schema": SimulationIn.model_json_schema()}},
    }
}


@router.post(
    "",
    auth=AUTH,
    response={201: SimulationOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut},
    summary="Run a reform on the records and save it as a scenario",
    openapi_extra=SIMULATION_BODY,
)
def simulate(request: HttpRequest) -> Status[object]:
    """The same figures as the page and `ajour simulate`. Runs take seconds on the national data. A 400
    names the field: a body key, `reform` or one of its keys (`reform.overrides[0].unit`), `example`, or
    `year` (a year without claims, or a reform date outside the data)."""
    user = api_user(request)
    permission = permissions.can_simulate(user)
    if not permission:
        return _refused(permission)
    try:
        body = SimulationIn.model_validate_json(request.body or b"")
    except ValidationError as invalid:
        first = invalid.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise ApiError(400, str(first["msg"]), field=where) from None
    if (body.reform is None) == (body.example is None):
        either = ReformError("", "reform_or_example")
        raise ApiError(400, either.message(body.lang), field="reform") from None
    with translation.override(body.lang):
        try:
            reform = _reform(body)
            scenario = services.save_scenario(
                author=user, reform=reform, year=body.year, mode=Mode(body.mode)
            )
        except ReformError as error:
            field = error.key if error.key == "example" else f"reform.{error.key}".rstrip(".")
            raise ApiError(400, error.message(body.lang), field=field) from None
        except services.SimulationError as error:
            raise ApiError(400, error.message, field=error.field) from None
    return Status(201, _out(scenario, user, body.lang))


@router.get(
    "/examples",
    auth=AUTH,
    response={200: list[ExampleOut], 401: ErrorOut, 403: ErrorOut},
    summary="The shipped example reforms",
)
def examples(request: HttpRequest) -> Status[object]:
    permission = permissions.can_simulate(api_user(request))
    if not permission:
        return _refused(permission)
    return Status(200, [{"name": name, "reform": r.document()} for name, r in shipped_reforms().items()])


@router.get(
    "/{scenario_id}",
    auth=AUTH,
    response={200: SimulationOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="A saved scenario",
)
def scenario(request: HttpRequest, scenario_id: UUID, lang: Literal["da", "en"] = "da") -> Status[object]:
    user = api_user(request)
    permission = permissions.can_simulate(user)
    if not permission:
        return _refused(permission)
    found = selectors.scenario(public_id=scenario_id)
    if found is None:
        raise ApiError(404, "No scenario with this id.")
    return Status(200, _out(found, user, lang))

"""JSON API endpoints of the claims app (mounted under /api/v1/ by ajour.api).

- ``POST /api/v1/quote``: no login; the same bodies as ``ajour quote``; 400 with the quote.md error object.
- ``GET/POST /api/v1/claims``: a clinic system with an API token (``Authorization: Bearer …``) lists and
  submits claims. Submitting needs an ``Idempotency-Key`` header: a retry returns the first claim (200),
  the same key with another body is refused (409), and so is a second claim for a run already claimed.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Annotated, Literal
from uuid import UUID

from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Field, P, QueryEx, Router, Schema, Status
from pydantic import ValidationError, WithJsonSchema

from ajour.accounts.http import api_user, token_auth
from ajour.accounts.models import Doctor, StaffMember, User
from ajour.claims import permissions, services
from ajour.claims.models import Claim
from ajour.claims.payload import ClaimInputError, ClaimRequest
from ajour.claims.schemas import CLAIM_SCHEMA, DECISION_SCHEMA_DOC
from ajour.core.api_errors import ApiError, invalid_input
from ajour.core.bounds import MONEY_MAX_ORE, TITLE_MAX
from ajour.core.schemas import TEXT_PATTERN, ErrorOut, IsoDate, JsonInt, RowId
from ajour.rules import InvalidClaim, decide_payload

router = Router(tags=["claims"])


Decision = Annotated[dict[str, object], WithJsonSchema(DECISION_SCHEMA_DOC)]
"""An ``ajour.decision/1`` document, passed through as the rules engine wrote it."""

QUOTE_BODY = {
    "requestBody": {"required": True, "content": {"application/json": {"schema": CLAIM_SCHEMA}}},
    "responses": {
        400: {
            "description": (
                "Invalid input (quote.md): not JSON, an unknown field, a wrong type, an impossible date, "
                "a negative amount, a programme day's `to` before its `from`, a date given twice…; "
                "`field` is the JSON path of the first invalid field."
            )
        }
    },
}


@router.post(
    "/quote",
    auth=None,
    response={200: Decision, 400: ErrorOut},
    summary="Decide one claim (ajour.claim/1 → ajour.decision/1) without storing anything",
    openapi_extra=QUOTE_BODY,
)
def quote(request: HttpRequest, lang: Literal["en", "da"] = "en") -> Status[object]:
    try:
        payload = json.loads(request.body or b"")
    except (ValueError, UnicodeDecodeError):
        raise ApiError(400, "The body is not valid JSON.", error="invalid_claim") from None
    try:
        return Status(200, decide_payload(payload, lang=lang))
    except InvalidClaim as error:
        raise ApiError(400, **error.as_json()) from None


class ClaimIn(Schema):
    """A claim from a clinic system: the activity instance and what the claimant enters in the portal."""

    model_config = {"extra": "forbid"}

    instance_id: RowId | None = Field(None, description="The activity instance; omit for study material.")
    attended_days: list[IsoDate] | None = Field(
        None, max_length=366, description="Programme days attended; omit for all."
    )
    course_fee_ore: JsonInt = Field(0, ge=0, le=MONEY_MAX_ORE, examples=[400_000])
    transport_ore: JsonInt = Field(0, ge=0, le=MONEY_MAX_ORE, examples=[50_000])
    material_ore: JsonInt = Field(0, ge=0, le=MONEY_MAX_ORE)
    purchased_on: IsoDate | None = Field(None, description="Study material: the purchase date.")
    description: str = Field(
        "", max_length=TITLE_MAX, pattern=TEXT_PATTERN, description="Study material: what was bought."
    )
    account: Literal["auto", "self_chosen"] = "auto"
    payee: Literal["private_account", "practice_account"] = "private_account"
    staff_member_id: RowId | None = Field(None, description="Staff claims: the staff member of your clinic.")


class ClaimOut(Schema):
    id: UUID
    status: Annotated[str, WithJsonSchema({"type": "string", "enum": Claim.Status.values})]
    outcome: Annotated[str, WithJsonSchema({"type": "string", "enum": ["approved", "reduced", "rejected"]})]
    payable_ore: int
    activity_date: date
    filed_on: date
    rules_version: str
    decision: Decision


def _out(claim: Claim) -> dict[str, object]:
    return {
        "id": claim.public_id,
        "status": claim.status,
        "outcome": claim.outcome,
        "payable_ore": claim.payable_ore,
        "activity_date": claim.activity_date,
        "filed_on": claim.filed_on,
        "rules_version": claim.rules_version,
        "decision": claim.decision,
    }


CLAIM_BODY = {
    "requestBody": {
        "required": True,
        "content": {"application/json": {"schema": ClaimIn.model_json_schema()}},
    }
}


def _request(user: User, claimant: Doctor, body: ClaimIn) -> ClaimRequest:
    instance = None
    if body.instance_id is not None:
        try:
            instance = permissions.instance_for_claimant(claimant, body.instance_id)
        except Http404:
            raise ClaimInputError("instance_id", "No activity instance with this id.") from None
    staff = None
    if body.staff_member_id is not None:
        if user.practice_id is not None:
            staff = StaffMember.objects.filter(
                pk=body.staff_member_id, practice_id=user.practice_id, active=True
            ).first()
        if staff is None or user.role != User.Role.CLINIC:
            raise ClaimInputError("staff_member_id", "No active staff member with this id in your clinic.")
    elif user.role == User.Role.CLINIC:
        raise ClaimInputError(
            "staff_member_id", "Clinic logins claim for a staff member: give staff_member_id."
        )
    return ClaimRequest(
        instance=instance,
        attended=body.attended_days,
        course_fee_ore=body.course_fee_ore,
        transport_ore=body.transport_ore,
        material_ore=body.material_ore,
        purchased_on=body.purchased_on,
        description=body.description,
        account=body.account,
        payee=body.payee,
        staff_member=staff,
    )


@router.post(
    "/claims",
    auth=token_auth,
    response={200: ClaimOut, 201: ClaimOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 409: ErrorOut},
    summary="Submit a claim (decided at once; the draws are booked in the same transaction)",
    openapi_extra={
        **CLAIM_BODY,
        "parameters": [
            {
                "in": "header",
                "name": "Idempotency-Key",
                "required": True,
                "description": "1–100 characters, surrounding spaces not counted.",
                "schema": {"type": "string", "pattern": r"^\s*\S(.{0,98}\S)?\s*$"},
            }
        ],
        "responses": {
            400: {
                "description": (
                    "Invalid input: a missing Idempotency-Key, a body that does not fit the schema, or one "
                    "that names no activity instance or staff member of yours, or that the claim form "
                    "would refuse (dates outside the programme, study material without a purchase date…)."
                )
            },
            409: {
                "description": (
                    "`idempotency_conflict`: the Idempotency-Key was used before with another body. "
                    "`duplicate_claim`: the run has already been claimed by you (or for this staff member) "
                    "under another key; the message names that claim. One live claim per claimant and run: "
                    "only a rejected claim leaves the run free to claim again."
                )
            },
        },
    },
)
def submit(request: HttpRequest) -> Status[object]:
    user = api_user(request)
    permission = permissions.can_claim(user)
    if not permission:
        raise ApiError(403, permission.reason)
    key = request.headers.get("Idempotency-Key", "").strip()
    if not key or len(key) > 100:
        raise ApiError(400, "Send an Idempotency-Key header (1–100 characters).", field="Idempotency-Key")
    try:
        body = ClaimIn.model_validate_json(request.body or b"")
    except ValidationError as error:
        raise invalid_input(error.errors(), error="invalid_claim", located=False) from None
    claimant = permissions.claimant_for(user)
    if claimant is None:  # can_claim has found one above
        raise ApiError(403, permission.reason)
    try:
        submission = services.submit_claim(
            claimant=claimant,
            request=_request(user, claimant, body),
            filed_on=timezone.localdate(),
            by=user,
            idempotency_key=f"api:{user.pk}:{key}",
            body_hash=services.request_hash(request.body),
            lang="en",
        )
    except ClaimInputError as error:
        raise ApiError(400, error.message, field=error.field, error="invalid_claim") from None
    except services.IdempotencyConflict as error:
        raise ApiError(409, str(error), field="Idempotency-Key", error="idempotency_conflict") from None
    except services.DuplicateClaim as duplicate:
        message = (
            f"This run has already been claimed: claim {duplicate.existing.public_id}. A run can be claimed "
            "once; only a rejected claim leaves it free to claim again."
        )
        raise ApiError(409, message, field="instance_id", error="duplicate_claim") from None
    return Status((200 if submission.replayed else 201), _out(submission.claim))


@router.get(
    "/claims",
    auth=token_auth,
    response={200: list[ClaimOut], 401: ErrorOut},
    summary="Your claims, newest first",
)
def list_claims(request: HttpRequest, limit: QueryEx[int, P(ge=1, le=200)] = 50) -> Status[object]:
    user = api_user(request)
    claims = Claim.objects.none()
    if user.role == User.Role.CLINIC and user.practice_id is not None:
        claims = Claim.objects.filter(practice_id=user.practice_id, staff_member__isnull=False)
    elif user.doctor_id is not None:
        claims = Claim.objects.filter(claimant_id=user.doctor_id, staff_member__isnull=True)
    return Status(200, [_out(c) for c in claims.order_by("-created_at", "-pk")[:limit]])


@router.get(
    "/claims/{public_id}",
    auth=token_auth,
    response={200: ClaimOut, 401: ErrorOut, 404: ErrorOut},
    summary="One claim",
)
def get_claim(request: HttpRequest, public_id: UUID) -> Status[object]:
    try:
        claim = permissions.claim_for_user(api_user(request), public_id)
    except Http404:
        raise ApiError(404, "No such claim.") from None
    return Status(200, _out(claim))

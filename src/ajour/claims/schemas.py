"""OpenAPI descriptions of the `ajour.claim/1` and `ajour.decision/1` documents (quote.md).

These pydantic models are for the OpenAPI document only: nothing is validated with them.
`ajour.rules.decide_payload` validates a claim, so that an invalid one is refused with the
error object and message of quote.md. JSON Schema cannot say everything quote.md requires:
a programme day's `to` before its `from`, and a date given twice among `activity.days`, are
refused with a 400 that the schema does not predict.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, RootModel
from pydantic.json_schema import SkipJsonSchema

from ajour.rules.decide import REASON_CODES
from ajour.rules.parameters import UNITS
from ajour.rules.schema import APPROVALS, MAX_WEEKLY_HOURS, PROFESSIONS, ROLES

HH_MM = "^([01][0-9]|2[0-3]):[0-5][0-9]$"
GP_TYPES = ("course", "sge_day", "dge_module", "dge_meeting")
STAFF_TYPES = ("staff_course", "pge_module")

Ore = Annotated[int, Field(ge=0, description="Money in øre (1 DKK = 100 øre).")]
Count = Annotated[int, Field(ge=0)]
Days = Annotated[float, Field(ge=0, multiple_of=0.5)]


def _enum(values: tuple[str, ...] | list[str], description: str = "") -> Any:
    extra: dict[str, Any] = {"enum": list(values)}
    return Field(json_schema_extra=extra, description=description or None)


class _Document(BaseModel):
    model_config = ConfigDict(extra="forbid")


# --- ajour.claim/1 ----------------------------------------------------------------------------


class ClaimantDoc(_Document):
    role: str = _enum(ROLES)
    has_account: bool
    annual_allocation_ore: Ore | None = Field(
        None, description="This year's self-chosen allocation; null = the role's table value."
    )


class BalancesDoc(_Document):
    self_chosen_ore: Ore
    systematic_days: Days
    staff_ore: Ore | None = 0
    material_used_ore: Ore | None = 0


class ProgrammeDayDoc(_Document):
    date: date
    from_: str = Field(alias="from", pattern=HH_MM, description="Teaching starts (local time).")
    to: str = Field(pattern=HH_MM, description="Teaching ends; not before `from` (equal = 0 minutes).")
    break_minutes: Count | None = 0
    attended: bool | None = True


class _ActivityDoc(_Document):
    id: str
    approval: str = _enum(APPROVALS)
    laegedage: bool | None = False
    practice_purchase: bool | None = False


class ProgrammeActivityDoc(_ActivityDoc):
    """A GP's course, SGE day or DGE module or meeting: at least one programme day, no date twice."""

    type: str = _enum(GP_TYPES)
    purchased_on: None = None
    days: list[ProgrammeDayDoc] = Field(min_length=1)


class StaffActivityDoc(ProgrammeActivityDoc):
    """A staff course or PGE module (needs `staff`)."""

    type: str = _enum(STAFF_TYPES)


class StudyMaterialDoc(_ActivityDoc):
    """Study material: the purchase date instead of programme days."""

    type: Literal["study_material"]
    purchased_on: date
    days: Annotated[list[ProgrammeDayDoc], Field(max_length=0)] | None = None


class ExpensesDoc(_Document):
    course_fee_ore: Ore | None = 0
    transport_ore: Ore | None = 0
    material_ore: Ore | None = 0


class StaffDoc(_Document):
    profession: str = _enum(PROFESSIONS)
    weekly_hours: float = Field(ge=0, le=MAX_WEEKLY_HOURS)


class _ClaimDoc(_Document):
    schema_: Literal["ajour.claim/1"] = Field(alias="schema")
    filed_on: date
    claimant: ClaimantDoc
    balances: BalancesDoc
    account: Literal["auto", "self_chosen"] | None = Field(
        "auto", description="`auto` draws systematic days first where allowed."
    )
    expenses: ExpensesDoc | None = None


class GpClaimDoc(_ClaimDoc):
    activity: ProgrammeActivityDoc | StudyMaterialDoc
    staff: None = None


class StaffClaimDoc(_ClaimDoc):
    activity: StaffActivityDoc
    staff: StaffDoc


class ClaimDoc(RootModel[GpClaimDoc | StaffClaimDoc]):
    """An `ajour.claim/1` document (quote.md): a GP's own claim, or a staff claim with `staff`.

    Optional fields may be given as null, which means their default. A programme day's `to` must
    not be before its `from`, and no date may appear twice in `activity.days` (a 400 otherwise)."""


# --- ajour.decision/1 -------------------------------------------------------------------------


def _omit_default(schema: dict[str, Any]) -> None:
    schema.pop("default", None)


class LineDoc(_Document):
    item: str = _enum(("fee", "course_fee", "transport", "material", "lost_earnings"))
    approved_ore: Ore
    requested_ore: Ore | None = Field(description="null on fee and lost-earnings lines")
    cap_ore: Ore | SkipJsonSchema[None] = Field(
        None, description="Present on capped items only.", json_schema_extra=_omit_default
    )
    account: str = _enum(("self_chosen", "systematic", "staff"))
    rule: str
    detail: str


class DrawsDoc(_Document):
    self_chosen_ore: Ore
    systematic_days: Days
    staff_ore: Ore


class DecidedDayDoc(_Document):
    date: date
    effective_minutes: Count
    class_: str = Field(alias="class", json_schema_extra={"enum": ["full", "half", "meeting", "none"]})
    fee_day: bool


class ReasonDoc(_Document):
    code: str = _enum(REASON_CODES)
    rule: str
    message: str


_VALUES = "|".join(unit for unit in UNITS if unit != "date")


class ParameterUsedDoc(_Document):
    """One dated parameter: `value_<unit>` (`value_ore`, `value_minutes`, `value_days`,
    `value_basis_points` or `value_date`), its `valid_from` and its source."""

    model_config = ConfigDict(
        json_schema_extra={
            "patternProperties": {
                f"^value_({_VALUES})$": {"type": "integer"},
                "^value_date$": {"type": "string", "format": "date"},
            },
            "minProperties": 3,
            "maxProperties": 3,
        }
    )

    valid_from: date
    source: str


class DecisionDoc(_Document):
    """An `ajour.decision/1` document (quote.md)."""

    schema_: Literal["ajour.decision/1"] = Field(alias="schema")
    outcome: str = _enum(("approved", "reduced", "rejected"))
    payable_ore: Ore
    lines: list[LineDoc]
    draws: DrawsDoc
    payee: str = _enum(("practice", "claimant_choice"))
    days: list[DecidedDayDoc]
    reasons: list[ReasonDoc]
    rules_version: str
    parameters_used: dict[str, ParameterUsedDoc]


def inline_schema(model: type[BaseModel]) -> dict[str, Any]:
    """The model's JSON Schema with every `$ref` replaced by its definition (the schema is embedded in
    an operation of the OpenAPI document, where a local `#/$defs/…` would not resolve)."""
    schema = model.model_json_schema(by_alias=True, mode="validation")
    definitions = schema.pop("$defs", {})

    def resolve(node: object) -> object:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/$defs/"):
                return resolve({**definitions[ref.removeprefix("#/$defs/")], **_without(node, "$ref")})
            return {key: resolve(value) for key, value in node.items()}
        if isinstance(node, list):
            return [resolve(item) for item in node]
        return node

    resolved = resolve(schema)
    assert isinstance(resolved, dict)
    return resolved


def _without(node: dict[str, Any], key: str) -> dict[str, Any]:
    return {k: v for k, v in node.items() if k != key}


CLAIM_SCHEMA = inline_schema(ClaimDoc)
DECISION_SCHEMA_DOC = inline_schema(DecisionDoc)

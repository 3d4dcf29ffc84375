"""Parse and validate an ``ajour.claim/1`` document into frozen dataclasses.

Validation follows quote.md: unknown fields, wrong types, impossible dates, negative amounts,
``to`` before ``from`` and the cross-field rules are invalid input. The first invalid field in
document order is named: the keys of each object are checked in the order the document gives
them (each value completely, nested objects included, before the next key); a required field
that is missing is named after the fields that are present in the same object, in schema order.
Paths are dotted with indexes (``activity.days[1].to``); the document root is ``""``.

Systematic days are integer half-days inside the engine (``2.5`` days → ``5``).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

SCHEMA = "ajour.claim/1"

ROLES = ("gp_owner", "gp_employed", "trainee_phase2", "trainee_phase3", "locum")
ACTIVITY_TYPES = (
    "course",
    "sge_day",
    "dge_module",
    "dge_meeting",
    "study_material",
    "staff_course",
    "pge_module",
)
STAFF_TYPES = frozenset({"staff_course", "pge_module"})
STUDY_MATERIAL = "study_material"
APPROVALS = ("self_chosen", "systematic", "both", "none")
ACCOUNT_CHOICES = ("auto", "self_chosen")
PROFESSIONS = (
    "nurse",
    "medical_secretary",
    "laboratory_technician",
    "physiotherapist",
    "midwife",
    "health_care_assistant",
    "other_health_professional",
    "medical_student",
    "trainee_doctor",
    "other",
)
MAX_WEEKLY_HOURS = 80

_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
EARLIEST_DATE = date(2000, 1, 1)
LATEST_DATE = date(2099, 12, 31)
"""Dates outside this window are invalid input, not a decision: no claim of the scheme lies there, and
the engine's date arithmetic (a filing deadline in the following year) stays inside the calendar."""
_TIME = re.compile(r"([0-9]{2}):([0-9]{2})")


class InvalidClaim(ValueError):
    """The claim is not a valid ``ajour.claim/1`` document; ``field`` is the JSON path."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field or '(document)'}: {message}")
        self.field = field
        self.message = message

    def as_json(self) -> dict[str, str]:
        return {"error": "invalid_claim", "field": self.field, "message": self.message}


@dataclass(frozen=True, slots=True)
class Claimant:
    role: str
    has_account: bool
    annual_allocation_ore: int | None


@dataclass(frozen=True, slots=True)
class Balances:
    self_chosen_ore: int
    systematic_half_days: int
    staff_ore: int
    material_used_ore: int


@dataclass(frozen=True, slots=True)
class Day:
    date: date
    start_minute: int
    end_minute: int
    break_minutes: int
    attended: bool


@dataclass(frozen=True, slots=True)
class Activity:
    id: str
    type: str
    approval: str
    laegedage: bool
    practice_purchase: bool
    purchased_on: date | None
    days: tuple[Day, ...]
    """As given in the claim."""
    attended_days: tuple[Day, ...]
    """The attended days in date order: the only days the rules look at."""


@dataclass(frozen=True, slots=True)
class Expenses:
    course_fee_ore: int
    transport_ore: int
    material_ore: int


@dataclass(frozen=True, slots=True)
class Staff:
    profession: str
    weekly_hours: float


@dataclass(frozen=True, slots=True)
class Claim:
    filed_on: date
    claimant: Claimant
    balances: Balances
    activity: Activity
    account: str
    expenses: Expenses
    staff: Staff | None


# --- value parsers: (value, path) -> parsed value, raising InvalidClaim -------------------------


def _path(parent: str, key: str) -> str:
    return f"{parent}.{key}" if parent else key


def _parse_date(value: object, path: str) -> date:
    if not isinstance(value, str) or not _DATE.fullmatch(value):
        raise InvalidClaim(path, "must be a date written YYYY-MM-DD")
    try:
        parsed = date.fromisoformat(value)
    except ValueError:
        raise InvalidClaim(path, f"{value} is not a real date") from None
    if not EARLIEST_DATE <= parsed <= LATEST_DATE:
        raise InvalidClaim(path, f"must lie between {EARLIEST_DATE} and {LATEST_DATE}")
    return parsed


def _parse_time(value: object, path: str) -> int:
    """A ``HH:MM`` time as minutes after midnight."""
    match = _TIME.fullmatch(value) if isinstance(value, str) else None
    if match is None:
        raise InvalidClaim(path, "must be a time written HH:MM")
    hours, minutes = int(match[1]), int(match[2])
    if hours > 23 or minutes > 59:
        raise InvalidClaim(path, f"{value} is not a time between 00:00 and 23:59")
    return hours * 60 + minutes


def _valid_time(value: object) -> int | None:
    """``value`` as minutes after midnight if it is a valid time, else None (it is named on its own)."""
    try:
        return _parse_time(value, "")
    except InvalidClaim:
        return None


def _parse_bool(value: object, path: str) -> bool:
    if not isinstance(value, bool):
        raise InvalidClaim(path, "must be true or false")
    return value


def _parse_count(value: object, path: str) -> int:
    """A whole number ≥ 0: an amount in øre or a number of minutes."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidClaim(path, "must be a whole number")
    if value < 0:
        raise InvalidClaim(path, "must not be negative")
    return value


def _parse_number(value: object, path: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidClaim(path, "must be a number")
    if isinstance(value, float) and not math.isfinite(value):
        raise InvalidClaim(path, "must be a finite number")
    return value


def _parse_half_days(value: object, path: str) -> int:
    days = _parse_number(value, path)
    if days < 0:
        raise InvalidClaim(path, "must not be negative")
    doubled = days * 2
    if isinstance(doubled, float) and not doubled.is_integer():
        raise InvalidClaim(path, "must be a multiple of 0.5 days")
    return int(doubled)


def _parse_weekly_hours(value: object, path: str) -> float:
    hours = _parse_number(value, path)
    if not 0 <= hours <= MAX_WEEKLY_HOURS:
        raise InvalidClaim(path, f"must be a number from 0 to {MAX_WEEKLY_HOURS}")
    return hours


def _parse_string(value: object, path: str) -> str:
    if not isinstance(value, str):
        raise InvalidClaim(path, "must be a string")
    return value


def _choice(options: tuple[str, ...]) -> Callable[[object, str], str]:
    def parse(value: object, path: str) -> str:
        if value not in options:
            raise InvalidClaim(path, "must be one of: " + ", ".join(options))
        return value

    return parse


def _parse_schema(value: object, path: str) -> str:
    if value != SCHEMA:
        raise InvalidClaim(path, f'must be "{SCHEMA}"')
    return SCHEMA


# --- objects ----------------------------------------------------------------------------------

Parser = Callable[[object, str], object]
REQUIRED = object()
"""Marks a field without a default."""


@dataclass(frozen=True, slots=True)
class _Field:
    parse: Parser
    default: object = REQUIRED


def _walk(value: object, path: str, fields: Mapping[str, _Field]) -> dict[str, Any]:
    """Check one JSON object against its fields, in document order; fill in defaults."""
    if not isinstance(value, dict):
        raise InvalidClaim(path, "must be an object")
    parsed: dict[str, Any] = {}
    for key, item in value.items():
        field = fields.get(key)
        if field is None:
            raise InvalidClaim(_path(path, key), f"unknown field {key!r}")
        if item is None and field.default is not REQUIRED:
            parsed[key] = field.default
        else:
            parsed[key] = field.parse(item, _path(path, key))
    for key, field in fields.items() if len(parsed) < len(fields) else ():
        if key not in parsed:
            if field.default is REQUIRED:
                raise InvalidClaim(_path(path, key), "is required")
            parsed[key] = field.default
    return parsed


_CLAIMANT = {
    "role": _Field(_choice(ROLES)),
    "has_account": _Field(_parse_bool),
    "annual_allocation_ore": _Field(_parse_count, None),
}
_BALANCES = {
    "self_chosen_ore": _Field(_parse_count),
    "systematic_days": _Field(_parse_half_days),
    "staff_ore": _Field(_parse_count, 0),
    "material_used_ore": _Field(_parse_count, 0),
}
_EXPENSES = {
    "course_fee_ore": _Field(_parse_count, 0),
    "transport_ore": _Field(_parse_count, 0),
    "material_ore": _Field(_parse_count, 0),
}
_STAFF = {
    "profession": _Field(_choice(PROFESSIONS)),
    "weekly_hours": _Field(_parse_weekly_hours),
}


def _parse_day(value: object, path: str, seen: set[date]) -> Day:
    """One programme day. The cross-field rules are checked at the place of the field they name, so
    that the first invalid field in document order is reported: a date given twice (``seen`` holds
    the earlier days' dates) is named at ``date``, and ``to`` before a valid ``from`` at ``to``,
    wherever ``from`` stands in the object."""

    def parse_date(item: object, date_path: str) -> date:
        day = _parse_date(item, date_path)
        if day in seen:
            raise InvalidClaim(date_path, f"{day} is given twice")
        return day

    def parse_to(item: object, to_path: str) -> int:
        end = _parse_time(item, to_path)
        start = _valid_time(value.get("from") if isinstance(value, dict) else None)
        if start is not None and end < start:
            raise InvalidClaim(to_path, "must not be before from")
        return end

    fields = _walk(
        value,
        path,
        {
            "date": _Field(parse_date),
            "from": _Field(_parse_time),
            "to": _Field(parse_to),
            "break_minutes": _Field(_parse_count, 0),
            "attended": _Field(_parse_bool, True),
        },
    )
    return Day(
        date=fields["date"],
        start_minute=fields["from"],
        end_minute=fields["to"],
        break_minutes=fields["break_minutes"],
        attended=fields["attended"],
    )


def _parse_activity(value: object, path: str) -> Activity:
    activity_type = _peek(value, "type")
    is_material = activity_type == STUDY_MATERIAL

    def parse_days(days: object, days_path: str) -> tuple[Day, ...]:
        if not isinstance(days, list):
            raise InvalidClaim(days_path, "must be a list")
        if is_material and days:
            raise InvalidClaim(days_path, "must be empty for study material")
        if activity_type is not None and not is_material and not days:
            raise InvalidClaim(days_path, "needs at least one day")
        parsed: list[Day] = []
        seen: set[date] = set()
        for index, item in enumerate(days):
            day = _parse_day(item, f"{days_path}[{index}]", seen)
            seen.add(day.date)
            parsed.append(day)
        return tuple(parsed)

    def parse_purchased_on(purchased: object, purchased_path: str) -> date:
        if activity_type is not None and not is_material:
            raise InvalidClaim(purchased_path, "is allowed only for study material")
        return _parse_date(purchased, purchased_path)

    fields = _walk(
        value,
        path,
        {
            "id": _Field(_parse_string),
            "type": _Field(_choice(ACTIVITY_TYPES)),
            "approval": _Field(_choice(APPROVALS)),
            "laegedage": _Field(_parse_bool, False),
            "practice_purchase": _Field(_parse_bool, False),
            "purchased_on": _Field(parse_purchased_on, None),
            "days": _Field(parse_days, () if is_material else REQUIRED),
        },
    )
    purchased_on: date | None = fields["purchased_on"]
    if is_material and purchased_on is None:
        raise InvalidClaim(_path(path, "purchased_on"), "is required for study material")
    days: tuple[Day, ...] = fields["days"]
    return Activity(
        id=fields["id"],
        type=fields["type"],
        approval=fields["approval"],
        laegedage=fields["laegedage"],
        practice_purchase=fields["practice_purchase"],
        purchased_on=purchased_on,
        days=days,
        attended_days=tuple(sorted((day for day in days if day.attended), key=lambda day: day.date)),
    )


def _peek(value: object, key: str) -> str | None:
    """A valid activity type found ahead of document order, for the cross-field rules."""
    found = value.get(key) if isinstance(value, dict) else None
    return found if found in ACTIVITY_TYPES else None


def parse_claim(payload: object) -> Claim:
    """Validate ``payload`` (decoded JSON) and return the claim, or raise :class:`InvalidClaim`."""
    activity_type = _peek(payload.get("activity") if isinstance(payload, dict) else None, "type")
    needs_staff = activity_type in STAFF_TYPES

    def parse_staff(value: object, path: str) -> Staff:
        if activity_type is not None and not needs_staff:
            raise InvalidClaim(path, "is allowed only for staff_course and pge_module")
        fields = _walk(value, path, _STAFF)
        return Staff(profession=fields["profession"], weekly_hours=fields["weekly_hours"])

    fields = _walk(
        payload,
        "",
        {
            "schema": _Field(_parse_schema),
            "filed_on": _Field(_parse_date),
            "claimant": _Field(lambda value, path: _walk(value, path, _CLAIMANT)),
            "balances": _Field(lambda value, path: _walk(value, path, _BALANCES)),
            "activity": _Field(_parse_activity),
            "account": _Field(_choice(ACCOUNT_CHOICES), "auto"),
            "expenses": _Field(lambda value, path: _walk(value, path, _EXPENSES), None),
            "staff": _Field(parse_staff, None),
        },
    )
    staff: Staff | None = fields["staff"]
    if needs_staff and staff is None:
        raise InvalidClaim("staff", "is required for staff_course and pge_module")
    claimant, balances = fields["claimant"], fields["balances"]
    expenses = fields["expenses"] or {}
    return Claim(
        filed_on=fields["filed_on"],
        claimant=Claimant(
            role=claimant["role"],
            has_account=claimant["has_account"],
            annual_allocation_ore=claimant["annual_allocation_ore"],
        ),
        balances=Balances(
            self_chosen_ore=balances["self_chosen_ore"],
            systematic_half_days=balances["systematic_days"],
            staff_ore=balances["staff_ore"],
            material_used_ore=balances["material_used_ore"],
        ),
        activity=fields["activity"],
        account=fields["account"],
        expenses=Expenses(
            course_fee_ore=expenses.get("course_fee_ore", 0),
            transport_ore=expenses.get("transport_ore", 0),
            material_ore=expenses.get("material_ore", 0),
        ),
        staff=staff,
    )

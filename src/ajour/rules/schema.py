"""Parse and validate an ``ajour.claim/1`` document into immutable named tuples.

Validation follows quote.md: unknown fields, wrong types, impossible dates, negative amounts,
``to`` before ``from`` and the cross-field rules are invalid input. The first invalid field in
document order is named: the keys of each object are checked in the order the document gives
them (each value completely, nested objects included, before the next key); a required field
that is missing is named after the fields that are present in the same object, in schema order.
Paths are dotted with indexes (``activity.days[1].to``); the document root is ``""``.

Systematic days are integer half-days inside the engine (``2.5`` days → ``5``).

Every API call, claim form and ``ajour quote`` goes through here, so the walk is written for speed:
one function per object, its keys in document order through an ``if`` chain, valid dates and
times looked up in tables (a date string is parsed and range-checked once per process), and paths
put together only when something is invalid.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from datetime import date
from operator import attrgetter
from typing import NamedTuple, NoReturn

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


class Claimant(NamedTuple):
    role: str
    has_account: bool
    annual_allocation_ore: int | None


class Balances(NamedTuple):
    self_chosen_ore: int
    systematic_half_days: int
    staff_ore: int
    material_used_ore: int


class Day(NamedTuple):
    date: date
    start_minute: int
    end_minute: int
    break_minutes: int
    attended: bool


class Activity(NamedTuple):
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


class Expenses(NamedTuple):
    course_fee_ore: int
    transport_ore: int
    material_ore: int


class Staff(NamedTuple):
    profession: str
    weekly_hours: float


class Claim(NamedTuple):
    filed_on: date
    claimant: Claimant
    balances: Balances
    activity: Activity
    account: str
    expenses: Expenses
    staff: Staff | None


NO_EXPENSES = Expenses(0, 0, 0)


# --- values: each returns the parsed value or raises _Invalid (the caller knows the path) -------


class _Invalid(Exception):
    """A value is invalid; the object walk that holds it names the path."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _path(parent: str, key: object) -> str:
    return f"{parent}.{key}" if parent else str(key)


_DATES: dict[str, date] = {}
"""Valid date strings seen so far (at most one per day of the date window)."""


def _date(value: object) -> date:
    parsed = _DATES.get(value) if type(value) is str else None
    return parsed if parsed is not None else _new_date(value)


def _new_date(value: object) -> date:
    if not isinstance(value, str) or not _DATE.fullmatch(value):
        raise _Invalid("must be a date written YYYY-MM-DD")
    try:
        parsed = date.fromisoformat(value)
    except ValueError:
        raise _Invalid(f"{value} is not a real date") from None
    if not EARLIEST_DATE <= parsed <= LATEST_DATE:
        raise _Invalid(f"must lie between {EARLIEST_DATE} and {LATEST_DATE}")
    _DATES[value] = parsed
    return parsed


_TIMES = {f"{hours:02d}:{minutes:02d}": hours * 60 + minutes for hours in range(24) for minutes in range(60)}
"""Every valid time of day, as minutes after midnight."""


def _time(value: object) -> int:
    """A ``HH:MM`` time as minutes after midnight."""
    minutes = _valid_time(value)
    if minutes is not None:
        return minutes
    if not isinstance(value, str) or not _TIME.fullmatch(value):
        raise _Invalid("must be a time written HH:MM")
    raise _Invalid(f"{value} is not a time between 00:00 and 23:59")


def _valid_time(value: object) -> int | None:
    """``value`` as minutes after midnight if it is a valid time, else None (it is named on its own)."""
    return _TIMES.get(value) if isinstance(value, str) else None


def _not_bool(_value: object) -> NoReturn:
    """The error for a value that is not ``true`` or ``false`` (callers accept those themselves)."""
    raise _Invalid("must be true or false")


def _count(value: object) -> int:
    """A whole number ≥ 0: an amount in øre or a number of minutes (callers accept a plain ``int`` ≥ 0
    themselves; this also takes ``int`` subclasses, and names what is wrong)."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise _Invalid("must be a whole number")
    if value < 0:
        raise _Invalid("must not be negative")
    return value


def _number(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _Invalid("must be a number")
    if isinstance(value, float) and not math.isfinite(value):
        raise _Invalid("must be a finite number")
    return value


def _half_days(value: object) -> int:
    if type(value) is int and value >= 0:
        return value * 2
    days = _number(value)
    if days < 0:
        raise _Invalid("must not be negative")
    doubled = days * 2
    if isinstance(doubled, float) and not doubled.is_integer():
        raise _Invalid("must be a multiple of 0.5 days")
    return int(doubled)


def _weekly_hours(value: object) -> float:
    hours = _number(value)
    if not 0 <= hours <= MAX_WEEKLY_HOURS:
        raise _Invalid(f"must be a number from 0 to {MAX_WEEKLY_HOURS}")
    return hours


def _choice(options: tuple[str, ...]) -> Callable[[object], str]:
    """A check for one of a fixed list of strings."""
    allowed = frozenset(options)
    message = "must be one of: " + ", ".join(options)

    def check(value: object) -> str:
        if isinstance(value, str) and value in allowed:
            return value
        raise _Invalid(message)

    return check


_ROLE = _choice(ROLES)
_TYPE = _choice(ACTIVITY_TYPES)
_APPROVAL = _choice(APPROVALS)
_ACCOUNT = _choice(ACCOUNT_CHOICES)
_PROFESSION = _choice(PROFESSIONS)
_MISSING: object = object()
"""A required field not (yet) seen."""


def _unknown(key: object) -> _Invalid:
    return _Invalid(f"unknown field {key!r}")


def _object(value: object, path: str) -> dict[object, object]:
    if not isinstance(value, dict):
        raise InvalidClaim(path, "must be an object")
    return value


def _required(path: str, fields: tuple[tuple[str, object], ...]) -> NoReturn:
    """Names the first missing field in schema order."""
    missing = next(key for key, found in fields if found is _MISSING)
    raise InvalidClaim(_path(path, missing), "is required")


# --- objects: the keys in document order, each value completely before the next ----------------
# A None value of an optional field takes its default; of a required field it is checked (and fails).


def _claimant(value: object, path: str) -> Claimant:
    role: object = _MISSING
    has_account: object = _MISSING
    allocation = None
    key: object = None
    try:
        for key, item in _object(value, path).items():
            if key == "role":
                role = _ROLE(item)
            elif key == "has_account":
                has_account = item if item is True or item is False else _not_bool(item)
            elif key == "annual_allocation_ore":
                allocation = item if item is None or type(item) is int and item >= 0 else _count(item)
            else:
                raise _unknown(key)
    except _Invalid as invalid:
        raise InvalidClaim(_path(path, key), invalid.message) from None
    if role is _MISSING or has_account is _MISSING:
        _required(path, (("role", role), ("has_account", has_account)))
    return Claimant(role, has_account, allocation)  # type: ignore[arg-type]


def _balances(value: object, path: str) -> Balances:
    self_chosen: object = _MISSING
    systematic: object = _MISSING
    staff = material_used = 0
    key: object = None
    try:
        for key, item in _object(value, path).items():
            if key == "self_chosen_ore":
                self_chosen = item if type(item) is int and item >= 0 else _count(item)
            elif key == "systematic_days":
                systematic = _half_days(item)
            elif key == "staff_ore":
                staff = item if type(item) is int and item >= 0 else 0 if item is None else _count(item)
            elif key == "material_used_ore":
                material_used = (
                    item if type(item) is int and item >= 0 else 0 if item is None else _count(item)
                )
            else:
                raise _unknown(key)
    except _Invalid as invalid:
        raise InvalidClaim(_path(path, key), invalid.message) from None
    if self_chosen is _MISSING or systematic is _MISSING:
        _required(path, (("self_chosen_ore", self_chosen), ("systematic_days", systematic)))
    return Balances(self_chosen, systematic, staff, material_used)  # type: ignore[arg-type]


def _expenses(value: object, path: str) -> Expenses:
    course_fee = transport = material = 0
    key: object = None
    try:
        for key, item in _object(value, path).items():
            if key == "course_fee_ore":
                course_fee = item if type(item) is int and item >= 0 else 0 if item is None else _count(item)
            elif key == "transport_ore":
                transport = item if type(item) is int and item >= 0 else 0 if item is None else _count(item)
            elif key == "material_ore":
                material = item if type(item) is int and item >= 0 else 0 if item is None else _count(item)
            else:
                raise _unknown(key)
    except _Invalid as invalid:
        raise InvalidClaim(_path(path, key), invalid.message) from None
    return Expenses(course_fee, transport, material)


def _staff(value: object, path: str) -> Staff:
    profession: object = _MISSING
    weekly_hours: object = _MISSING
    key: object = None
    try:
        for key, item in _object(value, path).items():
            if key == "profession":
                profession = _PROFESSION(item)
            elif key == "weekly_hours":
                weekly_hours = _weekly_hours(item)
            else:
                raise _unknown(key)
    except _Invalid as invalid:
        raise InvalidClaim(_path(path, key), invalid.message) from None
    if profession is _MISSING or weekly_hours is _MISSING:
        _required(path, (("profession", profession), ("weekly_hours", weekly_hours)))
    return Staff(profession, weekly_hours)  # type: ignore[arg-type]


def _day(value: object, path: str, index: int, seen: set[date]) -> Day:
    """One programme day. The cross-field rules are checked at the place of the field they name, so
    that the first invalid field in document order is reported: a date given twice (``seen`` holds
    the earlier days' dates) is named at ``date``, and ``to`` before a valid ``from`` at ``to``,
    wherever ``from`` stands in the object."""
    if not isinstance(value, dict):
        raise InvalidClaim(f"{path}[{index}]", "must be an object")
    day: object = _MISSING
    start: object = _MISSING
    end: object = _MISSING
    break_minutes = 0
    attended = True
    key: object = None
    try:
        for key, item in value.items():
            if key == "date":
                day = (_DATES.get(item) if type(item) is str else None) or _new_date(item)
                if day in seen:
                    raise _Invalid(f"{day} is given twice")
            elif key == "from":
                start = (_TIMES.get(item) if type(item) is str else None) or _time(item)
            elif key == "to":
                end = _TIMES.get(item) if type(item) is str else None
                if end is None:
                    end = _time(item)
                opens = _valid_time(value.get("from"))
                if opens is not None and end < opens:
                    raise _Invalid("must not be before from")
            elif key == "break_minutes":
                break_minutes = (
                    item if type(item) is int and item >= 0 else 0 if item is None else _count(item)
                )
            elif key == "attended":
                attended = (
                    item if item is True or item is False else True if item is None else _not_bool(item)
                )
            else:
                raise _unknown(key)
    except _Invalid as invalid:
        raise InvalidClaim(_path(f"{path}[{index}]", key), invalid.message) from None
    if day is _MISSING or start is _MISSING or end is _MISSING:
        _required(f"{path}[{index}]", (("date", day), ("from", start), ("to", end)))
    return Day(day, start, end, break_minutes, attended)  # type: ignore[arg-type]


def _days(value: object, path: str, activity_type: str | None) -> tuple[Day, ...]:
    if not isinstance(value, list):
        raise _Invalid("must be a list")
    if activity_type == STUDY_MATERIAL and value:
        raise _Invalid("must be empty for study material")
    if activity_type is not None and activity_type != STUDY_MATERIAL and not value:
        raise _Invalid("needs at least one day")
    parsed = []
    seen: set[date] = set()
    for index, item in enumerate(value):
        day = _day(item, path, index, seen)
        seen.add(day.date)
        parsed.append(day)
    return tuple(parsed)


_BY_DATE = attrgetter("date")


def _activity(value: object, path: str, activity_type: str | None) -> Activity:
    """``activity_type`` is the valid type found ahead of document order, for the cross-field rules."""
    is_material = activity_type == STUDY_MATERIAL
    ident: object = _MISSING
    kind: object = _MISSING
    approval: object = _MISSING
    laegedage = practice_purchase = False
    purchased_on = None
    days: object = () if is_material else _MISSING
    key: object = None
    try:
        for key, item in _object(value, path).items():
            if key == "id":
                if not isinstance(item, str):
                    raise _Invalid("must be a string")
                ident = item
            elif key == "type":
                kind = _TYPE(item)
            elif key == "approval":
                approval = _APPROVAL(item)
            elif key == "laegedage":
                laegedage = (
                    item if item is True or item is False else False if item is None else _not_bool(item)
                )
            elif key == "practice_purchase":
                practice_purchase = (
                    item if item is True or item is False else False if item is None else _not_bool(item)
                )
            elif key == "purchased_on":
                if item is not None:
                    if activity_type is not None and not is_material:
                        raise _Invalid("is allowed only for study material")
                    purchased_on = _date(item)
            elif key == "days":
                if item is not None or not is_material:
                    days = _days(item, _path(path, key), activity_type)
            else:
                raise _unknown(key)
    except _Invalid as invalid:
        raise InvalidClaim(_path(path, key), invalid.message) from None
    if ident is _MISSING or kind is _MISSING or approval is _MISSING or days is _MISSING:
        _required(path, (("id", ident), ("type", kind), ("approval", approval), ("days", days)))
    if is_material and purchased_on is None:
        raise InvalidClaim(_path(path, "purchased_on"), "is required for study material")
    given: tuple[Day, ...] = days  # type: ignore[assignment]
    attended = [day for day in given if day.attended]
    if len(attended) > 1:
        attended.sort(key=_BY_DATE)
    return Activity(
        ident,  # type: ignore[arg-type]
        kind,  # type: ignore[arg-type]
        approval,  # type: ignore[arg-type]
        laegedage,
        practice_purchase,
        purchased_on,
        given,
        tuple(attended),
    )


def _peek(value: object) -> str | None:
    """A valid activity type found ahead of document order, for the cross-field rules."""
    found = value.get("type") if isinstance(value, dict) else None
    return found if isinstance(found, str) and found in ACTIVITY_TYPES else None


def parse_claim(payload: object) -> Claim:
    """Validate ``payload`` (decoded JSON) and return the claim, or raise :class:`InvalidClaim`."""
    document = _object(payload, "")
    activity_type = _peek(document.get("activity"))
    needs_staff = activity_type in STAFF_TYPES
    schema: object = _MISSING
    filed_on: object = _MISSING
    claimant: object = _MISSING
    balances: object = _MISSING
    activity: object = _MISSING
    account = "auto"
    expenses = NO_EXPENSES
    staff = None
    key: object = None
    try:
        for key, item in document.items():
            if key == "schema":
                if item != SCHEMA:
                    raise _Invalid(f'must be "{SCHEMA}"')
                schema = SCHEMA
            elif key == "filed_on":
                filed_on = (_DATES.get(item) if type(item) is str else None) or _new_date(item)
            elif key == "claimant":
                claimant = _claimant(item, "claimant")
            elif key == "balances":
                balances = _balances(item, "balances")
            elif key == "activity":
                activity = _activity(item, "activity", activity_type)
            elif key == "account":
                account = "auto" if item is None else _ACCOUNT(item)
            elif key == "expenses":
                expenses = NO_EXPENSES if item is None else _expenses(item, "expenses")
            elif key == "staff":
                if item is not None:
                    if activity_type is not None and not needs_staff:
                        raise InvalidClaim("staff", "is allowed only for staff_course and pge_module")
                    staff = _staff(item, "staff")
            else:
                raise _unknown(key)
    except _Invalid as invalid:
        raise InvalidClaim(_path("", key), invalid.message) from None
    if _MISSING in (schema, filed_on, claimant, balances, activity):
        _required(
            "",
            (
                ("schema", schema),
                ("filed_on", filed_on),
                ("claimant", claimant),
                ("balances", balances),
                ("activity", activity),
            ),
        )
    if needs_staff and staff is None:
        raise InvalidClaim("staff", "is required for staff_course and pge_module")
    return Claim(filed_on, claimant, balances, activity, account, expenses, staff)  # type: ignore[arg-type]

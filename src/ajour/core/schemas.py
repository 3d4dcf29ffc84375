"""Schemas shared by every JSON API router: django-ninja's own error bodies and exact date and time types.

Each component name must be unique across the whole API (django-ninja names a component after its
class, and a second class of the same name silently replaces the first in the OpenAPI document).
"""

from __future__ import annotations

import re
from datetime import date, datetime, time
from typing import Annotated, Any

from ninja import Schema
from pydantic import BeforeValidator, PlainSerializer, WithJsonSchema
from pydantic_core import PydanticCustomError

_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_CLOCK = re.compile(r"([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?")
CLOCK_PATTERN = f"^{_CLOCK.pattern}$"
CLOCK_OUT_PATTERN = "^([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]$"


class DetailOut(Schema):
    """An error with a message only: django-ninja's own (`Unauthorized`, `Cannot parse request body`,
    `CSRF check Failed`) and the statistics API's."""

    detail: str


class ValidationErrorItem(Schema):
    type: str
    loc: list[str | int]
    msg: str
    ctx: dict[str, Any] | None = None


class ValidationErrorOut(Schema):
    """A path, query or body value of the wrong type or shape (django-ninja's own validation)."""

    detail: list[ValidationErrorItem]


def _iso_date(value: object) -> object:
    """Only `YYYY-MM-DD` (pydantic alone also reads timestamps such as `1.5e-300` and datetimes)."""
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str) and _ISO_DATE.fullmatch(value):
        return value
    raise PydanticCustomError("date_format", "Input should be a date written YYYY-MM-DD")


def _clock_time(value: object) -> object:
    """Only `HH:MM` or `HH:MM:SS` local time (no seconds as numbers, fractions or UTC offsets)."""
    if isinstance(value, time) and value.tzinfo is None:
        return value
    if isinstance(value, str) and _CLOCK.fullmatch(value):
        return value
    raise PydanticCustomError("time_format", "Input should be a time written HH:MM")


def _json_integer(value: object) -> object:
    """A JSON number without a fraction (`5` or `5.0`, as JSON Schema's `integer`); not `"5"` or `true`."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise PydanticCustomError("int_type", "Input should be a valid integer")
    return value


JsonInt = Annotated[int, BeforeValidator(_json_integer)]
"""An integer in a JSON body: what JSON Schema's `integer` allows, nothing that pydantic would coerce."""

IsoDate = Annotated[date, BeforeValidator(_iso_date)]
"""A calendar date written `YYYY-MM-DD` (JSON Schema `format: date`)."""

ClockTime = Annotated[
    time,
    BeforeValidator(_clock_time),
    WithJsonSchema({"type": "string", "pattern": CLOCK_PATTERN, "examples": ["09:00"]}),
]
"""A local (Danish) time of day written `HH:MM` or `HH:MM:SS`."""

ClockTimeOut = Annotated[
    time,
    PlainSerializer(lambda value: value.strftime("%H:%M:%S"), return_type=str),
    WithJsonSchema({"type": "string", "pattern": CLOCK_OUT_PATTERN, "examples": ["09:00:00"]}),
]
"""A local (Danish) time of day in a response, always `HH:MM:SS` (JSON Schema's `format: time` would
demand a UTC offset)."""

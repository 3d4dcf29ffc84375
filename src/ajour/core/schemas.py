"""Schemas shared by every JSON API router: the one error shape, and exact date, time and id types.

Each component name must be unique across the whole API (django-ninja names a component after its
class, and a second class of the same name silently replaces the first in the OpenAPI document).
"""

from __future__ import annotations

import re
from datetime import date, datetime, time
from typing import Annotated, Any

from ninja import Field, Schema
from pydantic import AfterValidator, BeforeValidator, GetJsonSchemaHandler, PlainSerializer, WithJsonSchema
from pydantic_core import CoreSchema, PydanticCustomError

from ajour.core.api_errors import CODES
from ajour.core.bounds import EARLIEST_DATE, ID_MAX, date_window_message, in_date_window, latest_date

_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_CLOCK = re.compile(r"([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?")
CLOCK_PATTERN = f"^{_CLOCK.pattern}$"
CLOCK_OUT_PATTERN = "^([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]$"
TEXT_PATTERN = "^[^\\x00]*$"
"""Free text: anything but NUL (which PostgreSQL cannot store; `RejectNulCharactersMiddleware` refuses
it before any view), said in the schema so that generated requests know it too."""


class ErrorOut(Schema):
    """Every error of the API: a code, the field it is about, a message in plain English, and with
    several problems each of them (README, "JSON API")."""

    error: Annotated[str, WithJsonSchema({"type": "string", "enum": list(CODES)})] = Field(
        examples=["invalid_request"]
    )
    field: str = Field(
        description=(
            "The first invalid field as a path (`runs[0].places`), or a query, path or header parameter; "
            "empty when the error is not about one field"
        ),
        examples=["runs[0].places"],
    )
    message: str = Field(examples=["Input should be less than or equal to 2147483647"])
    errors: list[str] = Field(
        default_factory=list,
        description="Every problem found, one sentence each; only when there are several",
    )


def _iso_date(value: object) -> object:
    """Only `YYYY-MM-DD` (pydantic alone also reads timestamps such as `1.5e-300` and datetimes)."""
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str) and _ISO_DATE.fullmatch(value):
        return value
    raise PydanticCustomError("date_format", "Input should be a date written YYYY-MM-DD")


def _in_window(value: date) -> date:
    """From 2000-01-01 to two years after today, like every date a form takes (`ajour.core.bounds`)."""
    if not in_date_window(value):
        raise PydanticCustomError("date_window", date_window_message())
    return value


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

RowId = Annotated[int, Field(ge=1, le=ID_MAX), BeforeValidator(_json_integer)]
"""The id of a row in a JSON body: what a primary key can be."""


class _DateWindowSchema:
    """The JSON Schema of a date in the window, made when the document is: its pattern names the years
    from 2000 to two years ahead, so generated requests (and readers) know them."""

    def __get_pydantic_json_schema__(
        self, schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> dict[str, Any]:
        years = "|".join(str(year) for year in range(EARLIEST_DATE.year, latest_date().year + 1))
        return {
            "type": "string",
            "format": "date",
            "pattern": f"^({years})-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$",
            "description": "YYYY-MM-DD, from 2000-01-01 to two years after today",
            "examples": ["2026-03-05"],
        }


IsoDate = Annotated[date, BeforeValidator(_iso_date), AfterValidator(_in_window), _DateWindowSchema()]
"""A calendar date written `YYYY-MM-DD`, from 2000-01-01 to two years after today."""


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

"""The one error shape of the JSON API, and the exception that carries it.

Every error under /api/ is `{"error": code, "field": where, "message": plain English}`, with `errors`
(every problem, one sentence each) when there are several. quote.md fixes this shape for
`POST /api/v1/quote`; the rest of the API answers the same way, from django-ninja's validation to a
route that does not exist (`ajour.api` and `ajour.web.middleware` turn every failure into it).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.http import JsonResponse

ERROR_CODES = {
    400: "invalid_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "payload_too_large",
    415: "unsupported_media_type",
    500: "server_error",
}
"""The code of an error by its status, where the endpoint gives no more specific one."""
CODES = (*ERROR_CODES.values(), "invalid_claim", "idempotency_conflict", "duplicate_claim")
"""Every code an error may have: the ones above, a claim that is invalid input (quote.md) and the two
conflicts of `POST /api/v1/claims`."""

MESSAGES = {
    400: "The request is invalid.",
    401: "Send an API token: `Authorization: Bearer ajr_…` (or log in to the portal).",
    403: "You may not do this.",
    404: "Not found.",
    405: "This method is not allowed here.",
    413: "The request body is too large (at most 5 MB).",
    415: "Send the body as JSON with `Content-Type: application/json`.",
    500: "Something went wrong on our side. Check whether your last change was saved before you try again.",
}
"""The message of an error that has nothing more specific to say."""


class ApiError(Exception):
    """An API error: raised by an endpoint (or made by a handler), answered in the one shape."""

    def __init__(
        self,
        status: int,
        message: str = "",
        *,
        field: str = "",
        error: str = "",
        errors: Iterable[str] = (),
    ) -> None:
        self.status = status
        self.message = message or MESSAGES.get(status, MESSAGES[400] if status < 500 else MESSAGES[500])
        self.field = field
        self.error = error or ERROR_CODES.get(status, "invalid_request" if status < 500 else "server_error")
        self.errors = list(errors)
        super().__init__(self.message)

    def body(self) -> dict[str, object]:
        body: dict[str, object] = {"error": self.error, "field": self.field, "message": self.message}
        if self.errors:
            body["errors"] = self.errors
        return body

    def response(self) -> JsonResponse:
        return JsonResponse(self.body(), status=self.status)


def field_path(loc: Sequence[str | int]) -> str:
    """A location as quote.md writes it: `("runs", 0, "places")` → `runs[0].places`."""
    path = ""
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path


def _where(loc: Sequence[str | int]) -> str:
    """django-ninja's location without its source: `("body", "body", "title")` → `title`,
    `("query", "page")` → `page`."""
    if loc and loc[0] == "body":
        return field_path(loc[2:]) or "body"
    return field_path(loc[1:] if loc and loc[0] in {"query", "path", "header", "cookie", "form"} else loc)


def invalid_input(
    problems: Sequence[Mapping[str, Any]], *, error: str = "invalid_request", located: bool = True
) -> ApiError:
    """A 400 naming the first invalid field, from pydantic's (or django-ninja's) list of errors.

    `located`: the locations start with django-ninja's source (`body`, `query`, `path`); pydantic's own
    start at the field."""

    def where(problem: Mapping[str, Any]) -> str:
        loc = tuple(problem.get("loc", ()))
        return _where(loc) if located else field_path(loc)

    def sentence(problem: Mapping[str, Any]) -> str:
        return f"{where(problem)}: {problem['msg']}" if where(problem) else str(problem["msg"])

    first = problems[0]
    return ApiError(
        400,
        str(first["msg"]),
        field=where(first),
        error=error,
        errors=[sentence(problem) for problem in problems] if len(problems) > 1 else (),
    )

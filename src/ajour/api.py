"""The versioned JSON API (`/api/v1/…`), one router per domain app; schema at /api/openapi.json.

Every error is answered in one shape (`ajour.core.api_errors`): the handlers below turn django-ninja's
validation, its authentication and CSRF refusals, a missing object, a refusal and any unexpected
exception into it; `ajour.web.middleware.ApiRequestMiddleware` does the same for what happens before
a route is found (an unknown route, a wrong method, a wrong content type, a body too large).
"""

from __future__ import annotations

import functools
import logging
import traceback
from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied, RequestDataTooBig, SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.openapi.schema import OpenAPISchema

from ajour import __version__
from ajour.accounts.api import router as accounts_router
from ajour.catalogue.api import router as catalogue_router
from ajour.claims.api import router as claims_router
from ajour.core.api_errors import ApiError, invalid_input
from ajour.core.permissions import Refused
from ajour.core.schemas import ErrorOut
from ajour.simulator.api import router as simulator_router
from ajour.stats.api import router as stats_router
from ajour.web.apidocs import VendoredSwagger
from ajour.web.middleware import BODY_METHODS, QUOTE_PATH

logger = logging.getLogger(__name__)

DESCRIPTION = """Claims, accounts, the course catalogue, statistics and the policy simulator for CME in Danish
general practice.

**Errors.** Every error, whatever its status, is JSON in one shape (schema `ErrorOut`):

```json
{
  "error": "invalid_request",
  "field": "runs[0].places",
  "message": "Input should be greater than or equal to 1"
}
```

- `error`: a code: `invalid_request` (400: a parameter or body that does not fit the schema, or names
  something unknown), `invalid_claim` (400: the claim itself is invalid input, as in quote.md),
  `unauthorized` (401), `forbidden` (403), `not_found` (404), `method_not_allowed` (405),
  `idempotency_conflict` and `duplicate_claim` (409), `payload_too_large` (413, bodies above 5 MB),
  `unsupported_media_type` (415: bodies must be `application/json`), `server_error` (500);
- `field`: the first invalid field as a path (`runs[0].places`, `attended_days[1]`), or the query, path
  or header parameter; empty when the error is not about one field;
- `message`: plain English;
- `errors`: only when there are several problems (every invalid field, every refused attendance row),
  one sentence each.

**Bounds.** Dates run from 2000-01-01 to two years after today; integers stay within their documented
`minimum` and `maximum`; texts within their `maxLength`; no text may contain a NUL character.
"""

COMMON_ERRORS = {
    400: "Invalid input: a parameter or body that does not fit the schema (`field` names it)",
    401: "No valid API token (`Authorization: Bearer ajr_…`) or portal session",
    403: "Not allowed for this login, or a portal session's request without its CSRF token",
    405: "Method not allowed",
    413: "The body is larger than 5 MB",
    415: "The body is not sent as `application/json`",
    500: "Server error: logged without personal data, answered without details",
}


class AjourAPI(NinjaAPI):
    """django-ninja's API, with the errors every operation may give declared in its OpenAPI document."""

    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> OpenAPISchema:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        components.setdefault(
            "ErrorOut", ErrorOut.model_json_schema(ref_template="#/components/schemas/{model}")
        )
        error = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}}
        for path, methods in schema["paths"].items():
            for operation in methods.values():
                responses = operation["responses"]
                for status, description in COMMON_ERRORS.items():
                    if status in responses or str(status) in responses:
                        continue
                    if status in (401, 403) and not operation.get("security"):
                        continue
                    if status in (413, 415) and "requestBody" not in operation:
                        continue
                    if status == 415 and path == QUOTE_PATH:  # reads any content type, as quote.md's CLI
                        continue
                    responses[status] = {"description": description, "content": error}
        return schema


api = AjourAPI(
    title="Ajour API",
    version=f"v1 ({__version__})",
    description=DESCRIPTION,
    urls_namespace="api",
    openapi_url="/openapi.json",
    docs_url="/docs",
    docs=VendoredSwagger(),
)


def _json_bodies_only(run: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Every operation's body is JSON: another content type is a 415 before anything reads it (after the
    route and method are found, before the token is checked). The quote reads any, as `ajour quote`
    reads a file (quote.md names no media type)."""

    @functools.wraps(run)
    def checked(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if (
            request.method in BODY_METHODS
            and request.content_type != "application/json"
            and request.path != QUOTE_PATH
        ):
            return ApiError(415, field="Content-Type").response()
        return run(request, *args, **kwargs)

    return checked


api.add_decorator(_json_bodies_only, mode="view")
api.add_router("/v1/", claims_router)
api.add_router("/v1/", accounts_router)
api.add_router("/v1/catalogue/", catalogue_router)
api.add_router("/v1/stats/", stats_router)
api.add_router("/v1/simulations", simulator_router)


@api.exception_handler(ApiError)
def _api_error(request: HttpRequest, error: ApiError) -> HttpResponse:
    return error.response()


@api.exception_handler(ValidationError)
def _validation_error(request: HttpRequest, error: ValidationError) -> HttpResponse:
    return invalid_input(error.errors).response()


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, error: HttpError) -> HttpResponse:
    """django-ninja's own: no token (401), a failed CSRF check (403), a body it cannot parse (400)."""
    if isinstance(error, AuthenticationError):
        return ApiError(401).response()
    if error.status_code == 403 and "CSRF" in error.message:
        message = "CSRF check failed: send the csrftoken cookie's value in the X-CSRFToken header."
        return ApiError(403, message).response()
    if error.status_code == 400 and "parse" in error.message:
        return ApiError(400, "The body is not valid JSON.", field="body").response()
    return ApiError(error.status_code, error.message).response()


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, error: Http404) -> HttpResponse:
    return ApiError(404).response()


@api.exception_handler(PermissionDenied)
def _refused(request: HttpRequest, error: PermissionDenied) -> HttpResponse:
    """A Refused says why in words written for people; any other refusal says nothing internal."""
    return ApiError(403, error.reason if isinstance(error, Refused) else "").response()


@api.exception_handler(Exception)
def _unexpected(request: HttpRequest, error: Exception) -> HttpResponse:
    """A body too large or a suspicious request is the caller's; anything else is logged by route and
    code position only (an exception's message can hold values, a database error the row it refused),
    and answered 500 without details."""
    if isinstance(error, RequestDataTooBig):
        return ApiError(413).response()
    if isinstance(error, SuspiciousOperation):
        return ApiError(400).response()
    match = request.resolver_match
    logger.error(
        "API %s %s failed with %s at\n%s",
        request.method,
        match.route if match is not None else "?",
        type(error).__name__,
        "".join(traceback.format_tb(error.__traceback__)),
    )
    return ApiError(500).response()

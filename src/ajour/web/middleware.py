"""Security headers and input guards that Django does not provide itself."""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext as _

from ajour.core.api_errors import ApiError

API_PREFIX = "/api/"
QUOTE_PATH = "/api/v1/quote"
"""quote.md: the same bodies as `ajour quote`, which reads any file; it computes only, so any string,
NUL included, is the rules engine's to judge."""
BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})
FORM_CONTENT_TYPES = frozenset({"application/x-www-form-urlencoded", "multipart/form-data"})
"""Bodies Django parses into fields; each form field refuses NUL characters itself, with its name."""


class ContentSecurityPolicyMiddleware:
    """Adds the Content-Security-Policy: no inline scripts or styles, nothing from other hosts."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", settings.CONTENT_SECURITY_POLICY)
        return response


class ApiRequestMiddleware:
    """The JSON API's side of every request under /api/: English, and every error in the API's one
    shape, also those answered before a route is found (an unknown route, a wrong method, a body too
    large) or by Django's own handlers."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith(API_PREFIX):
            return self.get_response(request)
        with translation.override("en"):
            request.LANGUAGE_CODE = "en"
            response = self.get_response(request)
            if response.status_code >= 400 and not response.get("Content-Type", "").startswith(
                "application/json"
            ):
                allow = response.get("Allow")
                response = ApiError(response.status_code).response()
                if allow:
                    response["Allow"] = allow
        response["Content-Language"] = "en"
        return response


class RejectNulCharactersMiddleware:
    """Refuses text with NUL characters before it reaches a view: PostgreSQL cannot store or compare it,
    so it would otherwise surface as a server error. Checked here: the path, the query and every body
    Django does not parse into form fields (JSON, plain text, anything else), raw or JSON-escaped."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        location = self._nul_location(request)
        if location is None:
            return self.get_response(request)
        message = str(_("Text may not contain NUL characters."))
        if request.path.startswith(API_PREFIX):
            return ApiError(400, message, field=location).response()
        return render(request, "web/error.html", {"message": message, "status": 400}, status=400)

    def _nul_location(self, request: HttpRequest) -> str | None:
        if "\x00" in request.path:
            return "path"
        for key, values in request.GET.lists():
            if "\x00" in key or any("\x00" in value for value in values):
                return key.replace("\x00", "")
        if (
            request.method in BODY_METHODS
            and request.content_type not in FORM_CONTENT_TYPES
            and request.path != QUOTE_PATH
            and (b"\x00" in request.body or b"\\u0000" in request.body)
        ):
            return "body"
        return None

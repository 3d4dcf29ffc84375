"""Security headers and input guards that Django does not provide itself."""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _


class ContentSecurityPolicyMiddleware:
    """Adds the Content-Security-Policy: no inline scripts or styles, nothing from other hosts."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", settings.CONTENT_SECURITY_POLICY)
        return response


class RejectNulCharactersMiddleware:
    """Refuses text with NUL characters before it reaches a view: PostgreSQL cannot store or compare it,
    so it would otherwise surface as a server error. The API answers in django-ninja's 422 shape."""

    JSON_BODY_PATHS_EXEMPT = ("/api/v1/quote",)  # computes only; quote.md accepts any string

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        location = self._nul_location(request)
        if location is None:
            return self.get_response(request)
        message = str(_("Text may not contain NUL characters."))
        if request.path.startswith("/api/"):
            error = {"type": "string_nul_character", "loc": list(location), "msg": message}
            return JsonResponse({"detail": [error]}, status=422)
        return render(request, "web/error.html", {"message": message, "status": 400}, status=400)

    def _nul_location(self, request: HttpRequest) -> tuple[str, ...] | None:
        if "\x00" in request.path:
            return ("path",)
        for key, values in request.GET.lists():
            if "\x00" in key or any("\x00" in value for value in values):
                return ("query", key.replace("\x00", ""))
        is_json = request.content_type == "application/json"
        if (
            is_json
            and request.method in {"POST", "PUT", "PATCH"}
            and not request.path.startswith(self.JSON_BODY_PATHS_EXEMPT)
        ):
            if b"\x00" in request.body or b"\\u0000" in request.body:
                return ("body",)
        return None

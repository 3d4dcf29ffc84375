"""The interactive API documentation (`/api/docs`): Swagger UI served from Ajour's own static files (a
pinned copy, like every other asset), so the page keeps the site's Content-Security-Policy."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from ninja.openapi.docs import DocsBase

if TYPE_CHECKING:
    from ninja import NinjaAPI

SWAGGER_UI_SETTINGS = {
    "layout": "BaseLayout",
    "deepLinking": True,
    "validatorUrl": None,  # Swagger UI would otherwise send the schema to an outside validator
}


class VendoredSwagger(DocsBase):
    """django-ninja's docs renderer for the vendored Swagger UI (`web/api_docs.html`)."""

    def render_page(self, request: HttpRequest, api: NinjaAPI, **kwargs: Any) -> HttpResponse:
        settings = {**SWAGGER_UI_SETTINGS, "url": self.get_openapi_url(api, kwargs)}
        return render(request, "web/api_docs.html", {"api": api, "swagger_settings": settings})

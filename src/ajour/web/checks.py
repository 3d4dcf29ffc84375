"""Deployment checks (`ajour check --deploy`) for Ajour's own settings, beside Django's."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, Warning, register


@register(Tags.security, deploy=True)
def check_demo_mode(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """Demo mode signs anyone in as any role with one click: never in a deployment."""
    if not settings.AJOUR_DEMO:
        return []
    return [
        Error(
            "AJOUR_DEMO=1: the front page's demo buttons log in as any role without authentication.",
            hint="Unset AJOUR_DEMO (or set it to 0) outside the local demo.",
            id="ajour.E001",
        )
    ]


@register(Tags.security, deploy=True)
def check_proxy_header(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """X-Forwarded-Proto is trusted only when the operator says a proxy sets it: any client can send it."""
    if settings.SECURE_PROXY_SSL_HEADER is None or settings.AJOUR_BEHIND_PROXY:
        return []
    return [
        Warning(
            "SECURE_PROXY_SSL_HEADER trusts a header any client can send, but AJOUR_BEHIND_PROXY is not set.",
            hint="Set AJOUR_BEHIND_PROXY=1 only behind a proxy that sets X-Forwarded-Proto and strips "
            "it from clients; otherwise leave SECURE_PROXY_SSL_HEADER unset.",
            id="ajour.W001",
        )
    ]

"""Who may do what in the portal shell. Each check returns allowed plus a reason a person can read."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Permission:
    """The answer to "may this user do this?": a denial always explains itself."""

    allowed: bool
    reason: str = ""

    def __bool__(self) -> bool:
        return self.allowed


ALLOWED = Permission(True)


def can_use_demo_login() -> Permission:
    """Demo logins exist only when AJOUR_DEMO=1, never in production."""
    if not settings.AJOUR_DEMO:
        return Permission(False, str(_("Demo logins are switched off on this server.")))
    return ALLOWED

"""Who may use the portal shell's own pages."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from ajour.core.permissions import ALLOWED, Permission


def can_use_demo_login() -> Permission:
    """Demo logins exist only when AJOUR_DEMO=1, never in production."""
    if not settings.AJOUR_DEMO:
        return Permission(False, str(_("Demo logins are switched off on this server.")))
    return ALLOWED

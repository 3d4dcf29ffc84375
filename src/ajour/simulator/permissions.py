"""Who may use the policy simulator, and who may see the claims behind its figures."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.utils.translation import gettext_lazy as _

from ajour.accounts.models import User
from ajour.core.permissions import ALLOWED, Permission

SIMULATE_ROLES = {User.Role.STEERING, User.Role.ANALYST, User.Role.CASEWORKER}
CLAIM_LIST_ROLES = {User.Role.CASEWORKER}


def can_simulate(user: User | AnonymousUser) -> Permission:
    """Build, run, save and open scenarios (the steering group, analysts and the secretariat)."""
    if not isinstance(user, User) or user.role not in SIMULATE_ROLES:
        return Permission(
            False, str(_("The policy simulator is for the steering group, analysts and the secretariat."))
        )
    return ALLOWED


def can_see_claims(user: User | AnonymousUser) -> Permission:
    """The claims behind a figure, and the figures unsuppressed (the secretariat only). Everyone else who
    may simulate sees every figure describing fewer than 5 GPs hidden."""
    if not isinstance(user, User) or user.role not in CLAIM_LIST_ROLES:
        return Permission(False, str(_("Only the secretariat may see the claims behind a figure.")))
    return ALLOWED

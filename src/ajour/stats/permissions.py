"""Who may see what in the statistics. Public figures are suppressed; named lists need a role."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.utils.translation import gettext_lazy as _

from ajour.accounts.models import User
from ajour.core.permissions import ALLOWED, Permission

DASHBOARD_ROLES = {
    User.Role.ANALYST,
    User.Role.STEERING,
    User.Role.CASEWORKER,
    User.Role.COUNSELLOR,
    User.Role.ADMIN,
}
UNDER_PARTICIPATION_ROLES = {
    User.Role.ANALYST,
    User.Role.STEERING,
    User.Role.CASEWORKER,
    User.Role.COUNSELLOR,
}


def can_view_dashboard(user: User | AnonymousUser) -> Permission:
    """The unsuppressed analyst dashboard and its PDF report."""
    if not isinstance(user, User) or user.role not in DASHBOARD_ROLES:
        return Permission(
            False, str(_("The statistics dashboard is for analysts, the secretariat and steering."))
        )
    return ALLOWED


def can_view_under_participation(user: User | AnonymousUser, *, region: str = "") -> Permission:
    """The named list of GPs with few activities; a counsellor sees the own region only."""
    if not isinstance(user, User) or user.role not in UNDER_PARTICIPATION_ROLES:
        return Permission(
            False, str(_("Only analysts, caseworkers, steering and counsellors may see this list."))
        )
    if user.role == User.Role.COUNSELLOR and (user.region is None or region != user.region.code):
        return Permission(False, str(_("A counsellor may only see the list for the own region.")))
    return ALLOWED

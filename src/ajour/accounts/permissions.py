"""Who may see and change accounts, contracts and ledgers."""

from __future__ import annotations

from django.http import Http404
from django.utils.translation import gettext_lazy as _

from ajour.accounts.models import Doctor, EmploymentConfirmation, User
from ajour.core.permissions import ALLOWED, Permission

SECRETARIAT = {User.Role.CASEWORKER, User.Role.ADMIN}


def can_manage_accounts(user: User) -> Permission:
    if user.role not in SECRETARIAT:
        return Permission(False, str(_("Only the secretariat manages accounts.")))
    return ALLOWED


def can_confirm_employment(user: User) -> Permission:
    if user.role != User.Role.GP or user.doctor is None or user.doctor.role != Doctor.Role.GP_EMPLOYED:
        return Permission(False, str(_("Only employed GPs confirm their employment.")))
    return ALLOWED


def confirmation_for_user(user: User, pk: int) -> EmploymentConfirmation:
    """The confirmation if it is the user's own or the user is in the secretariat; 404 otherwise."""
    confirmation = EmploymentConfirmation.objects.select_related("doctor").filter(pk=pk).first()
    if confirmation is None:
        raise Http404
    if user.role in SECRETARIAT or (user.doctor_id is not None and confirmation.doctor_id == user.doctor_id):
        return confirmation
    raise Http404


def doctor_for_secretariat(user: User, pk: int) -> Doctor:
    if not can_manage_accounts(user):
        raise Http404
    doctor = Doctor.objects.select_related("practice").filter(pk=pk).first()
    if doctor is None:
        raise Http404
    return doctor

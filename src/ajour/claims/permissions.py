"""Who may see and act on a claim. `claim_for_user` is the one chokepoint every view and API call uses."""

from __future__ import annotations

from uuid import UUID

from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ajour.accounts.models import Doctor, User
from ajour.catalogue.models import ActivityInstance
from ajour.catalogue.permissions import claimable_by
from ajour.claims.models import Claim, Receipt
from ajour.core.permissions import ALLOWED, Permission
from ajour.rules import ParameterSet

SECRETARIAT = {User.Role.CASEWORKER, User.Role.ADMIN}


def claimant_for(user: User) -> Doctor | None:
    """The doctor a user claims as: their own doctor, or for a clinic login the practice's owner (a GP in
    a role the rules let claim for clinic staff, `eligibility.staff_claimant_roles`)."""
    if user.doctor_id is not None:
        return user.doctor
    if user.role == User.Role.CLINIC and user.practice_id is not None:
        roles = ParameterSet.default().on(timezone.localdate()).codes["eligibility.staff_claimant_roles"]
        return (
            Doctor.objects.filter(practice_id=user.practice_id, role__in=roles).order_by("role", "pk").first()
        )
    return None


def can_claim(user: User) -> Permission:
    if user.role not in {User.Role.GP, User.Role.CLINIC} or claimant_for(user) is None:
        return Permission(False, str(_("Only GPs, trainees and clinic staff claimants can claim.")))
    return ALLOWED


def can_claim_instance(claimant: Doctor, instance: ActivityInstance) -> Permission:
    """The service's check; its reason reveals no more than a run that does not exist would."""
    if not ActivityInstance.objects.filter(claimable_by(claimant), pk=instance.pk).exists():
        return Permission(False, str(_("No activity instance with this id.")))
    return ALLOWED


def instance_for_claimant(claimant: Doctor, instance_id: int) -> ActivityInstance:
    """The run if this claimant may claim it; 404 otherwise, without revealing whether it exists."""
    instance = (
        ActivityInstance.objects.select_related("activity", "region")
        .filter(claimable_by(claimant), pk=instance_id)
        .first()
    )
    if instance is None:
        raise Http404
    return instance


def can_view_claim(user: User, claim: Claim) -> Permission:
    if user.role in SECRETARIAT or user.role == User.Role.STEERING:
        return ALLOWED
    if claim.staff_member_id is None and user.doctor_id is not None and claim.claimant_id == user.doctor_id:
        return ALLOWED
    if (
        claim.staff_member_id is not None
        and user.practice_id is not None
        and claim.practice_id == user.practice_id
    ):
        return ALLOWED
    return Permission(False, str(_("This is not your claim.")))


def is_claimants_side(user: User, claim: Claim) -> bool:
    return user.role in {User.Role.GP, User.Role.CLINIC} and bool(can_view_claim(user, claim))


def can_see_receipts(user: User, claim: Claim) -> Permission:
    """Receipts are for the claimant's side and the secretariat that checks them; the steering group
    sees the claim it decides an appeal on, not the claimant's documents."""
    if user.role in SECRETARIAT or is_claimants_side(user, claim):
        return ALLOWED
    return Permission(False, str(_("Receipts are for the claimant and the secretariat.")))


def can_review(user: User) -> Permission:
    if user.role not in SECRETARIAT:
        return Permission(False, str(_("Only the secretariat reviews claims.")))
    return ALLOWED


def can_decide_appeals(user: User) -> Permission:
    if user.role not in {User.Role.STEERING, User.Role.ADMIN}:
        return Permission(False, str(_("Only the steering group decides appeals.")))
    return ALLOWED


def receipt_for_user(user: User, public_id: UUID | str, receipt_id: int) -> Receipt:
    """The receipt if this user may open it; 404 otherwise, as for a receipt that does not exist."""
    claim = claim_for_user(user, public_id)
    receipt = claim.receipts.filter(pk=receipt_id).first()
    if receipt is None or not can_see_receipts(user, claim):
        raise Http404
    return receipt


def claim_for_user(user: User, public_id: UUID | str) -> Claim:
    """The claim if this user may see it; 404 otherwise, without revealing whether it exists."""
    claim = (
        Claim.objects.select_related("claimant", "practice", "staff_member", "instance__activity")
        .filter(public_id=public_id)
        .first()
    )
    if claim is None or not can_view_claim(user, claim):
        raise Http404
    return claim

"""Who may do what with applications; each check returns allowed plus a reason a person can read."""

from __future__ import annotations

from django.db.models import Exists, F, OuterRef, Q
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from ajour.accounts.models import Doctor, User
from ajour.catalogue.models import Activity, ActivityInstance, ApprovalAppeal
from ajour.core.permissions import ALLOWED, Permission
from ajour.groups.models import DgeGroup


def _is(user: object, *roles: str) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and getattr(user, "role", None) in roles


def is_applicant(user: object, activity: Activity) -> bool:
    """The provider's users for a provider application, the GP for an individual one."""
    if not isinstance(user, User) or not user.is_authenticated:
        return False
    if activity.provider_id is not None:
        return user.role == User.Role.PROVIDER and user.provider_id == activity.provider_id
    return (
        user.role == User.Role.GP
        and user.doctor_id is not None
        and user.doctor_id == activity.applicant_doctor_id
    )


def can_review(user: object) -> Permission:
    if not _is(user, User.Role.CONSULTANT):
        return Permission(False, str(_("Only medical consultants decide applications.")))
    return ALLOWED


def can_steer(user: object) -> Permission:
    if not _is(user, User.Role.STEERING):
        return Permission(False, str(_("Only the steering group decides appeals and withdrawals.")))
    return ALLOWED


def can_apply_as_provider(user: object) -> Permission:
    if not _is(user, User.Role.PROVIDER):
        return Permission(False, str(_("Only course providers submit activities here.")))
    if getattr(user, "provider_id", None) is None:
        return Permission(False, str(_("Register your organisation first.")))
    return ALLOWED


def can_apply_as_gp(user: object) -> Permission:
    if not _is(user, User.Role.GP) or getattr(user, "doctor_id", None) is None:
        return Permission(False, str(_("Only GPs with an account ask for individual approval.")))
    return ALLOWED


def activity_for_user(user: object, pk: int) -> Activity:
    """The chokepoint for non-public views of an application: 404 unless the user may see it."""
    activity = (
        Activity.objects.select_related("provider", "topic", "se_theme", "applicant_doctor")
        .filter(pk=pk)
        .first()
    )
    if activity is None:
        raise Http404
    if is_applicant(user, activity) or can_review(user) or can_steer(user):
        return activity
    raise Http404


def instance_for_applicant(user: object, pk: int) -> ActivityInstance:
    instance = ActivityInstance.objects.select_related("activity__provider").filter(pk=pk).first()
    if instance is None or not is_applicant(user, instance.activity):
        raise Http404
    return instance


def appeal_for_steering(user: object, pk: int) -> ApprovalAppeal:
    appeal = ApprovalAppeal.objects.select_related("activity").filter(pk=pk).first()
    if appeal is None or not can_steer(user):
        raise Http404
    return appeal


CLAIMABLE_STATUSES = (Activity.Status.APPROVED, Activity.Status.REVOKED)
"""An activity that has been approved: approved now, or withdrawn later (a run held while the approval
was in force is still claimed, and the approval in force on the day decides the claim). A draft, an
application in review, a rejection or an appeal of one is its applicant's and the reviewers' business."""


def claimable_by(doctor: Doctor | None, *, run: str = "", claimant_field: str = "") -> Q:
    """The runs (ActivityInstance filter) this doctor may claim; `None`: the runs anyone may claim.

    The one rule for "who may claim this run": only runs of an activity that has been approved
    (`CLAIMABLE_STATUSES`); a DGE group's own meetings only for the group's members, an individual
    approval only for the GP it was given to. Search, lists and every submit path use it.
    Rows that point at a run and name their claimant (a claim) are filtered by the same rule with `run`,
    the path to the run (`"instance__"`), and `claimant_field`, the claimant's column (`"claimant_id"`).
    """
    approved = Q(**{f"{run}activity__status__in": CLAIMABLE_STATUSES})
    group_meeting = Q(**{f"{run}activity__form": Activity.Form.DGE_MEETING})
    individual = Q(**{f"{run}activity__scope": Activity.Scope.INDIVIDUAL})
    this_row: F | int
    in_subquery: OuterRef | int
    if claimant_field:
        this_row, in_subquery = F(claimant_field), OuterRef(claimant_field)
    elif doctor is not None:
        this_row = in_subquery = doctor.pk
    else:
        return approved & ~group_meeting & ~individual
    member = DgeGroup.members.through.objects.filter(
        dgegroup_id=OuterRef(f"{run}activity__dge_group_id"), doctor_id=in_subquery
    )
    applicant = Q(**{f"{run}activity__applicant_doctor_id": this_row})
    return approved & (~group_meeting | Exists(member)) & (~individual | applicant)

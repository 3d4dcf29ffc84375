"""The approval workflow of activities and of approval appeals: every status change, who makes it, and
what a refused action is told. `services` guards with these tables; the application, review, appeal and
change pages show what they allow."""

from __future__ import annotations

from django.utils.translation import gettext as _

from ajour.accounts.models import User
from ajour.catalogue.models import Activity, ApprovalAppeal
from ajour.core.workflow import Workflow, moves, stays

S = Activity.Status
APPLICANT = (User.Role.PROVIDER, User.Role.GP)  # a provider's users, or the GP asking for individual approval
CONSULTANT = (User.Role.CONSULTANT,)
STEERING = (User.Role.STEERING,)

ACTIVITIES = Workflow(
    "activity",
    (
        *stays("edit", [S.DRAFT, S.INFO_REQUESTED], APPLICANT),
        *moves("submit", [S.DRAFT], [S.SUBMITTED], APPLICANT),
        *moves("request_information", [S.SUBMITTED], [S.INFO_REQUESTED], CONSULTANT),
        *moves("answer", [S.INFO_REQUESTED], [S.SUBMITTED], APPLICANT),
        *moves("approve", [S.SUBMITTED], [S.APPROVED], CONSULTANT),
        *moves("reject", [S.SUBMITTED], [S.REJECTED], CONSULTANT),
        *moves("appeal", [S.REJECTED], [S.APPEALED], APPLICANT),
        *moves("overturn", [S.APPEALED], [S.APPROVED], STEERING),  # the steering group approves on appeal
        *moves("uphold", [S.APPEALED], [S.REJECTED], STEERING),  # … or upholds the rejection
        # A change from a later date leaves the status as it is until then (P-08).
        *moves("change_approval", [S.APPROVED, S.REVOKED], [S.APPROVED, S.REVOKED], STEERING),
    ),
)

APPROVAL_APPEALS = Workflow(
    "approval appeal",
    (
        *moves(
            "decide",
            [ApprovalAppeal.Outcome.PENDING],
            [ApprovalAppeal.Outcome.UPHELD, ApprovalAppeal.Outcome.OVERTURNED],
            STEERING,
        ),
    ),
)


def refusal(action: str) -> str:
    """Why `action` is refused in the activity's present status, in plain words."""
    return {
        "edit": _("The application can only be changed as a draft or when information is requested."),
        "submit": _("Only a draft can be submitted."),
        "request_information": _("Information can only be requested on a submitted application."),
        "answer": _("No information has been requested."),
        "appeal": _("Only a rejection can be appealed."),
        "change_approval": _("Only an approved activity can be changed or withdrawn."),
    }.get(action, _("This application is not waiting for a decision."))

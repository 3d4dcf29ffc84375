"""The claim and claim-appeal workflows: every status change a claim can make, who makes it, and what a
refused action is told. `services` guards with these tables; the claim page shows what they allow."""

from __future__ import annotations

from django.utils.translation import gettext as _

from ajour.accounts.models import User
from ajour.claims.models import Appeal, Claim
from ajour.claims.permissions import SECRETARIAT
from ajour.core.workflow import Workflow, moves, stays

S = Claim.Status
CLAIMANT = (User.Role.GP, User.Role.CLINIC)
STEERING = (User.Role.STEERING, User.Role.ADMIN)

OPEN = (S.DECIDED, S.CONTROL_REQUESTED, S.CONTROL_SUBMITTED, S.APPROVED, S.ADJUSTED, S.REJECTED)
"""Neither under appeal nor paid: the caseworker may still correct it, the claimant may still appeal."""
UNDER_CONTROL = (S.CONTROL_REQUESTED, S.CONTROL_SUBMITTED)
REVIEW_ACTIONS = frozenset({"approve", "adjust", "reject"})
"""The caseworker's decisions on a claim, offered together in one form."""

CLAIMS = Workflow(
    "claim",
    (
        *moves("upload_receipt", [S.CONTROL_REQUESTED], [S.CONTROL_SUBMITTED], CLAIMANT),
        *stays("upload_receipt", [S.CONTROL_SUBMITTED], CLAIMANT),
        *moves("approve", [*UNDER_CONTROL, S.DECIDED], [S.APPROVED], SECRETARIAT),
        *moves("adjust", OPEN, [S.ADJUSTED, S.REJECTED], SECRETARIAT),  # adjusting to 0 rejects
        *moves("reject", [s for s in OPEN if s != S.REJECTED], [S.REJECTED], SECRETARIAT),
        *moves("appeal", OPEN, [S.APPEALED], CLAIMANT),
        *moves("uphold_appeal", [S.APPEALED], [S.APPROVED, S.REJECTED], STEERING),  # upheld at 0 rejects
        *moves("dismiss_appeal", [S.APPEALED], OPEN, STEERING),  # back to the status before the appeal
        *moves("pay", [S.DECIDED, S.APPROVED, S.ADJUSTED], [S.PAID], SECRETARIAT),
    ),
)

CLAIM_APPEALS = Workflow(
    "claim appeal",
    (
        *moves(
            "decide", [Appeal.Outcome.PENDING], [Appeal.Outcome.UPHELD, Appeal.Outcome.DISMISSED], STEERING
        ),
    ),
)


def refusal(action: str, status: str) -> str:
    """Why `action` is refused for a claim in `status`, in plain words."""
    if status == S.PAID:
        return _("This claim has already been paid out and can no longer be changed.")
    if status == S.APPEALED:
        if action == "appeal":
            return _("This claim has already been appealed.")
        return _("This claim is under appeal; the steering group decides it.")
    return {
        "upload_receipt": _("Receipts are only needed for claims selected for control."),
        "approve": _("This claim is not waiting for review."),
        "reject": _("This claim has already been rejected."),
    }.get(action, _("This claim cannot be changed now."))

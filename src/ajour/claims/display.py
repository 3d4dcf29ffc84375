"""A decision as people read it: messages in the reader's language, items and day classes named."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from ajour.claims.models import Claim
from ajour.rules import RULES_VERSION, InvalidClaim, decide_payload

ITEMS = {
    "fee": _("CME fee"),
    "course_fee": _("Course fee"),
    "transport": _("Transport"),
    "material": _("Study material"),
    "lost_earnings": _("Lost earnings (staff)"),
}
ACCOUNTS = {"self_chosen": _("Self-chosen"), "systematic": _("Systematic"), "staff": _("Clinic staff")}
DAY_CLASSES = {"full": _("Full day"), "half": _("Half day"), "meeting": _("Meeting"), "none": _("Too short")}
OUTCOMES = {"approved": _("Approved"), "reduced": _("Reduced"), "rejected": _("Rejected")}


def labelled(decision: dict[str, object]) -> dict[str, object]:
    """Adds readable labels to a decision's lines, days and outcome (the document itself is unchanged)."""
    raw_lines, raw_days = decision.get("lines", []), decision.get("days", [])
    assert isinstance(raw_lines, list) and isinstance(raw_days, list)
    lines = [
        {
            **line,
            "item_label": ITEMS.get(line["item"], line["item"]),
            "account_label": ACCOUNTS.get(line["account"], ""),
        }
        for line in raw_lines
    ]
    days = [{**day, "class_label": DAY_CLASSES.get(day["class"], day["class"])} for day in raw_days]
    return {
        **decision,
        "lines": lines,
        "days": days,
        "outcome_label": OUTCOMES.get(str(decision["outcome"]), ""),
    }


def decision_for_display(claim: Claim, lang: str) -> dict[str, object]:
    """The stored decision; its messages re-rendered in `lang` when the rules version is unchanged."""
    decision = claim.decision
    if claim.rules_version == RULES_VERSION:
        try:
            fresh = decide_payload(claim.inputs, lang=lang)
        except InvalidClaim:
            fresh = None
        if fresh is not None and fresh["payable_ore"] == decision["payable_ore"]:
            decision = fresh
    return labelled(decision)


EVENTS = {
    "submitted": _("Claim submitted and decided"),
    "control_selected": _("Selected for sample control: receipts requested"),
    "receipt_uploaded": _("Receipt uploaded"),
    "approved": _("Approved for payout"),
    "adjusted": _("Amount adjusted by the secretariat"),
    "rejected": _("Rejected by the secretariat"),
    "appealed": _("Appealed to the steering group"),
    "appeal_upheld": _("Appeal upheld"),
    "appeal_dismissed": _("Appeal dismissed"),
    "paid": _("Paid out"),
}


def timeline(claim: Claim) -> list[dict[str, object]]:
    """The claim's audit trail as readable steps."""
    return [
        {
            "at": event.at,
            "label": EVENTS.get(event.action, event.action),
            "note": event.note,
            "actor": event.actor,
        }
        for event in claim.events.select_related("actor")
    ]

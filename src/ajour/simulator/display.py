"""What a scenario says about itself, in the reader's language: its notes and its reform's name."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _


def language() -> str:
    return "en" if (get_language() or "da").startswith("en") else "da"


def note_text(note: Mapping[str, Any]) -> str:
    """One note of a result (`services._notes`) as a sentence in the active language."""
    code, facts = note["code"], dict(note.get("facts", {}))
    if code == "behaviour_held_fixed":
        return _(
            "Behaviour is held fixed: the same claims, for the same activities, filed on the same days. "
            "Nobody takes another course or leaves one out because the rules changed."
        )
    if code == "per_claim":
        return _(
            "Per claim: each claim is decided again with the balances and the allocation it had when it was "
            "filed. Balances, allocations and the year-end close are as recorded."
        )
    if code == "per_account":
        return _(
            "Per account: each account's history is replayed in order (allocations, claims in filing order, "
            "year-end closes), so a change to a balance also changes the decisions after it."
        )
    if code == "per_claim_misses":
        text = _(
            "This reform changes %(parameters)s, which the yearly allocation and the year-end close "
            "read. Per claim keeps the allocations and balances as recorded: run it per account to see "
            "the change."
        )
    elif code == "not_in_force":
        text = _("The reform takes effect from %(from)s, after this year: nothing changes this year.")
    elif code == "dge_grant":
        return _(
            "The DGE group grant is paid by the regions outside the claims, so no decision changes. "
            "Today's figure is the yearly grant recorded on each group; the groups' regional rules are "
            "not in Ajour yet."
        )
    elif code == "settled_by_hand":
        text = ngettext(
            "%(claims)d claim was settled by a caseworker or the steering group and keeps its "
            "settled amount.",
            "%(claims)d claims were settled by a caseworker or the steering group and keep their "
            "settled amounts.",
            facts["claims"],
        )
    elif code == "left_out":
        text = ngettext(
            "%(claims)d imported claim has no recorded inputs and is left out.",
            "%(claims)d imported claims have no recorded inputs and are left out.",
            facts["claims"],
        )
    else:
        return str(code)
    return str(text % facts)


def reform_label(results: Mapping[str, Any]) -> str:
    label = results["reform"]["label"]
    return str(label.get(language()) or label.get("da"))

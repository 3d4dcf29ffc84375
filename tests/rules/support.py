"""Helpers for the rules tests: a base claim to vary, and the invariants every decision keeps."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from datetime import date
from typing import Any

BASE_CLAIM: dict[str, Any] = {
    "schema": "ajour.claim/1",
    "filed_on": "2025-03-10",
    "claimant": {"role": "gp_owner", "has_account": True, "annual_allocation_ore": None},
    "balances": {"self_chosen_ore": 2140000, "systematic_days": 3, "staff_ore": 0, "material_used_ore": 0},
    "activity": {
        "id": "2025-0142",
        "type": "course",
        "approval": "self_chosen",
        "laegedage": False,
        "practice_purchase": False,
        "purchased_on": None,
        "days": [
            {"date": "2025-03-06", "from": "09:00", "to": "16:30", "break_minutes": 60, "attended": True}
        ],
    },
    "account": "auto",
    "expenses": {"course_fee_ore": 0, "transport_ore": 0, "material_ore": 0},
    "staff": None,
}


def merged(base: Mapping[str, Any], changes: Mapping[str, Any]) -> dict[str, Any]:
    """``base`` with ``changes`` merged in: objects recursively, everything else replaced."""
    result = copy.deepcopy(dict(base))
    for key, value in changes.items():
        if isinstance(value, Mapping) and isinstance(result.get(key), Mapping):
            result[key] = merged(result[key], value)
        else:
            result[key] = copy.deepcopy(value)
    return result


def claim(**changes: Any) -> dict[str, Any]:
    return merged(BASE_CLAIM, changes)


def iso(value: Any) -> Any:
    """YAML dates back to ISO strings, recursively (claims are JSON, where dates are strings)."""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {key: iso(item) for key, item in value.items()}
    if isinstance(value, list):
        return [iso(item) for item in value]
    return value


def check_invariants(decision: Mapping[str, Any], payload: Mapping[str, Any]) -> None:
    """What quote.md promises about every decision of the claim ``payload``."""
    lines = decision["lines"]
    draws = decision["draws"]
    balances = payload["balances"]
    assert draws["self_chosen_ore"] <= balances["self_chosen_ore"]
    assert draws["staff_ore"] <= (balances.get("staff_ore") or 0)
    assert draws["systematic_days"] <= balances["systematic_days"]
    assert decision["payable_ore"] == sum(line["approved_ore"] for line in lines)
    on_account = {
        account: sum(line["approved_ore"] for line in lines if line["account"] == account)
        for account in ("self_chosen", "staff")
    }
    assert decision["outcome"] in ("approved", "reduced", "rejected")
    assert (decision["outcome"] == "rejected") == (decision["payable_ore"] == 0)
    if decision["outcome"] == "rejected":
        assert draws == {"self_chosen_ore": 0, "systematic_days": 0, "staff_ore": 0}
        assert decision["reasons"]
    else:
        assert draws["self_chosen_ore"] == on_account["self_chosen"]
        assert draws["staff_ore"] == on_account["staff"]
        assert (decision["outcome"] == "approved") == (not decision["reasons"])
    codes = [reason["code"] for reason in decision["reasons"]]
    assert len(codes) == len(set(codes))
    for line in lines:
        assert line["approved_ore"] >= 0
        if line["requested_ore"] is not None:
            assert line["approved_ore"] <= line["requested_ore"]
        if "cap_ore" in line:
            assert line["approved_ore"] <= line["cap_ore"]

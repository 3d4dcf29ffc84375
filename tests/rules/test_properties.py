"""Property tests: the invariants of quote.md hold for any valid claim."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from ajour.rules import decide_payload
from ajour.rules.schema import ACTIVITY_TYPES, APPROVALS, PROFESSIONS, ROLES, STAFF_TYPES

from .support import check_invariants

MONEY = st.integers(min_value=0, max_value=3_000_000)
RULES = settings(max_examples=60, derandomize=True, deadline=None)
"""Modest and deterministic, so the rules suite stays fast and every run checks the same cases."""


@st.composite
def claims(draw: st.DrawFn, *, account: str | None = None, transport: bool = True) -> dict[str, Any]:
    activity_type = draw(st.sampled_from(ACTIVITY_TYPES))
    start = draw(st.dates(min_value=date(2017, 1, 1), max_value=date(2025, 12, 31)))
    activity: dict[str, Any] = {
        "id": "2025-0001",
        "type": activity_type,
        "approval": draw(st.sampled_from(APPROVALS)),
        "laegedage": draw(st.booleans()),
        "practice_purchase": draw(st.booleans()),
    }
    if activity_type == "study_material":
        activity["purchased_on"] = start.isoformat()
        last = start
    else:
        offsets = draw(st.lists(st.integers(0, 10), min_size=1, max_size=4, unique=True))
        days = []
        for offset in offsets:
            opens = draw(st.integers(0, 23 * 60))
            closes = draw(st.integers(opens, min(opens + 12 * 60, 23 * 60 + 59)))
            days.append(
                {
                    "date": (start + timedelta(days=offset)).isoformat(),
                    "from": f"{opens // 60:02d}:{opens % 60:02d}",
                    "to": f"{closes // 60:02d}:{closes % 60:02d}",
                    "break_minutes": draw(st.sampled_from((0, 15, 30, 60, 90))),
                    "attended": draw(st.booleans()),
                }
            )
        activity["days"] = days
        last = start + timedelta(days=max(offsets))
    payload: dict[str, Any] = {
        "schema": "ajour.claim/1",
        "filed_on": (last + timedelta(days=draw(st.integers(-3, 800)))).isoformat(),
        "claimant": {
            "role": draw(st.sampled_from(ROLES)),
            "has_account": draw(st.booleans() | st.just(True)),
            "annual_allocation_ore": draw(st.none() | MONEY),
        },
        "balances": {
            "self_chosen_ore": draw(MONEY),
            "systematic_days": draw(st.integers(0, 12)) / 2,
            "staff_ore": draw(MONEY),
            "material_used_ore": draw(st.integers(0, 600_000)),
        },
        "activity": activity,
        "account": account or draw(st.sampled_from(("auto", "self_chosen"))),
        "expenses": {
            "course_fee_ore": draw(MONEY),
            "transport_ore": draw(MONEY) if transport else 0,
            "material_ore": draw(st.integers(0, 800_000)),
        },
    }
    if activity_type in STAFF_TYPES:
        payload["staff"] = {
            "profession": draw(st.sampled_from(PROFESSIONS)),
            "weekly_hours": draw(st.integers(0, 80)),
        }
    return payload


@RULES
@given(claims())
def test_every_decision_keeps_the_invariants(payload: dict[str, Any]) -> None:
    decision = decide_payload(payload)
    check_invariants(decision, payload)
    assert json.dumps(decision) == json.dumps(decide_payload(payload)), "same input, same output"


@RULES
@given(claims())
def test_languages_differ_only_in_texts(payload: dict[str, Any]) -> None:
    english, danish = decide_payload(payload), decide_payload(payload, lang="da")
    for decision in (english, danish):
        for line in decision["lines"]:
            line.pop("detail")
        for reason in decision["reasons"]:
            reason.pop("message")
    assert english == danish


@RULES
@given(claims(account="self_chosen", transport=False), st.integers(1, 240), st.data())
def test_more_attended_hours_never_pay_less(payload: dict[str, Any], extra: int, data: st.DataObject) -> None:
    """Without systematic days and transport: a day that starts to qualify can draw a systematic
    day earlier days needed, or join two transport blocks (see README, "Readings")."""
    days = payload["activity"].get("days", [])
    if not days:
        return
    index = data.draw(st.integers(0, len(days) - 1))
    longer = json.loads(json.dumps(payload))
    hours, minutes = map(int, days[index]["to"].split(":"))
    closes = min(hours * 60 + minutes + extra, 23 * 60 + 59)
    longer["activity"]["days"][index]["to"] = f"{closes // 60:02d}:{closes % 60:02d}"
    assert decide_payload(longer)["payable_ore"] >= decide_payload(payload)["payable_ore"]


@RULES
@given(claims(), st.integers(0, 800))
def test_filing_later_never_pays_more(payload: dict[str, Any], later: int) -> None:
    first = decide_payload(payload)
    moved = json.loads(json.dumps(payload))
    filed = date.fromisoformat(payload["filed_on"]) + timedelta(days=later)
    moved["filed_on"] = filed.isoformat()
    second = decide_payload(moved)
    codes = [reason["code"] for reason in first["reasons"]]
    if "NOT_YET_HELD" in codes:
        return
    if second["payable_ore"]:
        assert second == first
    else:
        assert second["payable_ore"] <= first["payable_ore"]

"""Validation of ``ajour.claim/1``: the first invalid field in document order is named."""

from __future__ import annotations

from typing import Any

import pytest

from ajour.rules import InvalidClaim, parse_claim

from .support import BASE_CLAIM, claim

DAY = {"date": "2025-03-06", "from": "09:00", "to": "16:30"}
STAFF = {"profession": "nurse", "weekly_hours": 37}
MATERIAL = {"type": "study_material", "purchased_on": "2025-02-01", "days": []}


def _error(payload: Any) -> InvalidClaim:
    with pytest.raises(InvalidClaim) as caught:
        parse_claim(payload)
    return caught.value


INVALID = [
    ("not_an_object", [], ""),
    ("wrong_schema", claim(schema="ajour.claim/2"), "schema"),
    ("unknown_top_level_field", claim(extra=1), "extra"),
    ("filed_on_not_a_date", claim(filed_on="10-03-2025"), "filed_on"),
    ("filed_on_impossible", claim(filed_on="2025-02-30"), "filed_on"),
    ("filed_on_not_iso_digits", claim(filed_on="20250310"), "filed_on"),
    ("filed_on_before_the_window", claim(filed_on="1999-12-31"), "filed_on"),
    (
        "day_after_the_window",
        claim(activity={"days": [{**DAY, "date": "9999-12-31"}]}),
        "activity.days[0].date",
    ),
    (
        "purchase_before_the_window",
        claim(activity={**MATERIAL, "purchased_on": "0001-01-01"}),
        "activity.purchased_on",
    ),
    ("filed_on_null", claim(filed_on=None), "filed_on"),
    ("claimant_not_object", claim(claimant="gp"), "claimant"),
    ("unknown_role", claim(claimant={"role": "retired"}), "claimant.role"),
    ("has_account_not_bool", claim(claimant={"has_account": 1}), "claimant.has_account"),
    ("negative_allocation", claim(claimant={"annual_allocation_ore": -1}), "claimant.annual_allocation_ore"),
    ("unknown_claimant_field", claim(claimant={"name": "x"}), "claimant.name"),
    ("float_money", claim(balances={"self_chosen_ore": 100.0}), "balances.self_chosen_ore"),
    ("bool_money", claim(balances={"self_chosen_ore": True}), "balances.self_chosen_ore"),
    ("negative_balance", claim(balances={"staff_ore": -5}), "balances.staff_ore"),
    ("systematic_days_quarter", claim(balances={"systematic_days": 0.25}), "balances.systematic_days"),
    ("systematic_days_negative", claim(balances={"systematic_days": -0.5}), "balances.systematic_days"),
    ("systematic_days_string", claim(balances={"systematic_days": "3"}), "balances.systematic_days"),
    (
        "systematic_days_infinite",
        claim(balances={"systematic_days": float("inf")}),
        "balances.systematic_days",
    ),
    ("activity_id_number", claim(activity={"id": 142}), "activity.id"),
    ("unknown_type", claim(activity={"type": "webinar"}), "activity.type"),
    ("unknown_approval", claim(activity={"approval": "maybe"}), "activity.approval"),
    ("laegedage_string", claim(activity={"laegedage": "yes"}), "activity.laegedage"),
    ("days_not_a_list", claim(activity={"days": {}}), "activity.days"),
    ("no_days", claim(activity={"days": []}), "activity.days"),
    ("days_null", claim(activity={"days": None}), "activity.days"),
    ("day_not_object", claim(activity={"days": ["2025-03-06"]}), "activity.days[0]"),
    ("time_format", claim(activity={"days": [{**DAY, "from": "9:00"}]}), "activity.days[0].from"),
    (
        "time_out_of_range",
        claim(activity={"days": [DAY, {**DAY, "date": "2025-03-07", "to": "24:00"}]}),
        "activity.days[1].to",
    ),
    ("time_minutes_out_of_range", claim(activity={"days": [{**DAY, "to": "16:60"}]}), "activity.days[0].to"),
    ("time_not_string", claim(activity={"days": [{**DAY, "to": 1630}]}), "activity.days[0].to"),
    (
        "to_before_from",
        claim(activity={"days": [DAY, {**DAY, "date": "2025-03-07", "to": "08:00"}]}),
        "activity.days[1].to",
    ),
    (
        "negative_break",
        claim(activity={"days": [{**DAY, "break_minutes": -1}]}),
        "activity.days[0].break_minutes",
    ),
    (
        "attended_not_bool",
        claim(activity={"days": [{**DAY, "attended": "yes"}]}),
        "activity.days[0].attended",
    ),
    ("date_twice", claim(activity={"days": [DAY, DAY]}), "activity.days[1].date"),
    (
        "day_missing_date",
        claim(activity={"days": [{"from": "09:00", "to": "10:00"}]}),
        "activity.days[0].date",
    ),
    ("unknown_day_field", claim(activity={"days": [{**DAY, "room": "A"}]}), "activity.days[0].room"),
    ("purchased_on_for_course", claim(activity={"purchased_on": "2025-02-01"}), "activity.purchased_on"),
    (
        "material_without_purchase_date",
        claim(activity={**MATERIAL, "purchased_on": None}),
        "activity.purchased_on",
    ),
    ("material_with_days", claim(activity={**MATERIAL, "days": [DAY]}), "activity.days"),
    ("staff_on_a_course", claim(staff=STAFF), "staff"),
    ("staff_missing", claim(activity={"type": "staff_course"}), "staff"),
    (
        "unknown_profession",
        claim(activity={"type": "pge_module"}, staff={**STAFF, "profession": "dentist"}),
        "staff.profession",
    ),
    (
        "weekly_hours_above_80",
        claim(activity={"type": "pge_module"}, staff={**STAFF, "weekly_hours": 81}),
        "staff.weekly_hours",
    ),
    (
        "weekly_hours_negative",
        claim(activity={"type": "pge_module"}, staff={**STAFF, "weekly_hours": -1}),
        "staff.weekly_hours",
    ),
    (
        "weekly_hours_bool",
        claim(activity={"type": "pge_module"}, staff={**STAFF, "weekly_hours": True}),
        "staff.weekly_hours",
    ),
    (
        "staff_missing_hours",
        claim(activity={"type": "pge_module"}, staff={"profession": "nurse"}),
        "staff.weekly_hours",
    ),
    ("unknown_account", claim(account="systematic"), "account"),
    ("unknown_balance", claim(balances={"bonus_ore": 1}), "balances.bonus_ore"),
    ("unknown_activity_field", claim(activity={"room": "A"}), "activity.room"),
    (
        "unknown_staff_field",
        claim(activity={"type": "pge_module"}, staff={**STAFF, "shift": "day"}),
        "staff.shift",
    ),
    ("negative_expense", claim(expenses={"transport_ore": -100}), "expenses.transport_ore"),
    ("unknown_expense", claim(expenses={"parking_ore": 100}), "expenses.parking_ore"),
]


@pytest.mark.parametrize(("payload", "field"), [pytest.param(p, f, id=name) for name, p, f in INVALID])
def test_invalid_field_is_named(payload: Any, field: str) -> None:
    error = _error(payload)
    assert error.field == field
    assert error.as_json() == {"error": "invalid_claim", "field": field, "message": error.message}
    assert error.message


def test_missing_required_field() -> None:
    payload = claim()
    del payload["balances"]
    assert _error(payload).field == "balances"


@pytest.mark.parametrize(
    ("where", "field"),
    [("claimant", "role"), ("balances", "self_chosen_ore"), ("activity", "id"), ("activity", "days")],
)
def test_missing_nested_field(where: str, field: str) -> None:
    payload = claim()
    del payload[where][field]
    assert _error(payload).field == f"{where}.{field}"


def test_a_whole_number_may_be_an_int_subclass() -> None:
    class Ore(int):
        pass

    assert parse_claim(claim(balances={"self_chosen_ore": Ore(5)})).balances.self_chosen_ore == 5


def test_study_material_days_may_be_null() -> None:
    assert parse_claim(claim(activity={**MATERIAL, "days": None})).activity.days == ()


def test_missing_field_is_named_after_present_fields() -> None:
    payload = claim(account="wrong")
    del payload["filed_on"]
    assert _error(payload).field == "account"


def test_first_invalid_field_in_document_order() -> None:
    payload = claim(filed_on="bad", expenses={"course_fee_ore": -1})
    assert _error(payload).field == "filed_on"
    reordered = {"expenses": payload["expenses"], **{k: v for k, v in payload.items() if k != "expenses"}}
    assert _error(reordered).field == "expenses.course_fee_ore"


DAY_ORDER = [
    # A cross-field error is named at the place of the field it names, before any later invalid field.
    (
        "to_before_from_before_a_negative_break",
        {"date": "2025-03-06", "from": "10:00", "to": "09:00", "break_minutes": -1},
        "activity.days[1].to",
    ),
    (
        "to_before_from_before_an_unknown_field",
        {"date": "2025-03-06", "from": "10:00", "to": "09:00", "room": "A"},
        "activity.days[1].to",
    ),
    (
        "to_given_first_before_from",
        {"to": "09:00", "break_minutes": -1, "from": "10:00"},
        "activity.days[1].to",
    ),
    (
        "to_given_first_invalid_from",
        {"to": "09:00", "from": "9", "date": "2025-03-06"},
        "activity.days[1].from",
    ),
    (
        "date_twice_before_a_bad_time",
        {"date": "2025-03-05", "from": "9", "to": "16:00"},
        "activity.days[1].date",
    ),
    ("date_twice_before_an_unknown_field", {"room": "A", "date": "2025-03-05"}, "activity.days[1].room"),
]


@pytest.mark.parametrize(("second_day", "field"), [pytest.param(d, f, id=name) for name, d, f in DAY_ORDER])
def test_day_cross_field_errors_in_document_order(second_day: dict[str, Any], field: str) -> None:
    first = {"date": "2025-03-05", "from": "09:00", "to": "16:30"}
    assert _error(claim(activity={"days": [first, second_day]})).field == field


def test_cross_field_rule_uses_a_type_given_later() -> None:
    payload = claim()
    payload["activity"] = {"days": [DAY], "id": "x", "type": "study_material", "approval": "self_chosen"}
    assert _error(payload).field == "activity.days"


def test_optional_fields_take_defaults_when_null_or_absent() -> None:
    payload = claim(expenses=None, staff=None, account=None)
    del payload["balances"]["staff_ore"]
    payload["activity"]["days"] = [{**DAY, "break_minutes": None, "attended": None}]
    parsed = parse_claim(payload)
    assert parsed.account == "auto"
    assert parsed.expenses.course_fee_ore == 0
    assert parsed.balances.staff_ore == 0
    assert parsed.activity.days[0].break_minutes == 0
    assert parsed.activity.days[0].attended is True


def test_systematic_days_become_half_days() -> None:
    assert parse_claim(claim(balances={"systematic_days": 2.5})).balances.systematic_half_days == 5
    assert parse_claim(claim(balances={"systematic_days": 3})).balances.systematic_half_days == 6


def test_study_material_without_days() -> None:
    payload = claim(activity=MATERIAL)
    del payload["activity"]["days"]
    parsed = parse_claim(payload)
    assert parsed.activity.days == ()
    assert parsed.activity.purchased_on is not None


def test_staff_claim_parses() -> None:
    parsed = parse_claim(claim(activity={"type": "staff_course"}, staff={**STAFF, "weekly_hours": 20.5}))
    assert parsed.staff is not None and parsed.staff.weekly_hours == 20.5


def test_attended_days_sorted_by_date() -> None:
    later = {**DAY, "date": "2025-03-07"}
    absent = {**DAY, "date": "2025-03-05", "attended": False}
    parsed = parse_claim(claim(activity={"days": [later, absent, DAY]}))
    assert [day.date.isoformat() for day in parsed.activity.attended_days] == ["2025-03-06", "2025-03-07"]


def test_base_claim_is_valid() -> None:
    assert parse_claim(BASE_CLAIM).activity.id == "2025-0142"


def test_invalid_claim_text() -> None:
    assert str(InvalidClaim("", "is not valid JSON")) == "(document): is not valid JSON"
    assert str(InvalidClaim("schema", "bad")) == "schema: bad"

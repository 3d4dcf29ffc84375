"""The dated parameter store: lookup by date, the shipped files, reforms, the table."""

from __future__ import annotations

from datetime import date

import pytest

from ajour.rules import RULES_VERSION, ParameterSet, decide, parameter_table, parse_claim
from ajour.rules.parameters import ParameterError, load_parameters
from ajour.rules.reforms import shipped_reforms

from .support import claim

GOOD = """
fee.x:
  unit: ore
  label: {en: X, da: X}
  values:
    - {valid_from: 2020-01-01, value: 100, source: S01}
    - {valid_from: 2022-01-01, value: 200, source: S02, note: assumed}
"""


def test_lookup_by_date_and_earliest_value_before_the_first() -> None:
    parameter = load_parameters({"x.yaml": GOOD})["fee.x"]
    assert parameter.at(date(2019, 1, 1)).value == 100
    assert parameter.at(date(2021, 12, 31)).value == 100
    assert parameter.at(date(2022, 1, 1)).value == 200
    assert parameter.at(date(2022, 1, 1)).assumed is True
    assert parameter.at(date(2020, 1, 1)).assumed is False


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (GOOD.replace("unit: ore", "unit: dkk"), "unknown unit"),
        (GOOD.replace("value: 200", "value: 2.5"), "does not fit unit"),
        (GOOD.replace("value: 200", "value: true"), "does not fit unit"),
        (GOOD.replace("value: 200", "value: 2022-02-02"), "does not fit unit"),
        (GOOD.replace("2022-01-01", "2019-01-01"), "ascending"),
        (GOOD.replace("2022-01-01", "2020-01-01"), "ascending"),
    ],
)
def test_malformed_parameter_files(text: str, message: str) -> None:
    with pytest.raises(ParameterError, match=message):
        load_parameters({"x.yaml": text})


def test_shipped_values_from_quote_md() -> None:
    rows = {row.name: row for row in parameter_table(date(2025, 3, 6))}
    assert rows["fee.self_chosen.full"].value == 400000
    assert rows["fee.systematic.half"].value == 225000
    assert rows["cap.course_fee.per_day"].value == 280000
    assert rows["cap.course_fee.per_day"].assumed is True
    assert rows["lost_earnings.pge_module"].value == 141000
    assert rows["staff.scheme_start"].value == date(2023, 7, 1)
    assert rows["material.share"].value == 2500
    assert [rows[f"allocation.{role}"].value for role in ("gp_owner", "gp_employed")] == [2140000, 2140000]
    assert [rows[f"allocation.{role}"].value for role in ("trainee_phase2", "trainee_phase3", "locum")] == [
        200000,
        400000,
        0,
    ]
    assert all(row.label_da and row.label_en and row.source for row in rows.values())
    old = {row.name: row for row in parameter_table(date(2019, 12, 31))}
    assert old["fee_window.end"].value == 1080
    assert old["fee.self_chosen.half"].value == 130000


def test_default_set_is_loaded_once() -> None:
    assert ParameterSet.default() is ParameterSet.default()
    assert ParameterSet.default().version == RULES_VERSION == "2026.1"


def test_override_changes_the_version_and_the_decision() -> None:
    base = ParameterSet.default()
    reform = base.with_overrides({"fee.self_chosen.full": 500000})
    assert reform.version.startswith("2026.1+") and reform.version != base.version
    assert reform.version == base.with_overrides({"fee.self_chosen.full": 500000}).version
    decision = decide(parse_claim(claim()), reform)
    assert decision.payable_ore == 500000
    assert decision.rules_version == reform.version
    assert (
        decision.snapshot is not None and decision.snapshot.entries["fee.self_chosen.full"].source == "reform"
    )
    assert decide(parse_claim(claim()), base).payable_ore == 400000


def test_overrides_accumulate() -> None:
    once = ParameterSet.default().with_overrides({"fee.self_chosen.full": 1})
    twice = once.with_overrides({"fee.self_chosen.half": 1})
    assert (
        twice.version
        == ParameterSet.default()
        .with_overrides({"fee.self_chosen.full": 1, "fee.self_chosen.half": 1})
        .version
    )


def test_date_override() -> None:
    reform = ParameterSet.default().with_overrides({"staff.scheme_start": date(2024, 1, 1)})
    assert reform.on(date(2025, 1, 1)).dates["staff.scheme_start"] == date(2024, 1, 1)


@pytest.mark.parametrize(
    "overrides",
    [{"fee.unknown": 1}, {"fee.self_chosen.full": date(2025, 1, 1)}, {"staff.scheme_start": 5}],
)
def test_bad_overrides(overrides: dict[str, int | date]) -> None:
    with pytest.raises(ParameterError):
        ParameterSet.default().with_overrides(overrides)


def test_dsam_reform_changes_the_day_thresholds() -> None:
    """DSAM's proposal: 2-hour blocks make a 2 h day a half day and a 4 h day a full day."""
    payload = claim(activity={"days": [{"date": "2025-03-06", "from": "09:00", "to": "13:00"}]})
    today = decide(parse_claim(payload))
    reform = shipped_reforms()["dsam_3x2h"].parameters()
    proposed = decide(parse_claim(payload), reform)
    assert (today.days[0].day_class, today.payable_ore) == ("half", 200000)
    assert (proposed.days[0].day_class, proposed.payable_ore) == ("full", 400000)
    assert proposed.rules_version != today.rules_version


def test_parameter_table_of_a_reform() -> None:
    reform = shipped_reforms()["dsam_3x2h"].parameters(ParameterSet.default())
    rows = {row.name: row for row in parameter_table(date(2025, 1, 1), reform)}
    assert rows["threshold.half_day"].value == 120
    assert rows["threshold.half_day"].source == "reform"
    before = {row.name: row for row in parameter_table(date(2024, 12, 31), reform)}
    assert (before["threshold.half_day"].value, before["threshold.half_day"].source) == (180, "S03")


def test_dated_changes_keep_the_values_before_and_replace_those_after() -> None:
    base = ParameterSet.default()
    reform = base.with_changes(
        {"fee.self_chosen.full": [(date(2024, 1, 1), 450000), (date(2026, 1, 1), 500000)]}
    )
    values = [reform.on(date(year, 6, 1)).ints["fee.self_chosen.full"] for year in (2019, 2023, 2024, 2026)]
    assert values == [260000, 400000, 450000, 500000]
    assert reform.version.startswith("2026.1+") and reform.version != base.with_overrides({}).version
    assert reform.version != base.with_changes({"fee.self_chosen.full": [(date(2024, 1, 2), 450000)]}).version
    same = base.with_changes(
        {"fee.self_chosen.full": [(date(2026, 1, 1), 500000), (date(2024, 1, 1), 450000)]}
    )
    assert same.version == reform.version
    both = reform.with_overrides({"fee.self_chosen.half": 1})
    assert both.version not in (reform.version, base.with_overrides({"fee.self_chosen.half": 1}).version)


@pytest.mark.parametrize(
    "changes",
    [
        {"fee.unknown": [(date(2025, 1, 1), 1)]},
        {"fee.self_chosen.full": [(date(2025, 1, 1), "x")]},
        {"fee.self_chosen.full": []},
        {"fee.self_chosen.full": [(date(2025, 1, 1), 1), (date(2025, 1, 1), 2)]},
    ],
)
def test_bad_dated_changes(changes: dict[str, list[tuple[date, object]]]) -> None:
    with pytest.raises(ParameterError):
        ParameterSet.default().with_changes(changes)


CODES = """
eligibility.x:
  unit: codes
  label: {en: X, da: X}
  values:
    - {valid_from: 2020-01-01, value: [b, a], source: S01}
"""


def test_code_lists_are_sets_of_names() -> None:
    parameter = load_parameters({"x.yaml": CODES})["eligibility.x"]
    assert parameter.at(date(2020, 1, 1)).value == frozenset({"a", "b"})
    with pytest.raises(ParameterError, match="does not fit unit"):
        load_parameters({"x.yaml": CODES.replace("[b, a]", "[b, 1]")})
    with pytest.raises(ParameterError, match="does not fit unit"):
        load_parameters({"x.yaml": CODES.replace("[b, a]", "b")})


def test_rules_outside_the_fee_tables_are_dated_parameters_with_units() -> None:
    rows = {row.name: row for row in parameter_table(date(2025, 3, 6))}
    units = {name: row.unit for name, row in rows.items()}
    assert units["systematic.per_year"] == "half_days" and rows["systematic.per_year"].value == 6
    assert units["trainee_phase2.period_months"] == units["trainee_phase3.period_months"] == "months"
    assert (rows["trainee_phase2.period_months"].value, rows["trainee_phase3.period_months"].value) == (6, 12)
    assert (units["claim.filing_deadline_years"], rows["claim.filing_deadline_years"].value) == ("years", 1)
    assert (units["appeal.min_characters"], rows["appeal.min_characters"].value) == ("characters", 10)
    assert (
        rows["individual_approval.breadth_from"].unit,
        rows["individual_approval.breadth_from"].value,
    ) == (
        "half_days",
        8,
    )
    assert rows["individual_approval.similar_years"].value == 5
    assert rows["eligibility.staff_ineligible_professions"].value == frozenset(
        {"medical_student", "trainee_doctor", "other"}
    )
    assert rows["eligibility.systematic_activity_types"].value == frozenset({"course", "sge_day"})
    assert all(row.label_da and row.label_en and row.source for row in rows.values())


def test_the_staff_account_is_5000_dkk_per_capacity_for_the_rest_of_2023_then_an_assumed_6000_a_year() -> (
    None
):
    rest_of_2023 = {row.name: row for row in parameter_table(date(2023, 12, 31))}["staff.per_capacity"]
    from_2024 = {row.name: row for row in parameter_table(date(2024, 1, 1))}["staff.per_capacity"]
    assert (rest_of_2023.value, rest_of_2023.source, rest_of_2023.assumed) == (500000, "S42", False)
    assert (from_2024.value, from_2024.assumed) == (600000, True)


def test_a_reform_can_change_who_is_eligible_and_the_filing_deadline() -> None:
    other = claim(
        activity={"type": "staff_course", "approval": "self_chosen"},
        balances={"staff_ore": 1000000},
        staff={"profession": "other", "weekly_hours": 37},
    )
    late = claim(filed_on="2027-01-02")
    assert decide(parse_claim(other)).reasons[0].code == "STAFF_NOT_ELIGIBLE"
    assert decide(parse_claim(late)).reasons[0].code == "DEADLINE_PASSED"
    reform = ParameterSet.default().with_overrides(
        {"eligibility.staff_ineligible_professions": ["medical_student"], "claim.filing_deadline_years": 2}
    )
    assert (
        reform.version
        == ParameterSet.default()
        .with_overrides(
            {
                "claim.filing_deadline_years": 2,
                "eligibility.staff_ineligible_professions": ("medical_student",),
            }
        )
        .version
    )
    assert decide(parse_claim(other), reform).outcome == "approved"
    assert decide(parse_claim(late), reform).outcome == "approved"
    assert "claim.filing_deadline_years" not in decide(parse_claim(late), reform).parameters_used

"""Reform documents: the shipped examples, validation with the offending key named, switches, dates."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from ajour.rules import ParameterSet
from ajour.rules.reforms import SWITCHES, ReformError, check_dates, load_reform, parse_reform, shipped_reforms

from .support import merged

DOCUMENT: dict[str, Any] = {
    "schema": "ajour.reform/1",
    "name": "cap_3000",
    "version": 2,
    "label": {"da": "Kursusafgift højst 3.000 kr.", "en": "Course fee at most 3,000 DKK"},
    "description": {"da": "Loftet hæves.", "en": "The cap is raised."},
    "overrides": [
        {"parameter": "cap.course_fee.per_day", "valid_from": "2025-01-01", "unit": "ore", "value": 300000}
    ],
}


def test_the_three_shipped_examples_load_and_survive_a_round_trip() -> None:
    reforms = shipped_reforms()
    assert sorted(reforms) == ["allocation_23000", "dsam_3x2h", "uniform_dge_grant"]
    for reform in reforms.values():
        assert parse_reform(reform.document()) == reform
        assert load_reform(reform.yaml()) == reform
        assert reform.label("da") != reform.label("en") and reform.description("da") != reform.description(
            "en"
        )
    allocation = reforms["allocation_23000"].parameters()
    assert allocation.on(date(2024, 12, 31)).ints["allocation.gp_owner"] == 2140000
    assert allocation.on(date(2025, 1, 1)).ints["allocation.gp_employed"] == 2300000


def test_a_reform_is_a_dated_change_with_its_own_rules_version() -> None:
    reform = parse_reform(DOCUMENT)
    parameters = reform.parameters()
    assert parameters.on(date(2024, 6, 1)).ints["cap.course_fee.per_day"] == 280000
    assert parameters.on(date(2025, 6, 1)).ints["cap.course_fee.per_day"] == 300000
    assert parameters.version.startswith("2026.1+")
    assert reform.dates() == [date(2025, 1, 1)]
    assert reform.changed_parameters() == frozenset({"cap.course_fee.per_day"})
    assert reform.document()["overrides"] == [
        {"parameter": "cap.course_fee.per_day", "valid_from": "2025-01-01", "unit": "ore", "value": 300000}
    ]


def test_values_of_every_kind_of_unit() -> None:
    reform = parse_reform(
        merged(
            DOCUMENT,
            {
                "overrides": [
                    {
                        "parameter": "staff.scheme_start",
                        "valid_from": date(2024, 1, 1),
                        "unit": "date",
                        "value": "2024-01-01",
                    },
                    {
                        "parameter": "eligibility.staff_claimant_roles",
                        "valid_from": "2024-01-01",
                        "unit": "codes",
                        "value": ["gp_owner"],
                    },
                ]
            },
        )
    )
    assert [override.value for override in reform.overrides] == [date(2024, 1, 1), frozenset({"gp_owner"})]
    assert reform.document()["overrides"][0]["value"] == "2024-01-01"  # type: ignore[index]
    assert reform.document()["overrides"][1]["value"] == ["gp_owner"]  # type: ignore[index]


def test_switches_turn_rules_off_and_back_on() -> None:
    reform = parse_reform(
        merged(
            DOCUMENT,
            {
                "overrides": [],
                "switches": [
                    {"switch": "carry_over", "valid_from": "2025-01-01", "on": False},
                    {"switch": "carry_over", "valid_from": "2026-01-01", "on": True},
                    {"switch": "transport", "valid_from": "2025-01-01"},
                ],
            },
        )
    )
    parameters = reform.parameters()
    assert parameters.on(date(2025, 6, 1)).ints["yearend.carry_over_years"] == 0
    assert parameters.on(date(2026, 6, 1)).ints["yearend.carry_over_years"] == 1
    assert parameters.on(date(2025, 6, 1)).ints["cap.transport.laegedage"] == 0
    assert reform.dates() == [date(2025, 1, 1), date(2026, 1, 1)]
    assert SWITCHES["study_material"].label("da").startswith("Studiemateriale")
    assert SWITCHES["study_material"].label("en").startswith("Study material")
    assert load_reform(reform.yaml()) == reform


@pytest.mark.parametrize(
    ("changes", "key", "english", "danish"),
    [
        ({"schema": "ajour.reform/2"}, "schema", "must be ajour.reform/1", "skal være ajour.reform/1"),
        ({"name": "Bad Name"}, "name", "lower-case", "små bogstaver"),
        ({"name": None}, "name", "is required", "skal udfyldes"),
        ({"version": 0}, "version", "whole number", "helt tal"),
        ({"version": True}, "version", "whole number", "helt tal"),
        ({"colour": "red"}, "colour", "not a key of ajour.reform/1", "ikke en nøgle"),
        ({"label": "x"}, "label", "must be an object", "skal være et objekt"),
        ({"label": {"fr": "x"}}, "label.fr", "not a key of da, en", "ikke en nøgle"),
        ({"label": {"da": "", "en": "x"}}, "label.da", "at most 120", "højst 120"),
        ({"description": {"da": "x", "en": 5}}, "description.en", "at most 2000", "højst 2000"),
        ({"overrides": "x"}, "overrides", "must be a list", "skal være en liste"),
        ({"overrides": []}, "overrides", "at least one", "mindst én"),
        ({"overrides": ["x"]}, "overrides[0]", "must be an object", "skal være et objekt"),
        (
            {"overrides": [{"parameter": "fee.nope"}]},
            "overrides[0].parameter",
            "fee.nope is not a parameter",
            "ikke en parameter",
        ),
        (
            {"overrides": [{"parameter": 5}]},
            "overrides[0].parameter",
            "5 is not a parameter",
            "ikke en parameter",
        ),
        (
            {"overrides": [{"parameter": "fee.dge_module", "x": 1}]},
            "overrides[0].x",
            "not a key of an override",
            "ikke en nøgle",
        ),
        (
            {"overrides": [{"parameter": "fee.dge_module", "valid_from": "2025-02-30"}]},
            "overrides[0].valid_from",
            "YYYY-MM-DD",
            "ÅÅÅÅ-MM-DD",
        ),
        (
            {"overrides": [{"parameter": "fee.dge_module", "valid_from": "1/1/2025"}]},
            "overrides[0].valid_from",
            "YYYY-MM-DD",
            "ÅÅÅÅ-MM-DD",
        ),
        (
            {
                "overrides": [
                    {"parameter": "fee.dge_module", "valid_from": "2025-01-01", "unit": "dkk", "value": 1}
                ]
            },
            "overrides[0].unit",
            "fee.dge_module is in ore, not dkk",
            "fee.dge_module er i ore, ikke dkk",
        ),
        (
            {
                "overrides": [
                    {"parameter": "fee.dge_module", "valid_from": "2025-01-01", "unit": "ore", "value": 1.5}
                ]
            },
            "overrides[0].value",
            "1.5 does not fit fee.dge_module, which is in ore",
            "1.5 passer ikke til fee.dge_module",
        ),
        (
            {
                "overrides": [
                    {"parameter": "fee.dge_module", "valid_from": "2025-01-01", "unit": "ore", "value": -1}
                ]
            },
            "overrides[0].value",
            "cannot be negative",
            "kan ikke være negativ",
        ),
        (
            {
                "overrides": [
                    {
                        "parameter": "staff.scheme_start",
                        "valid_from": "2025-01-01",
                        "unit": "date",
                        "value": 3,
                    }
                ]
            },
            "overrides[0].value",
            "YYYY-MM-DD",
            "ÅÅÅÅ-MM-DD",
        ),
        (
            {"overrides": [DOCUMENT["overrides"][0], DOCUMENT["overrides"][0]]},
            "overrides[1].valid_from",
            "cap.course_fee.per_day is changed twice from 2025-01-01",
            "ændres to gange",
        ),
        (
            {"switches": [{"switch": "holidays"}]},
            "switches[0].switch",
            "holidays is not a rule switch",
            "ikke en regel",
        ),
        (
            {"switches": [{"switch": "transport", "valid_from": "2025-01-01", "on": "no"}]},
            "switches[0].on",
            "true or false",
            "true eller false",
        ),
        (
            {"switches": [{"switch": "transport", "on": False}]},
            "switches[0].valid_from",
            "is required",
            "skal udfyldes",
        ),
        (
            {
                "overrides": [
                    {
                        "parameter": "material.share",
                        "valid_from": "2025-01-01",
                        "unit": "basis_points",
                        "value": 1,
                    }
                ],
                "switches": [{"switch": "study_material", "valid_from": "2025-01-01"}],
            },
            "switches[0].valid_from",
            "material.share is changed twice",
            "ændres to gange",
        ),
    ],
)
def test_every_error_names_its_key_in_both_languages(
    changes: dict[str, Any], key: str, english: str, danish: str
) -> None:
    document = {**DOCUMENT, **changes}
    with pytest.raises(ReformError) as raised:
        parse_reform(document)
    assert raised.value.key == key
    assert english in raised.value.message("en")
    assert danish in raised.value.message("da")
    assert raised.value.as_json("da") == {
        "error": "invalid_reform",
        "field": key,
        "message": raised.value.message("da"),
    }


def test_a_document_that_is_not_an_object_or_not_yaml() -> None:
    with pytest.raises(ReformError, match=r"\(document\): must be an object"):
        load_reform("- a list")
    with pytest.raises(ReformError) as raised:
        load_reform("name: [unclosed")
    assert raised.value.key == "" and "YAML" in raised.value.message("en")


def test_dates_outside_the_data_are_refused_naming_the_key() -> None:
    reform = parse_reform(
        merged(DOCUMENT, {"switches": [{"switch": "transport", "valid_from": "2031-01-01", "on": False}]})
    )
    check_dates(parse_reform(DOCUMENT), first=date(2019, 1, 1), last=date(2026, 12, 31))
    with pytest.raises(ReformError) as raised:
        check_dates(reform, first=date(2019, 1, 1), last=date(2026, 12, 31))
    assert raised.value.key == "switches[0].valid_from"
    assert (
        raised.value.message("en")
        == "2031-01-01 lies outside the data, which runs from 2019-01-01 to 2026-12-31"
    )
    with pytest.raises(ReformError, match="overrides\\[0\\]"):
        check_dates(reform, first=date(2025, 6, 1), last=date(2026, 12, 31))


def test_a_reform_applies_to_another_base_set() -> None:
    base = ParameterSet.default().with_overrides({"fee.dge_module": 1})
    parameters = parse_reform(DOCUMENT).parameters(base)
    assert parameters.on(date(2025, 6, 1)).ints["fee.dge_module"] == 1

"""Runs every YAML scenario under ``scenarios/``: a claim (changes to a base claim) and the
decision fields it must produce. One file per ruling or edge case, several cases per file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from ajour.rules import decide_payload
from ajour.rules.decide import REASON_CODES

from .support import BASE_CLAIM, check_invariants, iso, merged

SCENARIOS = Path(__file__).parent / "scenarios"


def _cases() -> list[Any]:
    cases = []
    for path in sorted(SCENARIOS.glob("*.yaml")):
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
        for case in document["cases"]:
            cases.append(pytest.param(case, id=f"{path.stem}::{case['name']}"))
    return cases


CASES = _cases()


def _subset(expected: Any, actual: Any, where: str) -> None:
    if isinstance(expected, dict):
        assert isinstance(actual, dict), where
        for key, value in expected.items():
            assert key in actual, f"{where}.{key} missing"
            _subset(value, actual[key], f"{where}.{key}")
    elif isinstance(expected, list):
        assert isinstance(actual, list) and len(actual) == len(expected), f"{where}: {actual}"
        for index, (value, item) in enumerate(zip(expected, actual, strict=True)):
            _subset(value, item, f"{where}[{index}]")
    else:
        assert actual == expected, f"{where}: expected {expected!r}, got {actual!r}"


@pytest.mark.parametrize("case", CASES)
def test_scenario(case: dict[str, Any]) -> None:
    payload = merged(BASE_CLAIM, iso(case["claim"]))
    decision = decide_payload(payload, lang=case.get("lang", "en"))
    check_invariants(decision, payload)
    expected = dict(iso(case["expect"]))
    codes = expected.pop("reasons", None)
    if codes is not None:
        assert [reason["code"] for reason in decision["reasons"]] == codes
    for text in expected.pop("messages", []):
        assert any(text in reason["message"] for reason in decision["reasons"]), text
    _subset(expected, decision, "decision")


def test_every_reason_code_has_a_scenario() -> None:
    seen = {code for case in CASES for code in case.values[0]["expect"].get("reasons", [])}
    assert seen == set(REASON_CODES)


def test_every_ruling_has_a_scenario_file() -> None:
    names = {path.stem for path in SCENARIOS.glob("*.yaml")}
    assert len(names) >= 13

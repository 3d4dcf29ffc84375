"""Texts: money formats, and every reason and line rendered in both languages."""

from __future__ import annotations

from typing import Any

import pytest

from ajour.rules import decide_payload, messages
from ajour.rules.decide import Reason
from ajour.rules.messages import DANISH, ENGLISH, reason_message
from ajour.rules.serialise import days_number

from .support import BASE_CLAIM, iso, merged
from .test_scenarios import CASES


@pytest.mark.parametrize(
    ("ore", "english", "danish"),
    [
        (400000, "4,000.00 DKK", "4.000,00 kr."),
        (5, "0.05 DKK", "0,05 kr."),
        (123456789, "1,234,567.89 DKK", "1.234.567,89 kr."),
        (0, "0.00 DKK", "0,00 kr."),
    ],
)
def test_money(ore: int, english: str, danish: str) -> None:
    assert ENGLISH.money(ore) == english
    assert DANISH.money(ore) == danish


def test_numbers_and_durations() -> None:
    assert (ENGLISH.number(19.5), DANISH.number(19.5), ENGLISH.number(3.0)) == ("19.5", "19,5", "3")
    reason = Reason("DAY_TOO_SHORT", "R-DAY-1", numbers=(150,))
    assert "Less than 2 h 30 min" in reason_message(reason, ENGLISH)


@pytest.mark.parametrize("lang", ["en", "da"])
def test_activity_id_is_named_as_given(lang: str) -> None:
    payload = merged(BASE_CLAIM, {"activity": {"id": "other", "approval": "none"}})
    (reason,) = decide_payload(payload, lang=lang)["reasons"]
    assert reason["code"] == "NOT_APPROVED"
    assert " other " in reason["message"]
    changes = {"claimant": {"role": "trainee_phase2"}, "activity": {"approval": "systematic"}}
    trainee = merged(payload, changes)
    (reason,) = decide_payload(trainee, lang=lang)["reasons"]
    assert reason["code"] == "NOT_SYSTEMATIC"
    assert " other " in reason["message"]


def test_days_as_json_numbers() -> None:
    assert (days_number(0), days_number(2), days_number(3)) == (0, 1, 1.5)
    assert isinstance(days_number(2), int)


@pytest.mark.parametrize("case", CASES)
def test_every_scenario_reads_in_both_languages(case: Any) -> None:
    payload = merged(BASE_CLAIM, iso(case["claim"]))
    english, danish = decide_payload(payload, lang="en"), decide_payload(payload, lang="da")
    texts = [(a["message"], b["message"]) for a, b in zip(english["reasons"], danish["reasons"], strict=True)]
    texts += [(a["detail"], b["detail"]) for a, b in zip(english["lines"], danish["lines"], strict=True)]
    for text_en, text_da in texts:
        assert text_en != text_da
        for text in (text_en, text_da):
            assert text and "{" not in text and "}" not in text
            assert ".." not in text  # "kr." ends a Danish sentence with one period


def test_money_is_written_when_the_cache_is_full(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(messages, "_MONEY_CACHE", 0)
    language = messages.Language("x", ".", ",", "kr.", {}, {}, {}, {})
    assert language.money(123_456_789) == "1.234.567,89 kr."
    assert language.money(123_456_789) == "1.234.567,89 kr."

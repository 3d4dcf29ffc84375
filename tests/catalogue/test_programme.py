"""Programme parsing and the claim preview, which must agree with the rules engine (quote.md)."""

from __future__ import annotations

from datetime import date, time

import pytest

from ajour.catalogue.programme import DayPlan, ProgrammeError, Session, claim_preview, parse_programme


def test_sessions_make_a_day_and_the_gaps_between_them_are_breaks() -> None:
    days = parse_programme(
        "2025-03-06 09:00-10:30 Intro\n2025-03-06 10:45-12:00 Cases\n\n2025-03-06 13:00-16:30 Workshop\n"
        "2025-03-07 9.00-12.00 Opsamling"
    )
    assert [(d.date, d.starts_at, d.ends_at, d.break_minutes) for d in days] == [
        (date(2025, 3, 6), time(9), time(16, 30), 75),
        (date(2025, 3, 7), time(9), time(12), 0),
    ]
    assert days[0].sessions[1].title == "Cases"


@pytest.mark.parametrize(
    ("text", "line", "fragment"),
    [
        ("2025-03-06 09:00-12:00 A\nnot a session", 2, "2026-03-05 09:00-12:00"),
        ("2025-02-30 09:00-12:00 A", 1, "er ikke en dato"),
        ("2025-03-06 09:00-25:00 A", 1, "er ikke et klokkeslæt"),
        ("2025-03-06 12:00-09:00 A", 1, "skal slutte efter"),
        ("2025-03-06 09:00-12:00 A\n2025-03-06 11:00-13:00 B", 2, "overlapper"),
        ("   \n", 1, "mindst én session"),
    ],
)
def test_bad_programme_lines_are_named_by_number(text: str, line: int, fragment: str) -> None:
    with pytest.raises(ProgrammeError) as error:
        parse_programme(text)
    assert error.value.line == line
    assert fragment in error.value.message


def test_preview_matches_the_worked_example_of_quote_md() -> None:
    """Thu 6 and Fri 7 March 2025, 09:00–16:30 with 60 min breaks, course fee 6,000 DKK, self-chosen."""
    days = [
        DayPlan.from_sessions(day, [Session(time(9), time(12)), Session(time(13), time(16, 30))])
        for day in (date(2025, 3, 6), date(2025, 3, 7))
    ]
    preview = claim_preview(days=days, claim_type="course", approval="self_chosen", price_ore=600_000)
    assert preview is not None
    assert [d["class"] for d in preview["days"]] == ["full", "full"]
    assert [d["effective_minutes"] for d in preview["days"]] == [390, 390]
    (option,) = preview["options"]
    assert option == {
        "account": "self_chosen",
        "payable_ore": 1_360_000,  # 8,000 fee + 5,600 capped course fee; transport comes on top
        "fee_ore": 800_000,
        "course_fee_ore": 560_000,
        "systematic_half_days": 0,
        "outcome": "reduced",
    }
    assert preview["qualifying_half_days"] == 4


def test_systematic_approval_previews_the_systematic_and_the_self_chosen_account() -> None:
    days = [DayPlan(date(2025, 3, 6), time(9), time(12, 30))]  # 3 h 30 min: a half day
    preview = claim_preview(days=days, claim_type="course", approval="both", price_ore=0)
    assert preview is not None
    assert preview["days"][0]["class"] == "half"
    assert [o["account"] for o in preview["options"]] == ["systematic", "self_chosen"]
    assert preview["options"][0]["systematic_half_days"] == 1
    assert preview["options"][0]["fee_ore"] == 225_000


def test_no_preview_without_days_or_for_an_undecidable_programme() -> None:
    assert claim_preview(days=[], claim_type="course", approval="both", price_ore=0) is None
    assert (
        claim_preview(
            days=[DayPlan(date(2025, 3, 6), time(9), time(12))],
            claim_type="course",
            approval="none",
            price_ore=0,
        )
        is None
    )
    impossible = [DayPlan(date(2025, 3, 6), time(12), time(9))]
    assert claim_preview(days=impossible, claim_type="course", approval="self_chosen", price_ore=0) is None


def test_a_dge_meeting_counts_as_one_half_course_day_as_everywhere_else() -> None:
    meetings = [
        DayPlan(date(2025, 3, 4), time(17), time(19, 30)),
        DayPlan(date(2025, 3, 11), time(17), time(19)),
    ]
    preview = claim_preview(days=meetings, claim_type="dge_meeting", approval="self_chosen", price_ore=0)
    assert preview is not None
    assert [day["class"] for day in preview["days"]] == ["meeting", "meeting"]
    assert preview["qualifying_half_days"] == 2

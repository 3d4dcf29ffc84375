"""Half course days: the one count that decisions, claims, statistics and previews share."""

import pytest

from ajour.rules.days import FULL, HALF, MEETING, NONE, course_day_halves, day_halves


@pytest.mark.parametrize(("day_class", "halves"), [(FULL, 2), (HALF, 1), (MEETING, 1), (NONE, 0)])
def test_each_day_class_counts_its_half_days(day_class: str, halves: int) -> None:
    assert day_halves(day_class) == halves


def test_a_dge_meeting_counts_as_one_half_day_like_a_half_course_day() -> None:
    assert course_day_halves([MEETING]) == course_day_halves([HALF]) == 1


def test_a_decision_s_days_add_up_and_days_that_do_not_qualify_count_nothing() -> None:
    assert course_day_halves([FULL, HALF, NONE, FULL, MEETING]) == 6
    assert course_day_halves([]) == 0


def test_an_unknown_day_class_is_an_error_not_a_silent_zero() -> None:
    with pytest.raises(KeyError):
        day_halves("quarter")

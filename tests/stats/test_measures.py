"""The README's measures on small worlds whose answers are known by hand."""

from __future__ import annotations

from datetime import date

import pytest

from ajour.accounts.models import Doctor
from ajour.catalogue.models import Provider, Topic
from ajour.stats.selectors import headline
from ajour.stats.services import refresh_rollups
from tests.conftest import RulesParameters
from tests.stats import factories as f

pytestmark = pytest.mark.django_db

D = date(2024, 5, 10)


def test_participation_counts_eligible_gps_and_the_activity_year() -> None:
    claiming = f.gp()
    f.claim(claiming, on=D)
    f.claim(f.gp(), on=date(2023, 12, 31))  # activity held in 2023: counts for 2023 only
    f.gp()  # eligible, no claim
    f.gp(active_to=date(2023, 12, 31))  # left before 2024: not eligible
    f.gp(active_from=date(2025, 1, 1))  # not yet active
    rejected = f.gp()
    f.claim(rejected, on=D, rejected=True)
    trainee = f.gp(role=Doctor.Role.TRAINEE_PHASE3)
    f.claim(trainee, on=D, course_fee_ore=100_000)  # trainees get their course fee, not the daily fee
    refresh_rollups()

    measures = headline(year=2024)

    assert measures["eligible_gps"] == 4
    assert measures["gps_with_claims"] == 1
    assert measures["participation_rate"] == 0.25
    assert measures["gps_with_claims_two_years"] == 2
    assert measures["participation_rate_two_years"] == 0.5


def test_produced_course_days_by_provider_type_form_and_category() -> None:
    doctor = f.gp()
    f.claim(doctor, on=D, halves=4, at=f.instance(on=D, kind=Provider.Kind.PLO_E, topic_code="diabetes"))
    f.claim(doctor, on=D, halves=1, at=f.instance(on=D, kind=Provider.Kind.REGIONAL, topic_code="diabetes"))
    f.claim(
        doctor,
        on=D,
        halves=2,
        at=f.instance(on=D, kind=Provider.Kind.PRIVATE, topic_code="ledelse", approval="systematic"),
    )
    leadership = Topic.objects.get(code="ledelse")
    leadership.category = Topic.Category.LEADERSHIP
    leadership.save()
    f.claim(doctor, on=D, halves=1, at=f.instance(on=D, kind=None, form="dge_meeting", applicant=doctor))
    f.claim(doctor, on=D, halves=1, at=f.instance(on=D, form="dge_module"))
    f.claim(doctor, on=D, halves=2, staff=True)
    refresh_rollups()

    measures = headline(year=2024)

    assert measures["produced_course_days"] == 4.0  # 4 + 1 + 2 + 1 halves from providers
    assert measures["produced_course_days_by_provider_type"] == {
        "plo_e": 2.5,
        "regional": 0.5,
        "private": 1.0,
    }
    assert measures["produced_course_days_by_form"] == {
        "systematic": 1.0,
        "self_chosen": 2.5,
        "group_based": 1.0,
        "practice_staff": 1.0,
    }
    assert measures["share_by_category"] == {
        "medical": 0.75,
        "leadership_organisation_communication_wellbeing": 0.25,
        "other": 0.0,
    }
    assert measures["course_days_per_gp"] == 4.0
    assert measures["course_days_per_gp_including_group_based"] == 4.5


def test_a_sub_topic_counts_towards_its_parent_and_the_top_list_is_ranked() -> None:
    doctor = f.gp()
    f.claim(doctor, on=D, halves=2, at=f.instance(on=D, topic_code="psykiatri"))
    f.claim(doctor, on=D, halves=3, at=f.instance(on=D, topic_code="psykiatri/adhd"))
    f.claim(doctor, on=D, halves=4, at=f.instance(on=D, topic_code="smerter"))
    refresh_rollups()

    top = headline(year=2024)["top_topics"]

    assert [(row["topic"], row["course_days"]) for row in top] == [
        ("psykiatri", 2.5),
        ("smerter", 2.0),
        ("adhd", 1.5),
    ]


def test_provider_type_restricts_course_days_but_not_participation() -> None:
    doctor = f.gp()
    f.claim(doctor, on=D, halves=2, at=f.instance(on=D, kind=Provider.Kind.PLO_E))
    f.claim(f.gp(), on=D, halves=6, at=f.instance(on=D, kind=Provider.Kind.PRIVATE))
    refresh_rollups()

    measures = headline(year=2024, provider_kind="plo_e")

    assert measures["gps_with_claims"] == 2
    assert measures["produced_course_days"] == 1.0
    assert measures["series"]["2024"]["produced_course_days"] == 1.0
    assert measures["series"]["2019"]["produced_course_days"] == 0.0
    assert set(measures["series"]) == {str(y) for y in range(2019, 2025)}


def test_the_series_ends_with_the_chosen_year() -> None:
    f.claim(f.gp(), on=D, halves=2)
    refresh_rollups()

    assert set(headline(year=2024)["series"]) == {str(y) for y in range(2019, 2025)}
    assert set(headline(year=2027)["series"]) == {str(y) for y in range(2019, 2028)}


def test_series_shows_each_year_and_topic() -> None:
    doctor = f.gp()
    f.claim(doctor, on=date(2020, 3, 1), halves=2, at=f.instance(on=date(2020, 3, 1), topic_code="psykiatri"))
    f.claim(doctor, on=D, halves=6, at=f.instance(on=D, topic_code="psykiatri"))
    refresh_rollups()

    series = headline(year=2024)["series"]

    assert series["2020"]["topics"] == {"psykiatri": 1.0}
    assert series["2024"]["topics"] == {"psykiatri": 3.0}
    assert series["2024"]["participation_rate"] == 1.0


def test_refreshing_one_year_leaves_the_others() -> None:
    doctor = f.gp()
    f.claim(doctor, on=date(2023, 3, 1), halves=2)
    refresh_rollups()
    f.claim(doctor, on=D, halves=4)
    refresh_rollups(years=[2024])

    measures = headline(year=2024)

    assert measures["series"]["2023"]["produced_course_days"] == 1.0
    assert measures["produced_course_days"] == 2.0


def test_money_by_stream_unused_and_forfeited() -> None:
    from ajour.accounts.services import close_year
    from tests import factories

    doctor = factories.with_allocation(f.gp(), year=2023)
    close_year(year=2023)  # all of 2023's 21,400 kr. carries into 2024
    june = date(2024, 6, 14)  # the day before is a working day (D's is Ascension Day: no fee)
    f.claim(doctor, on=june, halves=2)  # two half days, self-chosen: 2 × 2,000 kr.
    f.claim(doctor, on=june, halves=2, at=f.instance(on=june, approval="systematic"))  # 2 × 2,250 kr.
    close_year(year=2024)  # 2 × 21,400 − 4,000 left: one year's allocation carries, the rest is lost
    refresh_rollups()

    measures = headline(year=2024)

    assert measures["money_paid_ore_by_stream"] == {"self_chosen": 400_000, "systematic": 450_000, "staff": 0}
    assert measures["unused_self_chosen_ore"] == 1_740_000
    # the clinic's staff account had 5,000 kr. for the rest of 2023 (scheme from July) and 6,000 kr. (assumed)
    # for 2024: what is above one year's allocation, 5,000 kr., is lost
    assert measures["forfeited_ore"] == {"self_chosen": 1_740_000, "staff": 500_000}


def test_gps_below_three_systematic_days() -> None:
    fulfilled, short = f.gp(), f.gp()
    f.claim(fulfilled, on=D, halves=6, at=f.instance(on=D, approval="systematic"))
    f.claim(short, on=D, halves=4, at=f.instance(on=D, approval="systematic"))
    f.gp()
    refresh_rollups()

    assert headline(year=2024)["gps_below_systematic_days"] == 2


def test_systematic_days_per_year_come_from_the_rules_parameters(rules_parameters: RulesParameters) -> None:
    rules_parameters({"systematic.per_year": 4})
    f.claim(f.gp(), on=D, halves=4, at=f.instance(on=D, approval="systematic"))
    f.claim(f.gp(), on=D, halves=2, at=f.instance(on=D, approval="systematic"))
    refresh_rollups()

    assert headline(year=2024)["gps_below_systematic_days"] == 1

"""Submitting a claim: the decision is stored with its inputs and the draws are booked, atomically."""

from __future__ import annotations

from datetime import date, time
from unittest import mock

import pytest

from ajour.accounts.models import LedgerEntry
from ajour.accounts.selectors import doctor_balances, practice_staff_balance
from ajour.catalogue.models import Activity, ActivityNumber, ApprovalDecision, ProgrammeDay
from ajour.claims import services
from ajour.claims.models import AuditEvent, Claim
from ajour.claims.payload import ClaimInputError, ClaimRequest
from tests.claims import factories as f

pytestmark = pytest.mark.django_db

FILED = date(2025, 3, 10)


def test_worked_example_from_quote_md_is_booked_in_the_ledger() -> None:
    gp = f.gp(year=2025)
    instance = f.activity(days=[date(2025, 3, 6), date(2025, 3, 7)])
    request = f.request_for(instance, course_fee_ore=600_000, transport_ore=180_000)

    claim = services.submit_claim(claimant=gp, request=request, filed_on=FILED, by=None, lang="en").claim

    assert claim.outcome == "reduced"
    assert claim.payable_ore == 1_510_000
    assert claim.inputs["activity"]["id"] == instance.activity.number
    assert claim.inputs["balances"]["self_chosen_ore"] == 2_140_000
    assert claim.rules_version and {r["code"] for r in claim.decision["reasons"]} == {
        "COURSE_FEE_CAPPED",
        "TRANSPORT_CAPPED",
    }
    assert doctor_balances(doctor=gp).self_chosen_ore == 2_140_000 - 1_510_000
    draw = LedgerEntry.objects.get(claim=claim)
    assert draw.kind == LedgerEntry.Kind.CLAIM_DRAW and draw.amount == -1_510_000
    assert AuditEvent.objects.filter(claim=claim, action="submitted").exists()


def test_systematic_course_draws_days_first() -> None:
    gp = f.gp(year=2025)
    instance = f.activity(days=[date(2025, 3, 6)], approval=Activity.Approval.BOTH)

    claim = services.submit_claim(claimant=gp, request=f.request_for(instance), filed_on=FILED, by=None).claim

    assert claim.drawn_systematic_half_days == 2
    assert doctor_balances(doctor=gp).systematic_half_days == 4


def test_unticked_day_is_not_paid() -> None:
    gp = f.gp(year=2025)
    instance = f.activity(days=[date(2025, 3, 6), date(2025, 3, 7)])
    request = f.request_for(instance, attended=[date(2025, 3, 6)])

    claim = services.submit_claim(claimant=gp, request=request, filed_on=FILED, by=None).claim

    assert claim.payable_ore == 400_000
    assert claim.activity_date == date(2025, 3, 6)


def test_approval_in_force_on_the_activity_date_is_used() -> None:
    gp = f.gp(year=2025)
    instance = f.activity(days=[date(2025, 3, 6)])
    f.approval_change(instance, approval=Activity.Approval.SELF_CHOSEN, valid_from=date(2025, 1, 1))
    f.approval_change(instance, approval=Activity.Approval.NONE, valid_from=date(2025, 3, 1))

    claim = services.submit_claim(claimant=gp, request=f.request_for(instance), filed_on=FILED, by=None).claim

    assert claim.outcome == "rejected"
    assert claim.decision["reasons"][0]["code"] == "NOT_APPROVED"
    assert not LedgerEntry.objects.filter(claim=claim).exists()


def test_a_later_back_dated_withdrawal_overrides_an_earlier_change_from_its_date() -> None:
    gp = f.gp(year=2025)
    instance = f.activity(days=[date(2025, 3, 6)], approval=Activity.Approval.BOTH)
    f.approval_change(instance, approval=Activity.Approval.SELF_CHOSEN, valid_from=date(2025, 3, 1))
    f.approval_change(instance, approval=Activity.Approval.NONE, valid_from=date(2025, 2, 1))

    claim = services.submit_claim(claimant=gp, request=f.request_for(instance), filed_on=FILED, by=None).claim

    assert claim.inputs["activity"]["approval"] == "none"
    assert claim.decision["reasons"][0]["code"] == "NOT_APPROVED"


def test_an_activity_without_an_approval_decision_is_not_approved() -> None:
    gp = f.gp(year=2025)
    instance = f.activity(days=[date(2025, 3, 6)])
    ApprovalDecision.objects.filter(activity=instance.activity).delete()

    claim = services.submit_claim(claimant=gp, request=f.request_for(instance), filed_on=FILED, by=None).claim

    assert claim.outcome == "rejected"
    assert claim.decision["reasons"][0]["code"] == "NOT_APPROVED"


def test_a_group_concept_is_claimed_with_its_number_for_the_year_of_the_activity() -> None:
    gp = f.gp(year=2025)
    instance = f.activity(days=[date(2025, 3, 6)], form=Activity.Form.SGE)
    concept = instance.activity
    this_year = ActivityNumber.objects.get(activity=concept, year=2025).number  # issued at approval
    ActivityNumber.objects.create(activity=concept, year=2024, number="2024-0901")
    Activity.objects.filter(pk=concept.pk).update(number="2024-0901")

    claim = services.submit_claim(claimant=gp, request=f.request_for(instance), filed_on=FILED, by=None).claim

    assert claim.inputs["activity"]["id"] == this_year != "2024-0901"


def test_course_days_are_stored_as_the_engine_counts_half_days() -> None:
    gp = f.gp(year=2025)
    course = f.activity(days=[date(2025, 3, 6), date(2025, 3, 7)], approval=Activity.Approval.BOTH)
    ProgrammeDay.objects.filter(instance=course, date=date(2025, 3, 7)).update(ends_at=time(13, 30))
    meeting = f.group_meeting(
        days=[date(2025, 3, 4)],
        members=[gp],
        starts=time(17),
        ends=time(19),
        break_minutes=0,
    )

    both = services.submit_claim(claimant=gp, request=f.request_for(course), filed_on=FILED, by=None).claim
    group = services.submit_claim(claimant=gp, request=f.request_for(meeting), filed_on=FILED, by=None).claim

    assert [day["class"] for day in both.decision["days"]] == ["full", "half"]
    assert (both.course_day_halves, both.drawn_systematic_half_days) == (3, 3)
    assert both.decision["draws"]["systematic_days"] == 1.5
    assert [day["class"] for day in group.decision["days"]] == ["meeting"]
    assert (group.course_day_halves, group.drawn_systematic_half_days) == (1, 0)


def test_failure_after_the_claim_insert_leaves_nothing() -> None:
    gp = f.gp(year=2025)
    instance = f.activity(days=[date(2025, 3, 6)])
    before = LedgerEntry.objects.count()

    with mock.patch.object(services, "_submitted", side_effect=RuntimeError("server killed")):
        with pytest.raises(RuntimeError):
            services.submit_claim(claimant=gp, request=f.request_for(instance), filed_on=FILED, by=None)

    assert Claim.objects.count() == 0
    assert LedgerEntry.objects.count() == before


def test_day_outside_the_programme_is_refused_and_nothing_written() -> None:
    gp = f.gp(year=2025)
    instance = f.activity(days=[date(2025, 3, 6)])

    with pytest.raises(ClaimInputError) as error:
        services.submit_claim(
            claimant=gp, request=f.request_for(instance, attended=[date(2025, 3, 9)]), filed_on=FILED, by=None
        )

    assert error.value.field == "days"
    assert Claim.objects.count() == 0


def test_claims_never_overdraw_the_account() -> None:
    gp = f.gp(year=2025, self_chosen_ore=1_000_000, half_days=0)

    for _ in range(4):
        instance = f.activity(days=[date(2025, 3, 6), date(2025, 3, 7)])
        services.submit_claim(
            claimant=gp, request=f.request_for(instance, course_fee_ore=400_000), filed_on=FILED, by=None
        )

    assert doctor_balances(doctor=gp).self_chosen_ore == 0
    assert Claim.objects.filter(outcome="rejected").count() >= 1


def test_idempotency_key_returns_the_first_claim_and_refuses_another_body() -> None:
    gp = f.gp(year=2025)
    instance = f.activity(days=[date(2025, 3, 6)])
    first = services.submit_claim(
        claimant=gp,
        request=f.request_for(instance),
        filed_on=FILED,
        by=None,
        idempotency_key="k1",
        body_hash="a",
    )
    again = services.submit_claim(
        claimant=gp,
        request=f.request_for(instance),
        filed_on=FILED,
        by=None,
        idempotency_key="k1",
        body_hash="a",
    )

    assert again.replayed and again.claim.pk == first.claim.pk
    with pytest.raises(services.IdempotencyConflict):
        services.submit_claim(
            claimant=gp,
            request=f.request_for(instance),
            filed_on=FILED,
            by=None,
            idempotency_key="k1",
            body_hash="b",
        )
    assert Claim.objects.count() == 1


def test_staff_claim_draws_from_the_clinic_staff_account_and_pays_the_practice() -> None:
    gp = f.gp(year=2025)  # the yearly run also allocates the clinic's staff account: 6,000 DKK (assumed)
    practice = gp.practice
    assert practice is not None
    assert practice_staff_balance(practice_id=practice.pk) == 600_000
    nurse = f.staff_member(practice)
    instance = f.activity(days=[date(2025, 3, 6)], form=Activity.Form.STAFF_COURSE)

    claim = services.submit_claim(
        claimant=gp,
        request=f.request_for(instance, staff_member=nurse, course_fee_ore=100_000),
        filed_on=FILED,
        by=None,
    ).claim

    assert claim.payee == Claim.Payee.PRACTICE
    assert claim.drawn_staff_ore == 282_000 + 100_000
    assert claim.inputs["staff"] == {"profession": "nurse", "weekly_hours": 37}


def test_study_material_is_capped_at_a_quarter_of_the_allocation() -> None:
    gp = f.gp(year=2025)
    request = ClaimRequest(
        material_ore=700_000, purchased_on=date(2025, 2, 1), description="Anatomisk skuldermodel"
    )

    first = services.submit_claim(claimant=gp, request=request, filed_on=FILED, by=None).claim
    second = services.submit_claim(claimant=gp, request=request, filed_on=FILED, by=None).claim

    assert first.payable_ore == 535_000 and first.inputs["balances"]["material_used_ore"] == 0
    assert second.outcome == "rejected" and second.inputs["balances"]["material_used_ore"] == 535_000
    assert first.description == "Anatomisk skuldermodel"

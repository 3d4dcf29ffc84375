"""Submitting many claims at once (history, imports) stores and books what one-by-one submission does."""

from __future__ import annotations

from datetime import date

import pytest

from ajour.accounts.models import Doctor, LedgerEntry
from ajour.catalogue.models import Activity
from ajour.claims import services
from ajour.claims.models import AuditEvent, Claim, ControlPolicy
from ajour.claims.payload import ClaimRequest
from tests.claims import factories as f

pytestmark = pytest.mark.django_db

FILED = date(2025, 3, 10)


@pytest.fixture(autouse=True)
def _no_sample_control() -> None:
    """Bulk claims carry their given status and are never drawn for control; one-by-one claims are drawn at
    random (5 %). The comparison is of what both paths store, so the draw is switched off for the year."""
    ControlPolicy.objects.create(year=FILED.year, share_basis_points=0, always_above_ore=10**12, seed="s")


def _stored(claim: Claim) -> dict[str, object]:
    """What a claim holds and booked, without its keys and time stamps."""
    claim.refresh_from_db()
    return {
        "inputs": claim.inputs,
        "decision": claim.decision,
        "outcome": claim.outcome,
        "payable_ore": claim.payable_ore,
        "draws": (claim.drawn_self_chosen_ore, claim.drawn_systematic_half_days, claim.drawn_staff_ore),
        "course_day_halves": claim.course_day_halves,
        "activity": (claim.activity_type, claim.activity_date, claim.instance_id, claim.payee),
        "ledger": sorted(
            LedgerEntry.objects.filter(claim=claim).values_list("account__kind", "kind", "amount")
        ),
        "events": list(AuditEvent.objects.filter(claim=claim).values_list("action", "note")),
    }


def _requests() -> list[ClaimRequest]:
    """Claims that depend on each other: each sees the days and money the ones before it drew."""
    both = f.activity(days=[date(2025, 3, 3), date(2025, 3, 4)], approval=Activity.Approval.BOTH)
    course = f.activity(days=[date(2025, 3, 5), date(2025, 3, 6), date(2025, 3, 7)])
    later = f.activity(days=[date(2025, 3, 10), date(2025, 3, 11)])
    return [
        f.request_for(both, course_fee_ore=500_000, transport_ore=40_000),
        f.request_for(course, course_fee_ore=900_000, transport_ore=180_000),
        ClaimRequest(material_ore=300_000, purchased_on=date(2025, 3, 1), description="Lærebog"),
        f.request_for(later, course_fee_ore=900_000),
    ]


def test_bulk_submission_stores_and_books_what_one_by_one_submission_does() -> None:
    requests = _requests()
    one_by_one = f.gp(year=2025, self_chosen_ore=1_800_000, half_days=2)
    in_bulk = f.gp(year=2025, self_chosen_ore=1_800_000, half_days=2)

    singles = [
        services.submit_claim(claimant=one_by_one, request=r, filed_on=FILED, by=None).claim for r in requests
    ]
    bulk = services.submit_claims_in_bulk(
        claims=[services.BulkClaim(claimant=in_bulk, request=r, filed_on=FILED) for r in requests]
    )

    assert len({c.outcome for c in singles}) > 1  # the later claims are cut by the earlier draws
    assert [_stored(c) for c in singles] == [_stored(c) for c in bulk if c is not None]


def test_staff_claims_in_bulk_draw_from_the_clinic_account_like_one_by_one() -> None:
    instance = f.activity(days=[date(2025, 3, 6)], form=Activity.Form.STAFF_COURSE)
    owner, other = f.gp(year=2025), f.gp(year=2025)  # the yearly run allocates both clinics' staff accounts
    single = services.submit_claim(
        claimant=owner,
        request=f.request_for(instance, staff_member=f.staff_member(owner.practice), course_fee_ore=200_000),
        filed_on=FILED,
        by=None,
    ).claim
    [bulk] = services.submit_claims_in_bulk(
        claims=[
            services.BulkClaim(
                claimant=other,
                request=f.request_for(
                    instance, staff_member=f.staff_member(other.practice), course_fee_ore=200_000
                ),
                filed_on=FILED,
            )
        ]
    )

    assert bulk is not None and bulk.drawn_staff_ore > 0 and bulk.drawn_self_chosen_ore == 0
    assert _stored(single) == _stored(bulk)


def test_a_rejected_claim_is_left_unfiled_when_asked() -> None:
    gp = f.gp(year=2025)
    instance = f.activity(days=[date(2025, 3, 6)])
    f.approval_change(instance, approval=Activity.Approval.NONE, valid_from=date(2025, 1, 1))

    result = services.submit_claims_in_bulk(
        claims=[services.BulkClaim(claimant=gp, request=f.request_for(instance), filed_on=FILED)],
        file_rejected=False,
    )

    assert result == [None]
    assert not Claim.objects.filter(claimant=gp).exists()


def test_draws_in_bulk_are_booked_on_the_filing_day() -> None:
    gp = f.gp(year=2025)
    instance = f.activity(days=[date(2025, 3, 6)])

    [claim] = services.submit_claims_in_bulk(
        claims=[services.BulkClaim(claimant=gp, request=f.request_for(instance), filed_on=FILED)]
    )

    draw = LedgerEntry.objects.get(claim=claim)
    assert (draw.year, draw.effective_on) == (2025, FILED)
    assert Doctor.objects.get(pk=gp.pk).claims.count() == 1

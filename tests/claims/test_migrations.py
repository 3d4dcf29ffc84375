"""The data migration that settles runs claimed more than once before one live claim per run was enforced."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from ajour.accounts.models import Account, LedgerEntry
from ajour.accounts.selectors import doctor_balances
from ajour.accounts.services import book_entry, doctor_account
from ajour.claims import services
from ajour.claims.models import Appeal, AuditEvent, Claim
from tests.claims import factories as f

BEFORE = [("claims", "0002_control_appeals_payouts")]
AFTER = [("claims", "0004_one_live_claim_per_run")]


def _migrate(targets: list[tuple[str, str]]) -> Any:  # noqa: ANN401 (historical models)
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture
def before_one_live_claim_per_run() -> Any:  # noqa: ANN401 (historical models)
    """The schema before 0003; every migration is applied again afterwards."""
    yield _migrate(BEFORE)
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_a_run_claimed_three_times_keeps_the_paid_claim_and_gives_the_rest_back(
    before_one_live_claim_per_run: Any,  # noqa: ANN401
) -> None:
    old = before_one_live_claim_per_run
    OldClaim, OldAppeal = old.get_model("claims", "Claim"), old.get_model("claims", "Appeal")
    gp = f.gp(year=2025)
    run, other_run = f.activity(days=[date(2025, 3, 6)]), f.activity(days=[date(2025, 3, 7)])

    def old_claim(instance: Any, status: str, outcome: str = "approved", pays: int = 400_000) -> Any:  # noqa: ANN401
        claim = OldClaim.objects.create(
            claimant_id=gp.pk,
            instance_id=instance.pk,
            activity_type="course",
            activity_date=instance.starts_on,
            filed_on=date(2025, 3, 10),
            inputs={},
            decision={"outcome": outcome, "payable_ore": pays},
            rules_version="test",
            outcome=outcome,
            payable_ore=pays,
            drawn_self_chosen_ore=pays,
            payee="private_account",
            status=status,
        )
        if pays:
            book_entry(
                account=doctor_account(doctor=gp, kind=Account.Kind.SELF_CHOSEN),
                kind=LedgerEntry.Kind.CLAIM_DRAW,
                amount=-pays,
                year=2025,
                effective_on=date(2025, 3, 10),
                claim_id=claim.pk,
            )
        return claim

    first = old_claim(run, "decided")
    paid = old_claim(run, "paid")  # filed after the first, but paid: this one stays
    batch = old.get_model("claims", "PayoutBatch").objects.create(
        date=date(2025, 3, 11), created_at=timezone.now(), message_id="M1", transactions=1, total_ore=400_000
    )
    old.get_model("claims", "PayoutItem").objects.create(
        batch=batch, claim=paid, amount_ore=400_000, creditor_name="Karen", creditor_iban="DK00"
    )
    appealed = old_claim(run, "appealed")
    OldAppeal.objects.create(claim=appealed, text="Jeg deltog hele dagen.", previous_status="decided")
    rejected_by_rules = old_claim(other_run, "decided", outcome="rejected", pays=0)
    assert doctor_balances(doctor=gp).self_chosen_ore == 2_140_000 - 3 * 400_000

    _migrate(AFTER)

    statuses = dict(Claim.objects.values_list("pk", "status"))
    assert statuses == {
        paid.pk: "paid",
        first.pk: "rejected",
        appealed.pk: "rejected",
        rejected_by_rules.pk: "rejected",
    }
    assert doctor_balances(doctor=gp).self_chosen_ore == 2_140_000 - 400_000
    assert Claim.objects.get(pk=first.pk).payable_ore == 0
    note = AuditEvent.objects.get(claim_id=first.pk, action="rejected").note
    assert str(Claim.objects.get(pk=paid.pk).public_id) in note
    with pytest.raises(services.DuplicateClaim):
        services.submit_claim(claimant=gp, request=f.request_for(run), filed_on=date(2025, 3, 12), by=None)
    appeal = Appeal.objects.get(claim_id=appealed.pk)
    assert appeal.outcome == "dismissed"  # the run is held by the paid claim; nothing is left to decide
    assert str(Claim.objects.get(pk=paid.pk).public_id) in appeal.decision_text
    assert Claim.objects.get(pk=appealed.pk).status == "rejected"
    assert (
        services.submit_claim(
            claimant=gp, request=f.request_for(other_run), filed_on=date(2025, 3, 12), by=None
        ).claim.outcome
        == "approved"
    )

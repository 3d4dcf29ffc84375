"""Sample control, caseworker corrections, appeals and payouts, all booked as ledger entries."""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.utils import translation
from lxml import etree

from ajour.accounts.models import Doctor, LedgerEntry, User
from ajour.accounts.selectors import doctor_balances
from ajour.claims import payouts, services
from ajour.claims.models import Claim, ControlPolicy
from tests import factories, pdfs
from tests.claims import factories as f
from tests.conftest import RulesParameters

pytestmark = pytest.mark.django_db

FILED = date(2025, 3, 10)
PDF = pdfs.plain()


def _claim(gp=None, **overrides: object) -> Claim:  # type: ignore[no-untyped-def]
    gp = gp or f.gp(year=2025)
    instance = f.activity(days=[date(2025, 3, 6), date(2025, 3, 7)])
    return services.submit_claim(
        claimant=gp, request=f.request_for(instance, **overrides), filed_on=FILED, by=None
    ).claim


def _select_everything() -> None:
    ControlPolicy.objects.update_or_create(
        year=2025, defaults={"share_basis_points": 10_000, "seed": "published-seed"}
    )


def test_draw_is_reproducible_from_the_published_seed() -> None:
    ControlPolicy.objects.create(
        year=2025, share_basis_points=0, always_above_ore=10**12, seed="published-seed"
    )
    claim = _claim()
    assert claim.status == Claim.Status.DECIDED
    assert claim.control_draw == services.control_draw(seed="published-seed", public_id=str(claim.public_id))


def test_claims_above_the_amount_are_always_controlled() -> None:
    ControlPolicy.objects.create(year=2025, share_basis_points=0, always_above_ore=100_000, seed="s")
    assert _claim().status == Claim.Status.CONTROL_REQUESTED


def test_receipt_upload_checks_type_and_moves_the_claim_to_review() -> None:
    _select_everything()
    claim = _claim()
    user = f.login_of(claim.claimant)
    with translation.override("en"), pytest.raises(services.ClaimError, match="not a valid"):
        services.upload_receipt(claim=claim, upload=SimpleUploadedFile("r.pdf", b"MZ\x90 not a pdf"), by=user)
    services.upload_receipt(claim=claim, upload=SimpleUploadedFile("kvittering.pdf", PDF), by=user)
    claim.refresh_from_db()
    assert claim.status == Claim.Status.CONTROL_SUBMITTED
    assert claim.receipts.get().content_type == "application/pdf"


def test_adjust_reverses_and_draws_again_and_reject_gives_everything_back() -> None:
    _select_everything()
    gp = f.gp(year=2025)
    claim = _claim(gp)
    caseworker = factories.user(role=User.Role.CASEWORKER)

    services.adjust_claim(claim=claim, payable_ore=500_000, reason="Receipt shows 5,000", by=caseworker)
    assert doctor_balances(doctor=gp).self_chosen_ore == 2_140_000 - 500_000
    kinds = list(LedgerEntry.objects.filter(claim=claim).order_by("pk").values_list("kind", "amount"))
    assert kinds == [("claim_draw", -800_000), ("reversal", 800_000), ("claim_draw", -500_000)]

    with pytest.raises(services.ClaimError):
        services.reject_claim(claim=claim, reason="", by=caseworker)
    services.reject_claim(claim=claim, reason="No receipts", by=caseworker)
    assert doctor_balances(doctor=gp).self_chosen_ore == 2_140_000
    claim.refresh_from_db()
    assert claim.status == Claim.Status.REJECTED and claim.payable_ore == 0


def test_upheld_appeal_is_applied_to_the_ledger() -> None:
    gp = f.gp(year=2025)
    ControlPolicy.objects.create(year=2025, share_basis_points=0, always_above_ore=10**12, seed="s")
    claim = _claim(gp, course_fee_ore=600_000)
    steering = factories.user(role=User.Role.STEERING)
    appeal = services.file_appeal(claim=claim, text="The course fee was really 6,000 DKK.", by=f.login_of(gp))
    claim.refresh_from_db()
    assert claim.status == Claim.Status.APPEALED

    services.decide_appeal(
        appeal=appeal, upheld=True, payable_ore=claim.payable_ore + 40_000, text="Granted", by=steering
    )

    claim.refresh_from_db()
    assert claim.status == Claim.Status.APPROVED
    assert doctor_balances(doctor=gp).self_chosen_ore == 2_140_000 - claim.payable_ore
    with pytest.raises(services.ClaimError):
        services.decide_appeal(appeal=appeal, upheld=False, payable_ore=None, text="again", by=steering)


def test_an_appeal_needs_the_shortest_explanation_the_rules_set(rules_parameters: RulesParameters) -> None:
    gp = f.gp(year=2025)
    claim = _claim(gp)
    rules_parameters({"appeal.min_characters": 20})

    with pytest.raises(services.ClaimError, match="20"):
        services.file_appeal(claim=claim, text="Gebyret var højere.", by=f.login_of(gp))
    assert services.file_appeal(claim=claim, text="Kursusgebyret var højere.", by=f.login_of(gp))


def test_payout_file_validates_pays_each_claim_once_and_is_reissued_identically(tmp_path) -> None:  # type: ignore[no-untyped-def]
    ControlPolicy.objects.create(year=2025, share_basis_points=0, always_above_ore=10**12, seed="s")
    first = _claim()
    second = _claim()
    Claim.objects.filter(pk=second.pk).update(payee=Claim.Payee.PRACTICE)

    files = payouts.run_payouts(on=date(2025, 3, 11))
    again = payouts.run_payouts(on=date(2025, 3, 11))
    assert files is not None and again is not None
    later = payouts.run_payouts(on=date(2025, 3, 12))

    assert files.xml == again.xml and files.csv == again.csv
    assert files.batch.transactions == 1 and files.held == 1  # the practice has no bank account
    assert later is None
    first.refresh_from_db()
    assert first.status == Claim.Status.PAID
    root = etree.parse(io.BytesIO(files.xml)).getroot()
    ns = {"p": payouts.NS}
    assert root.find(".//p:InstdAmt", ns).get("Ccy") == "DKK"
    assert root.find(".//p:InstdAmt", ns).text == "8000.00"
    assert b"Testesen" in files.csv
    call_command("payouts", "run", "--date", "2025-03-11", "--out", str(tmp_path))
    assert (tmp_path / "ajour-payouts-2025-03-11.xml").read_bytes() == files.xml


def test_a_payout_run_dated_far_ahead_or_before_the_latest_run_pays_nothing(tmp_path: Path) -> None:
    ControlPolicy.objects.create(year=2025, share_basis_points=0, always_above_ore=10**12, seed="s")
    claims = [_claim() for _n in range(3)]

    with time_machine.travel(date(2025, 3, 12)), translation.override("en"):
        with pytest.raises(payouts.PayoutError, match=r"at most 31 days ahead \(04/12/2025 at the latest\)"):
            payouts.run_payouts(on=date(9999, 12, 31))
        with pytest.raises(CommandError, match="at most 31 days ahead"):
            call_command(
                "payouts", "run", "--date", "2025-04-13", "--out", str(tmp_path), stdout=io.StringIO()
            )
        assert not Claim.objects.filter(status=Claim.Status.PAID).exists()

        assert payouts.run_payouts(on=date(2025, 4, 12)) is not None  # the last day of the window
        with pytest.raises(payouts.PayoutError, match="before the latest payout run"):
            payouts.run_payouts(on=date(2025, 4, 11))
        out = io.StringIO()
        call_command("payouts", "run", "--date", "2025-04-12", "--out", str(tmp_path), stdout=out)

    assert "already exists" in out.getvalue()
    assert {c.pk for c in Claim.objects.filter(status=Claim.Status.PAID)} == {c.pk for c in claims}


def test_payout_csv_writes_a_formula_like_payee_name_as_text() -> None:
    ControlPolicy.objects.create(year=2025, share_basis_points=0, always_above_ore=10**12, seed="s")
    claim = _claim()
    Doctor.objects.filter(pk=claim.claimant_id).update(first_name="@SUM(1+1)*cmd|'/C calc'!A0")

    files = payouts.run_payouts(on=date(2025, 3, 11))

    assert files is not None
    header, row = csv.reader(io.StringIO(files.csv.decode()))
    assert row[2].startswith("'@SUM(1+1)")
    assert row[4] == str(claim.payable_ore)

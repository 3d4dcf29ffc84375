"""A payout run racing caseworker rejections, appeals and a second run for the same day (PostgreSQL).

Each thread has its own database connection, as in test_race.py. Whatever the interleaving, either the
rejection or appeal wins (the claim is not paid) or the payout wins (the action is refused as already
paid), never both; the pain.001 file lists exactly the paid claims, and the ledger matches the claims.
"""

from __future__ import annotations

import io
import threading
import time
from collections.abc import Callable
from datetime import date

import pytest
from django.db import connection
from django.db.models import Sum
from django.utils import translation
from lxml import etree

from ajour.accounts.models import Doctor, LedgerEntry, User
from ajour.accounts.selectors import doctor_balances
from ajour.claims import payouts, services
from ajour.claims.models import Claim, ControlPolicy, PayoutBatch, PayoutItem
from tests import factories
from tests.claims import factories as f

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

FILED = date(2025, 3, 10)
PAY_DAY = date(2025, 3, 11)
ALLOCATION = 100_000_000


@pytest.fixture(autouse=True)
def postgresql_only() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (row locks and separate connections)")


def _claims(gps: int, per_gp: int) -> list[Claim]:
    ControlPolicy.objects.create(year=2025, share_basis_points=0, always_above_ore=10**12, seed="race")
    claims = []
    for _n in range(gps):
        gp = f.gp(year=2025, self_chosen_ore=ALLOCATION, half_days=0)
        for _m in range(per_gp):
            instance = f.activity(days=[date(2025, 3, 6)])
            request = f.request_for(instance, course_fee_ore=100_000)
            claims.append(services.submit_claim(claimant=gp, request=request, filed_on=FILED, by=None).claim)
    return claims


def _in_threads(jobs: list[Callable[[], None]]) -> list[BaseException]:
    start = threading.Barrier(len(jobs))
    errors: list[BaseException] = []

    def run(job: Callable[[], None]) -> None:
        try:
            start.wait()
            with translation.override("en"):
                job()
        except BaseException as error:  # collected and asserted in the test thread
            errors.append(error)
        finally:
            connection.close()

    workers = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=300)
    return errors


def test_rejections_and_appeals_racing_a_payout_run_never_leave_a_claim_both_paid_and_reversed() -> None:
    claims = _claims(gps=6, per_gp=25)
    caseworker = factories.user(role=User.Role.CASEWORKER)
    # The caseworkers start from the end, where the run writes last; the claimant from the middle.
    to_reject = [c for n, c in enumerate(reversed(claims)) if n % 3 != 2]
    to_appeal = [c for n, c in enumerate(reversed(claims)) if n % 3 == 2]
    rejected: list[Claim] = []
    appealed: list[Claim] = []
    refused: list[str] = []

    def reject(share: list[Claim]) -> Callable[[], None]:
        def job() -> None:
            for claim in share:
                try:
                    services.reject_claim(claim=claim, reason="No receipts", by=caseworker)
                    rejected.append(claim)
                except services.ClaimError as error:
                    refused.append(str(error))

        return job

    def appeal() -> None:
        for claim in to_appeal:
            try:
                services.file_appeal(
                    claim=claim, text="The fee was higher than decided.", by=f.login_of(claim.claimant)
                )
                appealed.append(claim)
            except services.ClaimError as error:
                refused.append(str(error))

    runs: list[payouts.PayoutFiles | None] = []

    def pay_after_a_few_actions() -> None:
        time.sleep(0.05)  # so that some rejections and appeals commit first and some wait for the run
        runs.append(payouts.run_payouts(on=PAY_DAY))

    errors = _in_threads(
        [
            pay_after_a_few_actions,
            reject(to_reject[0::2]),
            reject(to_reject[1::2]),
            appeal,
        ]
    )

    assert errors == []
    assert len(rejected) + len(appealed) + len(refused) == len(claims)
    assert all("already been paid" in reason for reason in refused)
    paid_ids = set(PayoutItem.objects.values_list("claim_id", flat=True))
    assert not paid_ids & {c.pk for c in rejected + appealed}
    assert len(paid_ids) == len(claims) - len(rejected) - len(appealed)
    _assert_file_matches_paid_claims(runs)
    _assert_ledger_matches_claims()


def _assert_file_matches_paid_claims(runs: list[payouts.PayoutFiles | None]) -> None:
    paid = {c.public_id.hex: c.payable_ore for c in Claim.objects.filter(status=Claim.Status.PAID)}
    assert set(Claim.objects.filter(payout__isnull=False).values_list("status", flat=True)) <= {"paid"}
    if not paid:
        assert runs == [None]
        return
    (files,) = runs
    assert files is not None
    ns = {"p": payouts.NS}
    transfers = {
        node.findtext("p:PmtId/p:EndToEndId", namespaces=ns): node.findtext("p:Amt/p:InstdAmt", namespaces=ns)
        for node in etree.parse(io.BytesIO(files.xml)).getroot().iterfind(".//p:CdtTrfTxInf", ns)
    }
    assert transfers == {public_id: f"{ore // 100}.{ore % 100:02d}" for public_id, ore in paid.items()}


def _assert_ledger_matches_claims() -> None:
    for claim in Claim.objects.all():
        booked = LedgerEntry.objects.filter(claim=claim).aggregate(t=Sum("amount"))["t"]
        assert booked == -claim.drawn_self_chosen_ore
        if claim.status == Claim.Status.REJECTED:
            assert claim.drawn_self_chosen_ore == claim.payable_ore == 0
        else:
            assert claim.drawn_self_chosen_ore == claim.payable_ore > 0
    for gp in Doctor.objects.all():
        drawn = Claim.objects.filter(claimant=gp).aggregate(t=Sum("drawn_self_chosen_ore"))["t"]
        assert doctor_balances(doctor=gp).self_chosen_ore == ALLOCATION - drawn


def test_two_payout_runs_for_the_same_day_at_once_make_one_batch() -> None:
    _claims(gps=3, per_gp=20)
    runs: list[payouts.PayoutFiles | None] = []

    errors = _in_threads([lambda: runs.append(payouts.run_payouts(on=PAY_DAY)) for _n in range(3)])

    batch = PayoutBatch.objects.get()
    assert batch.transactions == 60 == PayoutItem.objects.count()
    assert all(isinstance(error, payouts.PayoutError) for error in errors)
    assert len(runs) + len(errors) == 3
    assert all(files is not None and files.batch.pk == batch.pk for files in runs)
    assert len({files.xml for files in runs if files is not None}) == 1


def test_a_second_payout_run_while_the_first_is_running_is_refused_at_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _claims(gps=2, per_gp=5)
    inside, release = threading.Event(), threading.Event()
    write_file = payouts.pain001

    def slow_file(*args: object, **kwargs: object) -> bytes:
        """The first run writes its file, inside its transaction, until the test lets it go on."""
        inside.set()
        release.wait(timeout=60)
        return write_file(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(payouts, "pain001", slow_file)
    first: list[payouts.PayoutFiles | None] = []
    second: list[BaseException | payouts.PayoutFiles | None] = []

    def run_second() -> None:
        try:
            with translation.override("en"):
                second.append(payouts.run_payouts(on=PAY_DAY))
        except payouts.PayoutError as error:
            second.append(error)
        finally:
            connection.close()

    running = threading.Thread(
        target=lambda: _in_threads([lambda: first.append(payouts.run_payouts(on=PAY_DAY))])
    )
    running.start()
    assert inside.wait(timeout=60)
    waiting = threading.Thread(target=run_second)
    waiting.start()
    waiting.join(timeout=10)
    refused_at_once = not waiting.is_alive()
    release.set()
    waiting.join(timeout=60)
    running.join(timeout=60)
    monkeypatch.setattr(payouts, "pain001", write_file)

    assert refused_at_once
    (error,) = second
    assert isinstance(error, payouts.PayoutError)
    assert str(error).startswith("Another payout run is in progress")
    (files,) = first
    assert files is not None and files.batch.transactions == 10
    again = payouts.run_payouts(on=PAY_DAY)
    assert again is not None and again.reissued and again.xml == files.xml

"""Concurrent claims for the last money on one account never overdraw it, and concurrent claims for one
run leave one live claim.

The PostgreSQL test fires 60 submissions (each for its own run) from threads, each with its own database
connection, at one account holding enough for a few claims; the account rows are locked with
SELECT … FOR UPDATE. Two submissions for the same run end with one claim and one DuplicateClaim. The SQLite
variant runs the same service from a few threads with their own connections; the in-memory test database
(shared cache) cannot wait for a lock the way the file database does (busy timeout + IMMEDIATE
transactions), so there the threads take turns.
"""

from __future__ import annotations

import contextlib
import threading
from datetime import date

import pytest
from django.db import connection
from django.db.models import Sum

from ajour.accounts.models import LedgerEntry
from ajour.claims import services
from ajour.claims.models import Claim, ControlPolicy
from tests.claims import factories as f

FILED = date(2025, 3, 10)


def _race(
    threads: int, *, take_turns: bool = False, same_run: bool = False
) -> tuple[object, list[BaseException]]:
    gp = f.gp(year=2025, self_chosen_ore=1_000_000, half_days=0)
    one_run = f.activity(days=[date(2025, 3, 6)])
    runs = [one_run if same_run or n == 0 else f.activity(days=[date(2025, 3, 6)]) for n in range(threads)]
    ControlPolicy.objects.create(year=2025, share_basis_points=0, always_above_ore=10**12, seed="race")
    start = threading.Barrier(threads)
    errors: list[BaseException] = []
    turn = threading.Lock() if take_turns else contextlib.nullcontext()

    def submit(n: int) -> None:
        try:
            start.wait()
            with turn:
                services.submit_claim(
                    claimant=gp,
                    request=f.request_for(runs[n], course_fee_ore=100_000),
                    filed_on=FILED,
                    by=None,
                    idempotency_key=f"race-{n}",
                    body_hash="x",
                )
        except BaseException as error:  # collected and asserted in the test thread
            errors.append(error)
        finally:
            connection.close()

    workers = [threading.Thread(target=submit, args=(n,)) for n in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
    return gp, errors


def _assert_ledger_consistent(gp: object, submissions: int) -> None:
    entries = LedgerEntry.objects.filter(account__doctor=gp, account__kind="self_chosen")
    balance = entries.aggregate(t=Sum("amount"))["t"]
    drawn = Claim.objects.filter(claimant=gp).aggregate(t=Sum("drawn_self_chosen_ore"))["t"]
    assert Claim.objects.filter(claimant=gp).count() == submissions
    assert balance >= 0
    assert balance == 1_000_000 - drawn
    assert entries.filter(kind="claim_draw").aggregate(t=Sum("amount"))["t"] == -drawn
    # Each claim asks 5,000 (fee 4,000 + course fee 1,000): two are paid in full, the third gets the rest.
    paid = sorted(Claim.objects.filter(claimant=gp).values_list("payable_ore", flat=True), reverse=True)
    assert paid[:2] == [500_000, 500_000] and sum(paid) == 1_000_000


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_fifty_concurrent_claims_on_postgresql_never_overdraw() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (row locks); the lead runs this suite")
    gp, errors = _race(60)
    assert errors == []
    _assert_ledger_consistent(gp, 60)


@pytest.mark.django_db(transaction=True)
def test_concurrent_claims_on_sqlite_never_overdraw() -> None:
    if connection.vendor != "sqlite":
        pytest.skip("the SQLite variant")
    gp, errors = _race(6, take_turns=True)
    assert errors == []
    _assert_ledger_consistent(gp, 6)


def _assert_one_live_claim_and_one_refusal(gp: object, errors: list[BaseException]) -> None:
    assert [type(error) for error in errors] == [services.DuplicateClaim]
    claim = Claim.objects.get(claimant=gp)
    assert errors[0].existing == claim  # type: ignore[attr-defined]
    drawn = LedgerEntry.objects.filter(account__doctor=gp, kind="claim_draw").aggregate(t=Sum("amount"))["t"]
    assert drawn == -claim.payable_ore


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_claims_for_one_run_on_postgresql_leave_one_live_claim() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (row locks); the lead runs this suite")
    gp, errors = _race(2, same_run=True)
    _assert_one_live_claim_and_one_refusal(gp, errors)


@pytest.mark.django_db(transaction=True)
def test_two_claims_for_one_run_in_turn_on_sqlite_leave_one_live_claim() -> None:
    if connection.vendor != "sqlite":
        pytest.skip("the SQLite variant")
    gp, errors = _race(2, take_turns=True, same_run=True)
    _assert_one_live_claim_and_one_refusal(gp, errors)

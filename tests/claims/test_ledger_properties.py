"""The ledger's invariants hold whatever the product's services do, in whatever order.

A Hypothesis state machine drives the services users and the secretariat trigger: the yearly allocation
run and one employed GP's allocation after a confirmed contract, claims by GPs and by a clinic for its
staff, the caseworker's approve/adjust/reject, appeals and their decisions, payout runs and year-end
closes, while the clock moves forward through two years. Domain refusals (`ClaimError`,
`ClaimInputError`, `AccountError`) are allowed answers. After every step:

- every account's balance is the sum of its entries, and the selectors show the same balances;
- no account is below zero;
- a claim is paid at most once, never while rejected or appealed, and for what it pays;
- a claim's current draws are its booked draws minus their reversals.

`OneLiveClaimPerRun` adds "a claimant claims a run at most once among live claims".

Each example runs in a transaction rolled back at its end; the search is derandomized and bounded.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from ajour.accounts import services as accounts
from ajour.accounts.banking import synthetic_iban
from ajour.accounts.models import Account, Doctor, EmploymentConfirmation, LedgerEntry, User
from ajour.accounts.selectors import account_balance, doctor_balances, practice_staff_balance
from ajour.catalogue.models import Activity, ActivityInstance
from ajour.claims import services as claims
from ajour.claims.models import Appeal, Claim, PayoutItem
from ajour.claims.payload import ClaimInputError, ClaimRequest
from ajour.claims.payouts import run_payouts
from tests import factories, pdfs
from tests.claims import factories as cf

pytestmark = pytest.mark.django_db

CPH = ZoneInfo("Europe/Copenhagen")
START = date(2025, 4, 1)
LAST_DAY = date(2027, 2, 1)
REFUSALS = (claims.ClaimError, ClaimInputError, accounts.AccountError)
PDF = pdfs.plain()
RUN_DAYS = [
    ([date(2025, 3, 6), date(2025, 3, 7)], Activity.Approval.BOTH),
    ([date(2025, 9, 10)], Activity.Approval.SELF_CHOSEN),
    ([date(2026, 2, 10), date(2026, 2, 11)], Activity.Approval.SELF_CHOSEN),
    ([date(2026, 10, 6)], Activity.Approval.BOTH),
]
SETTINGS = settings(
    max_examples=40,
    stateful_step_count=40,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


def refused(call: Any, **arguments: Any) -> None:
    """Calls a service; a domain refusal is an allowed answer, anything else fails the test."""
    try:
        call(**arguments)
    except REFUSALS:
        pass


class LedgerMachine(RuleBasedStateMachine):
    """Two owners and an employed GP in one practice with a staff member, four runs over two years, a
    caseworker and a steering-group member; the clock starts in April 2025, after the allocation run."""

    def __init__(self) -> None:
        super().__init__()
        self.clock = time_machine.travel(datetime.combine(START, time(12), tzinfo=CPH), tick=False)
        self.coordinates = self.clock.start()
        self.transaction = transaction.atomic()
        self.transaction.__enter__()
        self.today = START
        practice = factories.practice(capacities=3)
        self.doctors = [
            factories.doctor(at=practice),
            factories.doctor(at=practice),
            factories.doctor(role=Doctor.Role.GP_EMPLOYED, at=practice),
        ]
        self.logins = {d.pk: factories.user(role=User.Role.GP, doctor=d) for d in self.doctors}
        for doctor in self.doctors:
            accounts.set_payout_account(user=self.logins[doctor.pk], iban=synthetic_iban(doctor.pk))
        self.clinic = factories.user(role=User.Role.CLINIC, practice=practice)
        accounts.set_payout_account(user=self.clinic, iban=synthetic_iban(10_000 + practice.pk))
        self.staff = cf.staff_member(practice)
        self.caseworker = factories.user(role=User.Role.CASEWORKER)
        self.steering = factories.user(role=User.Role.STEERING)
        self.runs = [cf.activity(days=days, approval=approval) for days, approval in RUN_DAYS]
        accounts.allocate_year(year=START.year)

    def teardown(self) -> None:
        transaction.set_rollback(True)
        self.transaction.__exit__(None, None, None)
        self.clock.stop()

    # ---------------------------------------------------------------- the clock

    @precondition(lambda self: self.today < LAST_DAY)
    @rule(days=st.sampled_from([30, 120, 200]))
    def time_passes(self, days: int) -> None:
        self.today = min(LAST_DAY, self.today + timedelta(days=days))
        self.coordinates.move_to(datetime.combine(self.today, time(12), tzinfo=CPH))

    # ---------------------------------------------------------------- accounts

    @rule()
    def allocation_run(self) -> None:
        accounts.allocate_year(year=self.today.year)

    @rule(share=st.sampled_from([100, 50]))
    def employment_confirmed(self, share: int) -> None:
        """The employed GP sends this year's contract; the secretariat confirms it (allocating at once)."""
        employed = self.doctors[2]
        upload = SimpleUploadedFile("kontrakt.pdf", PDF, content_type="application/pdf")
        try:
            confirmation = accounts.upload_employment_contract(
                doctor=employed, year=self.today.year, document=upload
            )
        except REFUSALS:
            return
        refused(
            accounts.decide_employment,
            confirmation=confirmation,
            confirm=True,
            share_percent=share,
            note="" if share == 100 else "Deltid",
            by=self.caseworker,
        )

    @rule()
    def employed_allocated_again(self) -> None:
        """Allocating a confirmed employed GP again books nothing twice."""
        employed, year = self.doctors[2], self.today.year
        confirmed = EmploymentConfirmation.objects.filter(
            doctor=employed, year=year, status=EmploymentConfirmation.Status.CONFIRMED
        ).exists()
        if confirmed:
            accounts.allocate_doctor(doctor=employed, year=year)

    @precondition(lambda self: self.today.year > START.year)
    @rule()
    def year_end_close(self) -> None:
        """Last year is closed (possibly late, after this year's claims; possibly again)."""
        refused(accounts.close_year, year=self.today.year - 1)

    # ---------------------------------------------------------------- claims

    def _held_runs(self) -> list[ActivityInstance]:
        return [run for run in self.runs if run.ends_on < self.today]

    @rule(who=st.integers(0, 2), run=st.integers(0, 3), fee=st.sampled_from([0, 250_000, 900_000]))
    def gp_claims(self, who: int, run: int, fee: int) -> None:
        held = self._held_runs()
        if not held:
            return
        doctor = self.doctors[who]
        request = ClaimRequest(instance=held[run % len(held)], course_fee_ore=fee)
        refused(
            claims.submit_claim,
            claimant=doctor,
            request=request,
            filed_on=self.today,
            by=self.logins[doctor.pk],
        )

    @rule(run=st.integers(0, 3), fee=st.sampled_from([100_000, 400_000]))
    def clinic_claims_for_staff(self, run: int, fee: int) -> None:
        held = self._held_runs()
        if not held:
            return
        request = ClaimRequest(instance=held[run % len(held)], course_fee_ore=fee, staff_member=self.staff)
        refused(
            claims.submit_claim,
            claimant=self.doctors[0],
            request=request,
            filed_on=self.today,
            by=self.clinic,
        )

    def _claim(self, pick: int) -> Claim | None:
        found = list(Claim.objects.order_by("pk"))
        return found[pick % len(found)] if found else None

    @rule(pick=st.integers(0, 50))
    def caseworker_approves(self, pick: int) -> None:
        claim = self._claim(pick)
        if claim is not None:
            refused(claims.approve_claim, claim=claim, by=self.caseworker, note="Kvitteringer i orden")

    @rule(pick=st.integers(0, 50), amount=st.sampled_from([0, 50_000, 300_000, 2_000_000]))
    def caseworker_adjusts(self, pick: int, amount: int) -> None:
        claim = self._claim(pick)
        if claim is not None:
            refused(
                claims.adjust_claim, claim=claim, payable_ore=amount, reason="Kvittering", by=self.caseworker
            )

    @rule(pick=st.integers(0, 50))
    def caseworker_rejects(self, pick: int) -> None:
        claim = self._claim(pick)
        if claim is not None:
            refused(claims.reject_claim, claim=claim, reason="Ikke dokumenteret", by=self.caseworker)

    @rule(pick=st.integers(0, 50))
    def claimant_appeals(self, pick: int) -> None:
        claim = self._claim(pick)
        if claim is not None:
            by = self.clinic if claim.staff_member_id else self.logins[claim.claimant_id]
            refused(claims.file_appeal, claim=claim, text="Jeg mener, afgørelsen er forkert.", by=by)

    @rule(pick=st.integers(0, 50), upheld=st.booleans(), amount=st.sampled_from([0, 100_000, 1_000_000]))
    def steering_decides(self, pick: int, upheld: bool, amount: int) -> None:
        pending = list(Appeal.objects.filter(outcome=Appeal.Outcome.PENDING).order_by("pk"))
        if pending:
            refused(
                claims.decide_appeal,
                appeal=pending[pick % len(pending)],
                upheld=upheld,
                payable_ore=amount,
                text="Styregruppens afgørelse.",
                by=self.steering,
            )

    @rule()
    def payout_run(self) -> None:
        run_payouts(on=self.today, by=self.caseworker)

    # ---------------------------------------------------------------- invariants

    @invariant()
    def balances_are_sums_of_entries_and_never_negative(self) -> None:
        sums: Counter[int] = Counter()
        for account_id, amount in LedgerEntry.objects.values_list("account_id", "amount"):
            sums[account_id] += amount
        for account in Account.objects.all():
            assert account_balance(account=account) == sums[account.pk], account
            assert sums[account.pk] >= 0, f"{account.kind} account {account.pk} is at {sums[account.pk]}"
            if account.kind == Account.Kind.STAFF:
                assert practice_staff_balance(practice_id=account.practice_id) == sums[account.pk]
        for doctor in self.doctors:
            shown = doctor_balances(doctor=doctor, year=self.today.year)
            own = {a.kind: sums[a.pk] for a in Account.objects.filter(doctor=doctor)}
            assert shown.self_chosen_ore == own.get(Account.Kind.SELF_CHOSEN, 0)
            assert shown.systematic_half_days == own.get(Account.Kind.SYSTEMATIC, 0)

    @invariant()
    def claims_are_paid_once_and_only_when_payable(self) -> None:
        paid = Counter(PayoutItem.objects.values_list("claim_id", flat=True))
        assert all(n == 1 for n in paid.values())
        for item in PayoutItem.objects.select_related("claim"):
            assert item.claim.status not in (Claim.Status.REJECTED, Claim.Status.APPEALED), item.claim.status
            assert item.amount_ore == item.claim.payable_ore > 0

    @invariant()
    def current_draws_are_booked_draws_minus_reversals(self) -> None:
        booked: Counter[tuple[int, str]] = Counter()
        for claim_id, kind, amount in LedgerEntry.objects.filter(claim__isnull=False).values_list(
            "claim_id", "account__kind", "amount"
        ):
            booked[(claim_id, kind)] += amount
        for claim in Claim.objects.all():
            assert -booked[(claim.pk, Account.Kind.SELF_CHOSEN)] == claim.drawn_self_chosen_ore
            assert -booked[(claim.pk, Account.Kind.SYSTEMATIC)] == claim.drawn_systematic_half_days
            assert -booked[(claim.pk, Account.Kind.STAFF)] == claim.drawn_staff_ore


class OneLiveClaimPerRun(LedgerMachine):
    @invariant()
    def a_claimant_claims_a_run_at_most_once_among_live_claims(self) -> None:
        live = Claim.objects.exclude(status=Claim.Status.REJECTED).filter(instance__isnull=False)
        counts = Counter(live.values_list("claimant_id", "staff_member_id", "instance_id"))
        assert max(counts.values(), default=0) <= 1, counts.most_common(1)


def test_ledger_invariants_hold_under_any_sequence_of_services() -> None:
    run_state_machine_as_test(LedgerMachine, settings=SETTINGS)


def test_one_live_claim_per_claimant_and_run() -> None:
    run_state_machine_as_test(OneLiveClaimPerRun, settings=SETTINGS)


def test_a_late_year_end_close_leaves_no_account_below_zero() -> None:
    """Two years' money merged, spent in January on last autumn's courses, and only then closed."""
    gp = factories.doctor()
    runs = [cf.activity(days=[date(2026, 10, 6 + k), date(2026, 10, 7 + k)]) for k in (0, 7, 14, 21)]
    with time_machine.travel(datetime(2025, 3, 1, 12, tzinfo=CPH), tick=False) as clock:
        accounts.allocate_year(year=2025)
        clock.move_to(datetime(2026, 1, 2, 12, tzinfo=CPH))
        accounts.close_year(year=2025)
        accounts.allocate_year(year=2026)
        clock.move_to(datetime(2027, 1, 11, 12, tzinfo=CPH))
        for run in runs:
            request = ClaimRequest(instance=run, course_fee_ore=900_000)
            claims.submit_claim(claimant=gp, request=request, filed_on=date(2027, 1, 11), by=None)
        accounts.close_year(year=2026)

    assert doctor_balances(doctor=gp).self_chosen_ore >= 0

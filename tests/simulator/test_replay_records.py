"""The simulator's replay reproduces the records exactly when nothing is changed.

On the small demo (built through the product's services) plus what people do by hand afterwards (a
caseworker adjusts and rejects claims, the steering group upholds an appeal, the secretariat corrects a
balance and pro-rates an allocation, claims are filed one by one, a new year is allocated and the old
one closed late, after claims of the new year were filed):

- per claim, every stored claim decided again from its stored inputs gives its stored decision;
- per account, replaying every history gives every ledger balance per account and year, and every
  stored decision, whether it starts at the beginning of the records or at a later year.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.db import transaction

from ajour.accounts.models import Account, Doctor, LedgerEntry, User
from ajour.accounts.services import allocate_year, close_year, correct_balance, prorate_allocation
from ajour.claims import selectors as claim_selectors
from ajour.claims import services as claim_services
from ajour.claims.models import Claim
from ajour.claims.payload import ClaimInputError, ClaimRequest
from ajour.demo.roles import demo_username
from ajour.demo.services import _wipe
from ajour.rules import ParameterSet, decision_to_json
from ajour.rules.reforms import parse_reform, shipped_reforms
from ajour.rules.replay import replay_accounts, replay_claims
from ajour.simulator import selectors, services

pytestmark = pytest.mark.django_db
CPH = ZoneInfo("Europe/Copenhagen")
LOADED = date(2026, 6, 15)
LATE_CLOSE = date(2027, 1, 12)


def _at(day: date) -> Any:
    return time_machine.travel(datetime.combine(day, time(10), tzinfo=CPH), tick=False)


def _claim_a_run(doctor: Doctor, user: User, today: date) -> Claim | None:
    """The doctor claims, one by one, for a held run they have not claimed yet."""
    for instance in claim_selectors.claimable_instances(query="", on=None, today=today, doctor=doctor):
        if instance.claims.filter(claimant=doctor).exists():
            continue
        try:
            return claim_services.submit_claim(
                claimant=doctor, request=ClaimRequest(instance=instance), filed_on=today, by=user
            ).claim
        except ClaimInputError:
            continue
    return None


def _by_hand() -> dict[str, int]:
    """What people do after the load, through the product's services; returns how many of each."""
    caseworker = User.objects.get(username=demo_username("caseworker"))
    steering = User.objects.get(username=demo_username("steering"))
    owner = User.objects.get(username=demo_username("gp-owner"))
    assert owner.doctor is not None
    open_claims = Claim.objects.filter(status=Claim.Status.DECIDED, payable_ore__gt=200_000).order_by("pk")
    money, days = (
        open_claims.filter(drawn_self_chosen_ore__gt=0).exclude(claimant=owner.doctor),
        open_claims.filter(drawn_systematic_half_days__gt=0).exclude(claimant=owner.doctor),
    )
    done = {"adjusted": 0, "rejected": 0, "upheld": 0, "filed": 0}
    with _at(LOADED):
        adjusted = money.first()
        assert adjusted is not None
        claim_services.adjust_claim(
            claim=adjusted,
            payable_ore=adjusted.payable_ore - 100_000,
            reason="Kvitteringen dækker mindre.",
            by=caseworker,
        )
        done["adjusted"] += 1
        rejected = days.first()
        assert rejected is not None
        claim_services.reject_claim(claim=rejected, reason="Kurset blev ikke gennemført.", by=caseworker)
        done["rejected"] += 1
        appealed = (
            Claim.objects.filter(claimant=owner.doctor, status=Claim.Status.DECIDED).order_by("pk").first()
        )
        assert appealed is not None
        appeal = claim_services.file_appeal(
            claim=appealed, text="Transporten burde dækkes fuldt ud.", by=owner
        )
        claim_services.decide_appeal(
            appeal=appeal,
            upheld=True,
            payable_ore=appealed.payable_ore + 50_000,
            text="Medhold.",
            by=steering,
        )
        done["upheld"] += 1
        some_gp = money.exclude(pk=adjusted.pk).values_list("claimant_id", flat=True).first()
        account = Account.objects.get(doctor_id=some_gp, kind=Account.Kind.SELF_CHOSEN)
        correct_balance(account=account, amount=123_400, reason="Fejl rettet.", by=caseworker)
        other = (
            Doctor.objects.filter(role=Doctor.Role.GP_OWNER, accounts__isnull=False)
            .exclude(pk=some_gp)
            .first()
        )
        assert other is not None
        prorate_allocation(
            doctor=other, year=LOADED.year, percent=80, reason="Startede midt i året.", by=caseworker
        )
        done["filed"] += _claim_a_run(owner.doctor, owner, LOADED) is not None
    with _at(LATE_CLOSE):
        allocate_year(year=LATE_CLOSE.year)
        done["filed"] += _claim_a_run(owner.doctor, owner, LATE_CLOSE) is not None
        close_year(year=LOADED.year)  # late: after a claim of the new year was filed
    return done


@pytest.fixture(scope="module")
def records(django_db_setup: None, django_db_blocker: Any) -> Iterator[dict[str, int]]:
    with django_db_blocker.unblock():
        call_command(
            "demo", "load", "--scale", "small", "--seed", "7", "--today", LOADED.isoformat(), verbosity=0
        )
        done = _by_hand()
        yield done
        with transaction.atomic():
            _wipe()


def test_the_records_include_what_people_did_by_hand(records: dict[str, int]) -> None:
    assert records == {"adjusted": 1, "rejected": 1, "upheld": 1, "filed": 2}
    assert LedgerEntry.objects.filter(kind=LedgerEntry.Kind.REVERSAL).count() >= 3
    assert LedgerEntry.objects.filter(idempotency_key__startswith="prorate:").exists()
    late = (
        LedgerEntry.objects.filter(idempotency_key__startswith=f"close:{LOADED.year}:").order_by("pk").first()
    )
    filed_before = (
        Claim.objects.filter(filed_on=LATE_CLOSE).values_list("ledger_entries__pk", flat=True).first()
    )
    assert late is not None and filed_before is not None and filed_before < late.pk


def test_per_claim_replay_reproduces_every_stored_decision(records: dict[str, int]) -> None:
    stored = selectors.stored_claims()
    inputs = selectors.claim_inputs(stored)
    decisions = replay_claims([inputs[pk] for pk in stored], ParameterSet.default())
    documents = dict(Claim.objects.values_list("pk", "decision"))
    assert len(decisions) == Claim.objects.count() > 1000
    assert [
        pk for pk, d in zip(stored, decisions, strict=True) if decision_to_json(d, "da") != documents[pk]
    ] == []
    assert sum(1 for claim in stored.values() if claim.settled) == 3


@pytest.mark.parametrize("start", [None, date(2024, 1, 1), date(2026, 3, 1), date(2027, 1, 1)])
def test_per_account_replay_reproduces_every_ledger_balance_and_decision(
    records: dict[str, int], start: date | None
) -> None:
    histories, claims = selectors.account_histories(start=start)
    replay = replay_accounts(histories, ParameterSet.default())
    assert {k: v for k, v in replay.balances.items() if v} == {
        k: v for k, v in selectors.stored_balances().items() if v
    }
    documents = dict(Claim.objects.values_list("pk", "decision"))
    assert [pk for pk, d in replay.decisions.items() if decision_to_json(d, "da") != documents[pk]] == []
    replayed = {pk for pk, claim in claims.items() if start is None or claim.filed_year >= start.year}
    assert set(replay.decisions) == replayed
    if start is None:
        forfeits = LedgerEntry.objects.filter(kind=LedgerEntry.Kind.FORFEIT).values_list("amount", flat=True)
        assert sum(replay.forfeited.values()) == -sum(forfeits) > 0


NO_CHANGE = {
    "schema": "ajour.reform/1",
    "name": "no_change",
    "version": 1,
    "label": {"da": "Ingen ændring", "en": "No change"},
    "description": {"da": "Samme værdi.", "en": "The same value."},
    "overrides": [
        {"parameter": "threshold.full_day", "valid_from": "2025-01-01", "unit": "minutes", "value": 300}
    ],
}


@pytest.mark.parametrize("mode", ["claim", "account"])
@pytest.mark.parametrize("year", [2025, 2026])
def test_a_reform_that_changes_nothing_shows_no_change(records: dict[str, int], mode: str, year: int) -> None:
    run = services.simulate(reform=parse_reform(NO_CHANGE), year=year, mode=mode)
    totals = run.results["totals"]
    assert totals["today_ore"] == sum(
        Claim.objects.filter(activity_date__year=year).values_list("payable_ore", flat=True)
    )
    assert (totals["difference_ore"], totals["claims_outcome_changed"], totals["claims_amount_changed"]) == (
        0,
        0,
        0,
    )
    assert totals["gps_better_off"] == totals["gps_worse_off"] == 0
    assert totals["systematic_half_days_today"] == totals["systematic_half_days_reform"]
    if mode == "account":
        assert totals["forfeited_self_chosen_reform_ore"] == totals["forfeited_self_chosen_today_ore"]
        assert totals["forfeited_staff_reform_ore"] == totals["forfeited_staff_today_ore"]
    assert run.results["claims_settled_by_hand"] == (3 if year == 2026 else 0)


def test_the_three_examples_on_the_small_demo(records: dict[str, int]) -> None:
    examples = shipped_reforms()
    allocation = services.simulate(reform=examples["allocation_23000"], year=2025, mode="account").results
    assert allocation["totals"]["difference_ore"] > 0 and allocation["totals"]["gps_worse_off"] == 0
    assert allocation["totals"]["gps_better_off"] > 0
    per_claim = services.simulate(reform=examples["allocation_23000"], year=2025, mode="claim").results
    assert per_claim["totals"]["difference_ore"] == 0
    assert "per_claim_misses" in {note["code"] for note in per_claim["notes"]}
    dge = services.simulate(reform=examples["uniform_dge_grant"], year=2025, mode="claim").results["totals"]
    assert dge["difference_ore"] == 0 and dge["dge_grants_reform_ore"] == dge["dge_groups"] * 1_500_000
    assert dge["dge_grants_reform_ore"] != dge["dge_grants_today_ore"]
    dsam = services.simulate(reform=examples["dsam_3x2h"], year=2025, mode="account").results["totals"]
    # every demo course day is 3 or 6 effective hours, so 2 h and 4 h thresholds change no class
    assert dsam["difference_ore"] == 0

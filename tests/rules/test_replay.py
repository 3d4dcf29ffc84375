"""The yearly runs' arithmetic and the two replay modes, on small hand-made histories.

The proof on the product's own records (every stored decision and ledger balance reproduced with the
shipped parameters) is in tests/simulator/test_replay_records.py."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from ajour.rules import ParameterSet, decide, parse_claim
from ajour.rules.replay import (
    FIXED,
    GP_SELF_CHOSEN,
    GP_SYSTEMATIC,
    STAFF,
    TRAINEE,
    AccountHistory,
    Allocation,
    Entry,
    Filed,
    Grant,
    Opening,
    Settled,
    YearEnd,
    replay_accounts,
    replay_claims,
)
from ajour.rules.yearly import (
    carried,
    carry_over_cap,
    forfeited,
    gp_allocation,
    staff_allocation,
    trainee_allocation,
    trainee_period_months,
)

from .support import claim

SHIPPED = ParameterSet.default()
SC, SYS, STAFF_ACCOUNT = 1, 2, 3


def test_yearly_arithmetic_from_the_parameters() -> None:
    assert gp_allocation(SHIPPED, role="gp_owner", year=2025, share_percent=100) == (2140000, 6)
    assert gp_allocation(SHIPPED, role="gp_employed", year=2025, share_percent=50) == (1070000, 3)
    assert trainee_allocation(SHIPPED, phase="trainee_phase3", period_start=date(2025, 3, 1)) == 400000
    assert trainee_period_months(SHIPPED, phase="trainee_phase2", starts_on=date(2025, 3, 1)) == 6
    assert staff_allocation(SHIPPED, capacities=2, year=2023) == 1000000
    assert staff_allocation(SHIPPED, capacities=2, year=2022) == 0
    assert carry_over_cap(SHIPPED, year=2025, allocation=2140000) == 2140000
    two_years = SHIPPED.with_changes({"yearend.carry_over_years": [(date(2025, 1, 1), 2)]})
    assert carry_over_cap(two_years, year=2025, allocation=2140000) == 4280000
    assert (carried(balance=3000, cap=2000), forfeited(balance=3000, cap=2000, available=5000)) == (
        2000,
        1000,
    )
    assert forfeited(balance=3000, cap=2000, available=400) == 400  # a late close never forfeits money drawn
    assert (carried(balance=-5, cap=2000), forfeited(balance=100, cap=-5, available=100)) == (0, 100)


def test_per_claim_replay_is_decide_on_each_claim() -> None:
    claims = [parse_claim(claim()), parse_claim(claim(balances={"self_chosen_ore": 100000}))]
    reform = SHIPPED.with_changes({"fee.self_chosen.full": [(date(2025, 1, 1), 500000)]})
    assert replay_claims(claims, SHIPPED) == [decide(c, SHIPPED) for c in claims]
    assert [d.payable_ore for d in replay_claims(claims, reform)] == [500000, 100000]


def _course(filed_on: str, day: str, fee: int = 0) -> Filed:
    """A one-day course claim with a course fee, by a GP owner (balances and allocation replaced)."""
    payload = claim(
        filed_on=filed_on,
        balances={"self_chosen_ore": 0, "systematic_days": 0},
        activity={
            "days": [{"date": day, "from": "09:00", "to": "16:30", "break_minutes": 60, "attended": True}]
        },
        expenses={"course_fee_ore": fee},
    )
    return Filed(
        ref=0, claim=parse_claim(payload), activity_year=int(day[:4]), self_chosen=SC, systematic=SYS
    )


def _history(*events: object, opening: Opening | None = None) -> AccountHistory:
    return AccountHistory(tuple(events), opening or Opening())  # type: ignore[arg-type]


def test_an_account_history_carries_balances_from_claim_to_claim_and_closes_the_year() -> None:
    first = replace(_course("2024-03-10", "2024-03-06", fee=2000000), ref=11)
    second = replace(_course("2024-05-10", "2024-05-06"), ref=12)
    history = _history(
        Allocation(SC, 2024, Grant(GP_SELF_CHOSEN, role="gp_owner")),
        Allocation(SYS, 2024, Grant(GP_SYSTEMATIC, role="gp_owner")),
        first,
        second,
        Entry(SC, 2024, 50000),
        YearEnd(2024),
    )
    result = replay_accounts([history], SHIPPED)
    # the first claim: fee 4,000 and a course fee of 20,000 capped at 2,800; the second: fee 4,000
    assert [result.decisions[ref].payable_ore for ref in (11, 12)] == [680000, 400000]
    assert result.decisions[12].reasons == ()
    assert result.allocated == {(SC, 2024): 2140000, (SYS, 2024): 6}
    left = 2140000 - 680000 - 400000 + 50000
    assert result.balances[(SC, 2024)] == 0  # everything carried out of 2024 (below the cap)
    assert result.balances[(SC, 2025)] == left
    assert result.forfeited == {}


def test_a_reform_of_the_allocation_and_the_carry_over_reaches_later_decisions() -> None:
    """Without carry-over the 2024 close forfeits everything; 2025 starts from the reform's 23,000 DKK."""
    history = _history(
        Allocation(SC, 2024, Grant(GP_SELF_CHOSEN, role="gp_owner")),
        YearEnd(2024),
        Allocation(SC, 2025, Grant(GP_SELF_CHOSEN, role="gp_owner")),
        replace(_course("2025-03-10", "2025-03-06", fee=30000000), ref=21),
    )
    reform = SHIPPED.with_changes(
        {
            "allocation.gp_owner": [(date(2025, 1, 1), 2300000)],
            "yearend.carry_over_years": [(date(2024, 1, 1), 0)],
        }
    )
    shipped, proposed = replay_accounts([history], SHIPPED), replay_accounts([history], reform)
    assert shipped.forfeited == {} and shipped.decisions[21].payable_ore == 400000 + 280000
    assert proposed.forfeited == {(SC, 2024): 2140000}
    assert proposed.allocated[(SC, 2025)] == 2300000
    assert proposed.decisions[21].payable_ore == 680000
    assert proposed.decisions[21].snapshot is not None


def test_a_cut_claim_and_a_later_forfeit_above_the_cap() -> None:
    history = _history(
        Allocation(SC, 2024, Grant(GP_SELF_CHOSEN, role="gp_owner")),
        YearEnd(2023),  # nothing booked for 2023 or before: nothing to close
        Entry(SC, 2024, 3000000),  # a correction outside the cap: above it at the close
        YearEnd(2024),
        replace(_course("2025-01-10", "2025-01-06"), ref=31),
    )
    result = replay_accounts([history], SHIPPED)
    assert result.forfeited == {(SC, 2024): 3000000}
    assert result.balances[(SC, 2025)] == 2140000 - 400000


def test_hand_settlements_keep_what_people_decided_and_corrections_of_the_allocation_raise_the_cap() -> None:
    material = parse_claim(
        claim(
            filed_on="2024-04-01",
            activity={"type": "study_material", "purchased_on": "2024-03-30", "days": []},
            expenses={"material_ore": 700000},
            balances={"material_used_ore": 0},
        )
    )
    history = _history(
        Allocation(SC, 2024, Grant(GP_SELF_CHOSEN, role="gp_owner")),
        Filed(ref=41, claim=material, activity_year=2024, self_chosen=SC),
        Filed(ref=42, claim=material, activity_year=2024, self_chosen=SC),
        Settled(ref=41, account=SC, year=2024, drawn=0, payable_ore=0, live=False),
        Filed(ref=43, claim=material, activity_year=2024, self_chosen=SC),
        Entry(SC, 2024, -100000, in_cap=True),
        Entry(SC, 2024, 1000000),
        YearEnd(2024),
    )
    result = replay_accounts([history], SHIPPED)
    limit = 2140000 * 25 // 100  # 5,350 DKK a year of study material
    assert result.decisions[41].payable_ore == limit
    assert result.decisions[42].payable_ore == 0  # the limit is used up
    assert (
        result.decisions[43].payable_ore == limit
    )  # the first was rejected by hand: the limit is free again
    balance = 2140000 - limit - 100000 + 1000000
    assert result.forfeited == {(SC, 2024): balance - 2040000}  # the cap counts the corrected allocation
    assert result.balances[(SC, 2025)] == 2040000


def test_trainees_clinics_fixed_amounts_and_a_gp_allocation_of_nothing() -> None:
    staff_claim = parse_claim(
        claim(
            activity={"type": "staff_course", "approval": "self_chosen"},
            balances={"staff_ore": 0},
            staff={"profession": "nurse", "weekly_hours": 37},
        )
    )
    clinic = _history(
        Allocation(STAFF_ACCOUNT, 2025, Grant(STAFF, capacities=2)),
        Filed(ref=51, claim=staff_claim, activity_year=2025, staff=STAFF_ACCOUNT),
    )
    trainee = _history(
        Allocation(7, 2025, Grant(TRAINEE, role="trainee_phase2", period_start=date(2025, 2, 1))),
        Allocation(8, 2025, Grant(FIXED, amount=12345)),
        Allocation(9, 2025, Grant(GP_SELF_CHOSEN, role="locum")),
    )
    result = replay_accounts([clinic, trainee], SHIPPED)
    assert result.decisions[51].staff_ore == result.decisions[51].payable_ore == 282000
    assert result.balances[(STAFF_ACCOUNT, 2025)] == 1200000 - 282000
    assert result.allocated == {(STAFF_ACCOUNT, 2025): 1200000, (7, 2025): 200000, (8, 2025): 12345}


def test_a_history_starts_from_its_opening() -> None:
    opening = Opening(
        ledger={(SC, 2024): 2140000, (SYS, 2024): 6},
        capped={(SC, 2024): 2140000, (SYS, 2024): 6},
        allocated={(SC, 2024): 2140000},
        draws={(61, SC): 400000},
        material={62: (SC, 2024, 5000)},
    )
    history = _history(
        Settled(ref=61, account=SC, year=2024, drawn=300000, payable_ore=300000, live=True),
        Settled(ref=62, account=SC, year=2024, drawn=0, payable_ore=0, live=True),
        opening=opening,
    )
    result = replay_accounts([history], SHIPPED)
    assert result.balances == {(SC, 2024): 2140000 + 400000 - 300000 + 0, (SYS, 2024): 6}
    assert result.allocated == {(SC, 2024): 2140000}

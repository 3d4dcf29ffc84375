"""The batch path equals ``decide()``: per claim and per account, field by field, on every scenario,
generated and Hypothesis claims, under the shipped parameters and under reforms."""

from __future__ import annotations

import gc
import random
from collections import defaultdict
from collections.abc import Sequence
from datetime import date
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from ajour.rules import Claim, ParameterSet, decide, parse_claim
from ajour.rules.batch import (
    ACCOUNT_KINDS,
    LINE_SLOTS,
    MAX_ORE,
    AccountKeys,
    ClaimColumns,
    Ledger,
    collector_paused,
    decide_claims,
    decide_in_order,
    parse_claims,
    summary_of,
    years_of,
)
from ajour.rules.bench import generate_payloads
from ajour.rules.reforms import shipped_reforms
from ajour.rules.schema import Balances

from .support import BASE_CLAIM, claim, iso, merged
from .test_properties import RULES, claims
from .test_scenarios import CASES

REFORMED = {
    "shipped": ParameterSet.default(),
    **{name: reform.parameters() for name, reform in shipped_reforms().items()},
    "thresholds": ParameterSet.default().with_overrides(
        {"threshold.half_day": 200, "threshold.full_day": 420}
    ),
    "allocation": ParameterSet.default().with_overrides(
        {"allocation.gp_owner": 3_000_000, "allocation.trainee_phase3": 0, "material.share": 5000}
    ),
    "caps": ParameterSet.default().with_overrides(
        {
            "cap.course_fee.per_day": 100_000,
            "cap.transport.per_block": 0,
            "cap.transport.staff_per_block": 250_000,
            "transport.block_max_gap": 1,
            "fee.systematic.half": 0,
        }
    ),
    "eligibility": ParameterSet.default().with_overrides(
        {
            "eligibility.trainee_roles": ["trainee_phase2"],
            "eligibility.systematic_activity_types": ["course", "sge_day", "dge_module"],
            "eligibility.no_account_roles": [],
            "eligibility.staff_ineligible_professions": ["nurse"],
            "staff.scheme_start": date(2019, 1, 1),
            "fee_window.start": 7 * 60,
            "fee_window.end": 18 * 60,
            "claim.filing_deadline_years": 0,
        }
    ),
}
"""Parameter sets the batch must follow exactly as ``decide()`` does."""


def _assert_equal(claims: Sequence[Claim], parameters: ParameterSet) -> None:
    result = decide_claims(ClaimColumns.from_claims(claims), parameters)
    assert len(result) == len(claims)
    for index, parsed in enumerate(claims):
        assert result.summary(index) == summary_of(decide(parsed, parameters)), index


@pytest.mark.parametrize("parameters", REFORMED.values(), ids=REFORMED.keys())
def test_every_scenario(parameters: ParameterSet) -> None:
    payloads = [merged(BASE_CLAIM, iso(case.values[0]["claim"])) for case in CASES]
    _assert_equal([parse_claim(payload) for payload in payloads], parameters)


@pytest.mark.parametrize("parameters", REFORMED.values(), ids=REFORMED.keys())
@pytest.mark.parametrize("seed", [1, 2, 2026])
def test_generated_claims(parameters: ParameterSet, seed: int) -> None:
    _assert_equal([parse_claim(payload) for payload in generate_payloads(1500, seed)], parameters)


@RULES
@given(st.lists(claims(), min_size=1, max_size=12), st.sampled_from(sorted(REFORMED)))
def test_any_claims(payloads: list[dict[str, Any]], reform: str) -> None:
    _assert_equal([parse_claim(payload) for payload in payloads], REFORMED[reform])


def test_a_part_of_the_columns_decides_as_its_claims() -> None:
    claims = [parse_claim(payload) for payload in generate_payloads(300, 4)]
    index = np.array([7, 3, 250, 3, 120], np.int64)
    part = decide_claims(ClaimColumns.from_claims(claims).take(index))
    alone = decide_claims(ClaimColumns.from_claims([claims[at] for at in index]))
    assert [part.summary(at) for at in range(len(index))] == [alone.summary(at) for at in range(len(index))]


def test_parse_claims_in_bulk_restores_the_collector() -> None:
    assert gc.isenabled()
    assert parse_claims([BASE_CLAIM, BASE_CLAIM]) == [parse_claim(BASE_CLAIM)] * 2
    assert gc.isenabled()
    gc.disable()
    try:
        with collector_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_years_of_dates() -> None:
    days = [date(2000, 1, 1), date(2023, 12, 31), date(2024, 2, 29)]
    assert years_of(np.array([day.toordinal() for day in days], np.int64)).tolist() == [2000, 2023, 2024]


def test_an_empty_batch() -> None:
    columns = ClaimColumns.from_claims([])
    assert len(decide_claims(columns)) == 0
    assert len(decide_in_order(columns, _keys([]), Ledger())) == 0


@pytest.mark.parametrize("amount", [MAX_ORE, 2**70])
def test_amounts_beyond_the_batch_are_refused(amount: int) -> None:
    with pytest.raises(ValueError, match="one by one"):
        ClaimColumns.from_claims([parse_claim(claim(expenses={"course_fee_ore": amount}))])


# --- per account ---------------------------------------------------------------------------------


def _keys(rows: Sequence[tuple[int, int, int, int]]) -> AccountKeys:
    columns = [np.array([row[slot] for row in rows], np.int64) for slot in range(4)]
    return AccountKeys(*columns)


def _replay_one_by_one(
    claims: Sequence[Claim],
    rows: Sequence[tuple[int, int, int, int]],
    opening: dict[tuple[str, int], int],
    parameters: ParameterSet,
) -> tuple[list[dict[str, object]], dict[tuple[str, int], int]]:
    """The reference: ``decide()`` claim by claim, on the balances the claims before left."""
    held = defaultdict(int, opening)
    summaries = []
    for parsed, row in zip(claims, rows, strict=True):
        keys = [(kind, ident) if ident >= 0 else None for kind, ident in zip(ACCOUNT_KINDS, row, strict=True)]
        # Balances hold the four balances in the order of ACCOUNT_KINDS.
        balances = Balances(
            *(held[key] if key else own for key, own in zip(keys, parsed.balances, strict=True))
        )
        decision = decide(parsed._replace(balances=balances), parameters)
        summary = summary_of(decision)
        moves = (
            -decision.self_chosen_ore,
            -decision.systematic_half_days,
            -decision.staff_ore,
            summary["lines"]["material", "self_chosen"],  # type: ignore[index]
        )
        for key, move in zip(keys, moves, strict=True):
            if key:
                held[key] += move
        summaries.append(summary)
    return summaries, dict(held)


def _per_account(
    claims: Sequence[Claim],
    rows: Sequence[tuple[int, int, int, int]],
    opening: dict[tuple[str, int], int],
    parameters: ParameterSet,
) -> None:
    ledger = Ledger()
    for (kind, ident), amount in opening.items():
        ledger.add(kind, [ident], amount)
    result = decide_in_order(ClaimColumns.from_claims(claims), _keys(rows), ledger, parameters)
    expected, held = _replay_one_by_one(claims, rows, opening, parameters)
    for index, summary in enumerate(expected):
        assert result.summary(index) == summary, index
    for kind in ACCOUNT_KINDS:
        ids = sorted(ident for held_kind, ident in held if held_kind == kind)
        assert ledger.balances(kind, ids).tolist() == [held[kind, ident] for ident in ids], kind


def _accounts_of(
    claims: Sequence[Claim], rng: random.Random, doctors: int
) -> list[tuple[int, int, int, int]]:
    rows = []
    for parsed in claims:
        doctor = rng.randrange(doctors)
        year = (parsed.activity.purchased_on or parsed.filed_on).year
        staff = doctor // 3 if parsed.staff is not None else -1
        rows.append((doctor if rng.random() < 0.95 else -1, doctor, staff, doctor * 10_000 + year))
    return rows


def _opening(doctors: int) -> dict[tuple[str, int], int]:
    opening = {}
    for doctor in range(doctors):
        opening["self_chosen", doctor] = 2_140_000
        opening["systematic", doctor] = 6
        opening["staff", doctor // 3] = 600_000
    return opening


@pytest.mark.parametrize("parameters", REFORMED.values(), ids=REFORMED.keys())
@pytest.mark.parametrize("seed", [3, 2026])
def test_per_account_carries_balances_like_one_by_one(parameters: ParameterSet, seed: int) -> None:
    claims = [parse_claim(payload) for payload in generate_payloads(1500, seed)]
    doctors = 60
    _per_account(claims, _accounts_of(claims, random.Random(seed), doctors), _opening(doctors), parameters)


def test_per_account_on_the_doctors_accounts_alone() -> None:
    """Systematic days and study material go with the self-chosen account: claims wait only for the
    doctor's earlier claims."""
    claims = [parse_claim(payload) for payload in generate_payloads(1500, 5)]
    rng = random.Random(5)
    rows = []
    for parsed in claims:
        doctor = rng.randrange(40)
        year = (parsed.activity.purchased_on or parsed.filed_on).year
        rows.append((doctor, doctor, -1, doctor * 10_000 + year))
    _per_account(claims, rows, _opening(40), ParameterSet.default())


@RULES
@given(st.lists(claims(), min_size=1, max_size=12), st.randoms(use_true_random=False))
def test_per_account_any_claims(payloads: list[dict[str, Any]], rng: random.Random) -> None:
    claims = [parse_claim(payload) for payload in payloads]
    _per_account(claims, _accounts_of(claims, rng, 3), _opening(3), ParameterSet.default())


def test_ledger_books_and_reads_by_kind_and_id() -> None:
    ledger = Ledger()
    ledger.add("self_chosen", [7, 3], [100, 50])
    ledger.add("self_chosen", [7], -30)
    ledger.add("systematic", [7], 6)
    assert ledger.balances("self_chosen", [3, 7, 9]).tolist() == [50, 70, 0]
    assert ledger.balances("systematic", [7, 3]).tolist() == [6, 0]


def test_ledger_ids_have_a_limit() -> None:
    with pytest.raises(ValueError, match="below"):
        Ledger().add("staff", [2**60], 1)


def test_line_slots_cover_every_line_a_decision_makes() -> None:
    seen = set()
    for payload in generate_payloads(700):
        seen |= {(line.item, line.account) for line in decide(parse_claim(payload)).lines}
    assert seen == set(LINE_SLOTS)

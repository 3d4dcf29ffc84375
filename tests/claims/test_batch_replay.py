"""The rules engine's batch path over every claim stored by the product's services (the small demo,
built through allocation, bulk submission and year-end close): per claim it gives the stored decisions,
and per account, in filing order, the same as ``decide()`` one claim at a time."""

from __future__ import annotations

from collections import defaultdict

import numpy as np
import pytest
from django.db import transaction

from ajour.claims.models import Claim
from ajour.demo.services import _wipe
from ajour.rules import decide, parse_claim
from ajour.rules.batch import (
    ACCOUNT_KINDS,
    LINE_SLOTS,
    AccountKeys,
    ClaimColumns,
    Ledger,
    decide_claims,
    decide_in_order,
    summary_of,
)
from ajour.rules.days import course_day_halves
from ajour.rules.schema import Balances

from ..demo.test_load import load

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def stored(django_db_setup, django_db_blocker):  # noqa: ANN001, ANN201
    """Every stored claim, in filing order."""
    with django_db_blocker.unblock():
        load()
        yield list(Claim.objects.order_by("filed_on", "pk"))
        with transaction.atomic():
            _wipe()


def _stored_summary(claim: Claim) -> dict[str, object]:
    """The stored ``ajour.decision/1`` document, in the shape of the batch's summary."""
    document = claim.decision
    lines = dict.fromkeys(LINE_SLOTS, 0)
    for line in document["lines"]:
        lines[line["item"], line["account"]] += line["approved_ore"]
    codes = tuple(reason["code"] for reason in document["reasons"])
    draws = document["draws"]
    return {
        "outcome": document["outcome"],
        "payable_ore": document["payable_ore"],
        "lines": lines,
        "self_chosen_ore": draws["self_chosen_ore"],
        "systematic_half_days": round(draws["systematic_days"] * 2),
        "staff_ore": draws["staff_ore"],
        "reasons": codes,
        "rejection": codes[0] if document["outcome"] == "rejected" else None,
        "course_day_halves": course_day_halves(day["class"] for day in document["days"]),
    }


def test_per_claim_gives_every_stored_decision(stored: list[Claim]) -> None:
    assert len(stored) > 1000
    result = decide_claims(ClaimColumns.from_claims([parse_claim(claim.inputs) for claim in stored]))
    for index, claim in enumerate(stored):
        summary = result.summary(index)
        assert summary == _stored_summary(claim), claim.pk
        drawn = (claim.drawn_self_chosen_ore, claim.drawn_systematic_half_days, claim.drawn_staff_ore)
        assert drawn == (summary["self_chosen_ore"], summary["systematic_half_days"], summary["staff_ore"])
        rejected = summary["outcome"] == "rejected"
        assert claim.course_day_halves == (0 if rejected else summary["course_day_halves"])


def test_per_account_in_filing_order_equals_decide_one_by_one(stored: list[Claim]) -> None:
    """Each doctor's accounts, the clinic's staff account and study material per doctor and purchase
    year, opened with what the first claim on each carried."""
    claims = [parse_claim(claim.inputs) for claim in stored]
    rows = []
    for claim, parsed in zip(stored, claims, strict=True):
        staff = claim.practice_id if claim.staff_member_id is not None else -1
        material = -1
        if parsed.activity.purchased_on is not None:
            material = claim.claimant_id * 10_000 + parsed.activity.purchased_on.year
        rows.append((claim.claimant_id, claim.claimant_id, staff, material))
    opening: dict[tuple[str, int], int] = {}
    for parsed, row in zip(claims, rows, strict=True):
        for kind, ident, carried in zip(ACCOUNT_KINDS, row, parsed.balances, strict=True):
            if ident >= 0:
                opening.setdefault((kind, ident), carried)

    ledger = Ledger()
    for (kind, ident), amount in opening.items():
        ledger.add(kind, [ident], amount)
    columns = [np.array([row[slot] for row in rows], np.int64) for slot in range(4)]
    result = decide_in_order(ClaimColumns.from_claims(claims), AccountKeys(*columns), ledger)

    held = defaultdict(int, opening)
    for index, (parsed, row) in enumerate(zip(claims, rows, strict=True)):
        keys = [(kind, ident) if ident >= 0 else None for kind, ident in zip(ACCOUNT_KINDS, row, strict=True)]
        balances = Balances(
            *(held[key] if key else own for key, own in zip(keys, parsed.balances, strict=True))
        )
        decision = decide(parsed._replace(balances=balances))
        assert result.summary(index) == summary_of(decision), stored[index].pk
        material = sum(line.approved_ore for line in decision.lines if line.item == "material")
        moves = (-decision.self_chosen_ore, -decision.systematic_half_days, -decision.staff_ore, material)
        for key, move in zip(keys, moves, strict=True):
            if key:
                held[key] += move
    for kind in ACCOUNT_KINDS:
        ids = sorted(ident for held_kind, ident in held if held_kind == kind)
        assert ledger.balances(kind, ids).tolist() == [held[kind, ident] for ident in ids]

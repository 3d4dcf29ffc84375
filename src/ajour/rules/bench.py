"""``ajour rules bench``: claims decided per second on one core.

Generates varied, valid claims from a fixed seed (so every run decides the same claims), then times,
in one process: ``decide`` alone on parsed claims; the whole path an API call takes (validate the
decoded JSON, decide, serialise; JSON text decoding and encoding are not included); and the batch
path in both modes, including building its columns from the parsed claims. Each figure is the best of
a few rounds (the machine is shared), and each is also given as a ratio to ``decide`` alone in the
same run. There is no plain-Python reference implementation in the repository to compare with.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

from ajour.rules.batch import AccountKeys, ClaimColumns, Ledger, decide_claims, decide_in_order
from ajour.rules.decide import decide
from ajour.rules.schema import ACTIVITY_TYPES, PROFESSIONS, STAFF_TYPES, STUDY_MATERIAL, Claim, parse_claim
from ajour.rules.serialise import decision_to_json

SEED = 2026
WARM_UP = 1_000
"""Claims decided untimed first, so that one-off work (importing the holiday calendar, building the
parameter snapshots and holiday sets, which are cached) is not counted."""
_FIRST_DAY = date(2017, 1, 2)
_SPAN_DAYS = 9 * 365
_ROLES = ("gp_owner",) * 6 + ("gp_employed",) * 2 + ("trainee_phase2", "trainee_phase3", "locum")
_APPROVALS = ("self_chosen",) * 3 + ("systematic", "both", "both", "none")


def generate_payloads(count: int, seed: int = SEED) -> list[dict[str, object]]:
    """``count`` valid ``ajour.claim/1`` documents covering every type, role and rule."""
    rng = random.Random(seed)
    return [_payload(rng, index) for index in range(count)]


def _payload(rng: random.Random, index: int) -> dict[str, object]:
    activity_type = ACTIVITY_TYPES[index % len(ACTIVITY_TYPES)]
    start = _FIRST_DAY + timedelta(days=rng.randrange(_SPAN_DAYS))
    activity: dict[str, object] = {
        "id": f"{start.year}-{index % 10_000:04d}",
        "type": activity_type,
        "approval": rng.choice(_APPROVALS),
        "laegedage": rng.random() < 0.1,
        "practice_purchase": rng.random() < 0.1,
    }
    if activity_type == STUDY_MATERIAL:
        activity["purchased_on"] = start.isoformat()
        last = start
    else:
        days = []
        day = start
        for _ in range(rng.choice((1, 1, 2, 2, 3, 4))):
            opens = rng.randrange(7 * 60, 13 * 60, 15)
            days.append(
                {
                    "date": day.isoformat(),
                    "from": _clock(opens),
                    "to": _clock(min(opens + rng.randrange(60, 10 * 60, 15), 23 * 60 + 59)),
                    "break_minutes": rng.choice((0, 30, 45, 60)),
                    "attended": rng.random() < 0.95,
                }
            )
            last = day
            day += timedelta(days=rng.choice((1, 1, 1, 3, 7)))
        activity["days"] = days
    payload: dict[str, object] = {
        "schema": "ajour.claim/1",
        "filed_on": (last + timedelta(days=rng.randrange(-5, 700))).isoformat(),
        "claimant": {"role": rng.choice(_ROLES), "has_account": rng.random() < 0.97},
        "balances": {
            "self_chosen_ore": rng.randrange(0, 4_280_000, 5_000),
            "systematic_days": rng.randrange(0, 13) / 2,
            "staff_ore": rng.randrange(0, 1_000_000, 5_000),
            "material_used_ore": rng.choice((0, 0, 100_000, 500_000)),
        },
        "activity": activity,
        "account": rng.choice(("auto", "auto", "self_chosen")),
        "expenses": {
            "course_fee_ore": rng.randrange(0, 1_200_000, 10_000),
            "transport_ore": rng.randrange(0, 400_000, 5_000),
            "material_ore": rng.randrange(0, 800_000, 10_000) if activity_type == STUDY_MATERIAL else 0,
        },
    }
    if activity_type in STAFF_TYPES:
        payload["staff"] = {"profession": rng.choice(PROFESSIONS), "weekly_hours": rng.randrange(10, 41)}
    return payload


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


ROUNDS = 3
CLAIMS_PER_ACCOUNT = 25
"""Per-account mode: claims are spread over accounts so that each holds about this many, in order."""


@dataclass(frozen=True, slots=True)
class BenchResult:
    count: int
    rounds: int
    per_second: dict[str, float]
    """Claims per second on one core, by path (best round)."""

    def report(self) -> str:
        base = self.per_second["decide"]
        lines = [f"{self.count} generated claims, one process (one core), best of {self.rounds} rounds"]
        for key, label in PATHS:
            rate = self.per_second[key]
            lines.append(f"{label:<44}{rate:>12,.0f} claims/s/core {rate / base:>7.2f} × decide")
        lines.append(f"{'plain-Python reference':<44}{'none in the repository (skipped)':>12}")
        return "\n".join(lines)


PATHS = (
    ("decide", "decide() alone"),
    ("full", "validate + decide + serialise"),
    ("batch", "batch per claim (with building its columns)"),
    ("accounts", "batch per account (with building its columns)"),
)


def run_benchmark(count: int, rounds: int = ROUNDS) -> BenchResult:
    payloads = generate_payloads(count)
    claims = [parse_claim(payload) for payload in payloads]
    for claim in claims[:WARM_UP]:
        decision_to_json(decide(claim))
    decide_claims(ClaimColumns.from_claims(claims[:WARM_UP]))
    keys = _accounts(claims)

    def decide_alone() -> None:
        for claim in claims:
            decide(claim)

    def full() -> None:
        for payload in payloads:
            decision_to_json(decide(parse_claim(payload)))

    def per_account() -> None:
        ledger = Ledger()
        holders = np.arange(max(1, count // CLAIMS_PER_ACCOUNT))
        ledger.add("self_chosen", holders, 2_140_000)
        ledger.add("systematic", holders, 6)
        ledger.add("staff", holders, 600_000)
        decide_in_order(ClaimColumns.from_claims(claims), keys, ledger)

    paths: dict[str, Callable[[], object]] = {
        "decide": decide_alone,
        "full": full,
        "batch": lambda: decide_claims(ClaimColumns.from_claims(claims)),
        "accounts": per_account,
    }
    best = dict.fromkeys(paths, float("inf"))
    for _round in range(rounds):
        for key, path in paths.items():
            started = time.perf_counter()
            path()
            best[key] = min(best[key], time.perf_counter() - started)
    return BenchResult(count, rounds, {key: count / seconds for key, seconds in best.items()})


def _accounts(claims: Sequence[Claim]) -> AccountKeys:
    """Per-account mode's accounts: each claim's doctor (self-chosen, systematic and study material per
    year) and, for staff claims, the doctor's clinic."""
    holders = np.arange(len(claims)) % max(1, len(claims) // CLAIMS_PER_ACCOUNT)
    staff = np.array([claim.staff is not None for claim in claims], np.bool_)
    years = np.array([(claim.activity.purchased_on or claim.filed_on).year for claim in claims], np.int64)
    return AccountKeys(holders, holders, np.where(staff, holders // 3, -1), holders * 10_000 + years)

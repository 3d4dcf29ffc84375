"""``ajour rules bench``: decisions per second on one core.

Generates varied, valid claims from a fixed seed (so every run decides the same claims), then
times ``decide`` alone on parsed claims, and the whole path an API call takes: validate the
decoded JSON, decide, serialise. JSON text decoding and encoding are not included.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass
from datetime import date, timedelta

from ajour.rules.decide import decide
from ajour.rules.schema import ACTIVITY_TYPES, PROFESSIONS, STAFF_TYPES, STUDY_MATERIAL, parse_claim
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


@dataclass(frozen=True, slots=True)
class BenchResult:
    count: int
    decide_seconds: float
    full_seconds: float

    def report(self) -> str:
        return (
            f"{self.count} generated claims, one process (one core)\n"
            f"decide alone:                    {self.count / self.decide_seconds:>10,.0f} decisions/s/core\n"
            f"validate + decide + serialise:   {self.count / self.full_seconds:>10,.0f} decisions/s/core"
        )


def run_benchmark(count: int) -> BenchResult:
    payloads = generate_payloads(count)
    claims = [parse_claim(payload) for payload in payloads]
    for claim in claims[:WARM_UP]:
        decide(claim)
    started = time.perf_counter()
    for claim in claims:
        decide(claim)
    decide_seconds = time.perf_counter() - started
    started = time.perf_counter()
    for payload in payloads:
        decision_to_json(decide(parse_claim(payload)))
    full_seconds = time.perf_counter() - started
    return BenchResult(count, decide_seconds, full_seconds)

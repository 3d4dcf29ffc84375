"""The policy simulator's replay, end to end on the national demo: one year's claims and the whole
history read from PostgreSQL, parsed, decided per account with the rules engine's batch path (in
filing order, balances carried from claim to claim), and aggregated; targets < 2 s for a year and
< 10 s for the history. Also decides every stored claim per claim and counts how many of the stored
decisions it reproduces (all of them, with the shipped parameters).

Per-account mode opens each account with the balance its first claim in the replay carried: the
doctor's self-chosen account and systematic days, the clinic's staff account, and study material per
doctor and purchase year. One process (one core).

Usage (a throwaway PostgreSQL database; the national demo is loaded into it first if it is empty,
which takes a few minutes):
    .venv/bin/python bench/rules_replay.py --database-url postgres://postgres@127.0.0.1:5432/ajour_bench_replay
"""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager


def setup(database_url: str) -> None:
    os.environ.update(DATABASE_URL=database_url, AJOUR_DEMO="1", AJOUR_SECURE="0")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ajour.settings.production")
    import django

    django.setup()
    from django.core.management import call_command

    from ajour.demo.services import demo_data_exists

    call_command("migrate", verbosity=0)
    if not demo_data_exists():
        started = time.perf_counter()
        call_command("demo", "load", scale="national", verbosity=0)
        print(f"national demo loaded in {time.perf_counter() - started:.0f} s")


@contextmanager
def timed(times: dict[str, float], step: str) -> Iterator[None]:
    started = time.perf_counter()
    yield
    times[step] = time.perf_counter() - started


def replay(year: int | None) -> tuple[int, dict[str, float], dict[str, int]]:
    """Claims filed in ``year`` (or all, year by year), in filing order: read, parse, decide per account
    (each year's accounts opened with what their first claim of the year carried, as after the year's
    allocation), aggregate; and how many stored decisions the replay gives again."""
    import numpy as np

    from ajour.claims.models import Claim
    from ajour.rules.batch import LINE_SLOTS, OUTCOMES, ClaimColumns, collector_paused, parse_claims

    times: dict[str, float] = {}
    with timed(times, "read"), collector_paused():
        rows = Claim.objects.order_by("filed_on", "pk")
        if year is not None:
            rows = rows.filter(filed_on__year=year)
        stored = list(
            rows.values_list(
                "inputs",
                "claimant_id",
                "practice_id",
                "staff_member_id",
                "filed_on",
                "payable_ore",
                "outcome",
            )
        )
    with timed(times, "parse"):
        claims = parse_claims(row[0] for row in stored)
    with timed(times, "replay"):
        columns = ClaimColumns.from_claims(claims)
        filed = np.array([row[4].year for row in stored], np.int64)
        outcome, payable, lines = [], [], []
        for chosen in np.unique(filed):
            index = np.flatnonzero(filed == chosen)
            result = _replay_year(columns, [stored[at] for at in index], index)
            outcome.append(result.outcome)
            payable.append(result.payable_ore)
            lines.append(result.line_ore)
    with timed(times, "aggregate"):
        outcomes = np.concatenate(outcome)
        totals = dict(zip(LINE_SLOTS, np.concatenate(lines).sum(axis=0).tolist(), strict=True))
        expected_outcome = np.array([OUTCOMES.index(row[6]) for row in stored])
        expected_payable = np.array([row[5] for row in stored], np.int64)
        same = (outcomes == expected_outcome) & (np.concatenate(payable) == expected_payable)
        counts = np.bincount(outcomes, minlength=3).tolist()
        figures = {
            **dict(zip(OUTCOMES, counts, strict=True)),
            "payable_ore": int(np.concatenate(payable).sum()),
            "fee_ore": totals["fee", "self_chosen"] + totals["fee", "systematic"],
            "stored_decisions_given_again": int(same.sum()),
        }
    return len(claims), times, figures


def _replay_year(columns, stored, index):  # noqa: ANN001, ANN202
    """One year's claims per account: the doctor's self-chosen and systematic accounts, the clinic's
    staff account (staff claims) and study material per doctor and purchase year."""
    import numpy as np

    from ajour.rules.batch import ACCOUNT_KINDS, AccountKeys, Ledger, decide_in_order, years_of

    year = columns.take(index)
    doctor = np.array([row[1] for row in stored], np.int64)
    staff = np.array([row[2] if row[3] is not None else -1 for row in stored], np.int64)
    bought = year.purchased_on
    material = np.where(bought > 0, doctor * 10_000 + years_of(bought), -1)
    keys = AccountKeys(doctor, doctor, staff, material)
    carried = (year.self_chosen_ore, year.systematic_half_days, year.staff_ore, year.material_used_ore)
    ledger = Ledger()
    for kind, ids, balance in zip(ACCOUNT_KINDS, keys, carried, strict=True):
        held = ids >= 0
        opened, first = np.unique(ids[held], return_index=True)
        ledger.add(kind, opened, balance[held][first])
    return decide_in_order(year, keys, ledger)


def reproduced() -> tuple[int, int]:
    """Stored decisions the batch per claim reproduces (payable, draws and outcome)."""
    import numpy as np

    from ajour.claims.models import Claim
    from ajour.rules.batch import OUTCOMES, ClaimColumns, collector_paused, decide_claims, parse_claims

    with collector_paused():
        stored = list(
            Claim.objects.values_list(
                "inputs",
                "decision__payable_ore",
                "drawn_self_chosen_ore",
                "drawn_systematic_half_days",
                "outcome",
            )
        )
    result = decide_claims(ClaimColumns.from_claims(parse_claims(row[0] for row in stored)))
    expected = np.array([row[1:4] for row in stored], np.int64)
    got = np.stack([result.payable_ore, result.self_chosen_ore, result.systematic_half_days], axis=1)
    outcomes = np.array([OUTCOMES.index(row[4]) for row in stored])
    same = (expected == got).all(axis=1) & (outcomes == result.outcome)
    return int(same.sum()), len(stored)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--year", type=int, help="the year to replay (default: the year with most claims)")
    args = parser.parse_args()
    setup(args.database_url)
    from django.db.models import Count
    from django.db.models.functions import ExtractYear

    from ajour.claims.models import Claim

    year = (
        args.year
        or (
            Claim.objects.annotate(y=ExtractYear("filed_on"))
            .values("y")
            .annotate(n=Count("pk"))
            .order_by("-n")[0]["y"]
        )
    )
    replay(year)  # warm-up: imports, holiday tables
    for label, chosen, target in ((f"one year ({year})", year, 2.0), ("whole history", None, 10.0)):
        count, times, figures = replay(chosen)
        total = sum(times.values())
        steps = ", ".join(f"{step} {seconds:.2f} s" for step, seconds in times.items())
        verdict = "OK" if total < target else "SLOW"
        print(f"{label}: {count:,} claims in {total:.2f} s ({steps}); target < {target:.0f} s: {verdict}")
        print(f"  {count / times['replay']:,.0f} claims/s/core in the replay step; {figures}")
    same, count = reproduced()
    print(f"stored decisions reproduced per claim: {same:,} of {count:,}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

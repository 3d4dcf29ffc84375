"""One national year replayed by the policy simulator, end to end: read from the database, replay, sum.

Run: `.venv/bin/python bench/simulate.py [--data-dir DIR] [--year Y] [--reform NAME]`. Without a loaded
national demo in DIR (default: a new temporary directory) the demo is loaded first (about 160 s). Each
mode is timed through `simulator.services.simulate`, the function the page, the API and `ajour simulate`
call; the per-account run is also split into reading the histories and replaying them.
"""

from __future__ import annotations

import argparse
import os
import resource
import tempfile
import time


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data-dir", help="a data directory with (or for) the national demo")
    parser.add_argument("--year", type=int, default=None, help="default: the last complete year")
    parser.add_argument("--reform", default="allocation_23000", help="a shipped example reform")
    args = parser.parse_args()
    data_dir = args.data_dir or tempfile.mkdtemp(prefix="ajour-simulate-bench-")
    os.environ.update(
        AJOUR_DATA_DIR=data_dir,
        AJOUR_DEMO="1",
        AJOUR_SECURE="0",
        DJANGO_SETTINGS_MODULE="ajour.settings.production",
    )
    os.environ.pop("DATABASE_URL", None)
    import django

    django.setup()
    from django.core.management import call_command

    from ajour.demo.services import demo_data_exists
    from ajour.rules.reforms import shipped_reforms
    from ajour.rules.replay import replay_accounts
    from ajour.simulator import selectors
    from ajour.simulator.services import simulate
    from ajour.stats.selectors import latest_complete_year

    call_command("migrate", verbosity=0)
    if not demo_data_exists():
        started = time.perf_counter()
        call_command("demo", "load", scale="national", verbosity=0)
        print(f"national demo loaded in {time.perf_counter() - started:.1f} s (SQLite in {data_dir})")
    year = args.year or latest_complete_year()
    reform = shipped_reforms()[args.reform]
    print(f"reform {reform.name}, activities held in {year}, SQLite")
    for mode in ("claim", "account"):
        started = time.perf_counter()
        run = simulate(reform=reform, year=year, mode=mode)
        seconds = time.perf_counter() - started
        totals = run.results["totals"]
        print(
            f"  per {mode}: {seconds:.1f} s end to end, {run.results['claims']:,} claims of the year, "
            f"difference {totals['difference_ore'] / 100:,.0f} DKK, "
            f"{totals['gps_better_off']:,} GPs better off, {totals['gps_worse_off']:,} worse off"
        )
    started = time.perf_counter()
    histories, claims = selectors.account_histories(start=reform.dates()[0])
    read = time.perf_counter() - started
    started = time.perf_counter()
    replay = replay_accounts(histories, reform.parameters())
    replayed = time.perf_counter() - started
    print(
        f"  per account, split: histories read in {read:.1f} s ({len(histories):,} holders, "
        f"{len(claims):,} claims on record), {len(replay.decisions):,} claims decided again "
        f"in {replayed:.1f} s"
    )
    print(f"  peak memory {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

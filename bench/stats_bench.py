"""Statistics benchmark: dashboard latency and PDF build time as claims grow.

Synthesises doctors, activities and claims straight into a throwaway SQLite file with bulk inserts
(not through the demo generator), rebuilds the roll-ups, then measures:

- `refresh_rollups()` (the cost that grows with the claims),
- the analyst dashboard, the public page and the API headline (p50/p95 over repeated requests),
- `ajour stats --json` (the headline selector) and the PDF report.

Usage: `.venv/bin/python bench/stats_bench.py --claims 60000 600000` (one row per size; 600,000 claims
is ten years at national scale). The file is deleted afterwards.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import date, timedelta
from pathlib import Path

GPS = 3500
PRACTICES = 2000
FIRST_YEAR = 2016
YEARS = 10
ACTIVITIES_PER_YEAR = 1200
REQUESTS = 30
REGIONS = ["hovedstaden", "sjaelland", "syddanmark", "midtjylland", "nordjylland"]


def _setup(database: Path) -> None:
    os.environ["DATABASE_URL"] = f"sqlite:///{database}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ajour.settings.test")
    import django

    django.setup()
    from django.core.management import call_command
    from django.test.utils import setup_test_environment

    setup_test_environment()  # the test client's host, and no e-mail leaves

    call_command("migrate", verbosity=0)


def _synthesise(claims: int, seed: int = 1) -> None:
    """Bulk-inserts a national population and `claims` claims spread over ten years."""
    from ajour.accounts.models import Doctor, Practice, Region, User
    from ajour.catalogue.models import Activity, ActivityInstance, Provider, Topic
    from ajour.claims.models import Claim

    rng = random.Random(seed)
    regions = Region.objects.bulk_create(Region(code=code, name=f"Region {code}") for code in REGIONS)
    practices = Practice.objects.bulk_create(
        Practice(
            provider_number=f"{n:06d}",
            name=f"Praksis {n}",
            town="By",
            postcode="1000",
            region=regions[n % len(regions)],
            form=Practice.Form.SINGLE if n % 3 else Practice.Form.PARTNERSHIP,
            doctor_capacities=1 + n % 4,
        )
        for n in range(PRACTICES)
    )
    doctors = Doctor.objects.bulk_create(
        Doctor(
            cpr=f"01{21 + n % 12:02d}70{n:04d}",
            authorisation_id=f"B{n:04d}",
            first_name="Læge",
            last_name=f"Nr{n}",
            sex=Doctor.Sex.FEMALE if n % 2 else Doctor.Sex.MALE,
            birth_year=1960 + n % 30,
            role=Doctor.Role.GP_OWNER if n % 4 else Doctor.Role.GP_EMPLOYED,
            practice=practices[n % PRACTICES],
            active_from=date(FIRST_YEAR - 5 + n % 12, 1, 1),
        )
        for n in range(GPS)
    )
    providers = Provider.objects.bulk_create(
        [Provider(name="PLO Efteruddannelse", kind=Provider.Kind.PLO_E)]
        + [Provider(name=f"Region {code}", kind=Provider.Kind.REGIONAL) for code in REGIONS]
        + [Provider(name=f"Privat {n}", kind=Provider.Kind.PRIVATE) for n in range(40)]
    )
    psychiatry = Topic.objects.create(
        code="psykiatri", name_da="Psykiatri", name_en="Psychiatry", category="medical"
    )
    topics = [
        psychiatry,
        Topic.objects.create(
            code="adhd", name_da="ADHD", name_en="ADHD", category="medical", parent=psychiatry
        ),
    ]
    topics += Topic.objects.bulk_create(
        Topic(
            code=f"emne{n}",
            name_da=f"Emne {n}",
            name_en=f"Topic {n}",
            category=[
                "medical",
                "medical",
                "medical",
                "leadership_organisation_communication_wellbeing",
                "other",
            ][n % 5],
        )
        for n in range(38)
    )
    forms = ["course"] * 8 + ["sge", "dge_module", "e_learning", "dge_meeting"]
    activities = Activity.objects.bulk_create(
        Activity(
            provider=None if form == "dge_meeting" else rng.choice(providers),
            title=f"Aktivitet {year}-{n}",
            form=form,
            topic=rng.choice(topics),
            requested_approval="self_chosen",
            approval="self_chosen",
            status="approved",
        )
        for year in range(FIRST_YEAR, FIRST_YEAR + YEARS)
        for n in range(ACTIVITIES_PER_YEAR)
        for form in [forms[n % len(forms)]]
    )
    instances = ActivityInstance.objects.bulk_create(
        ActivityInstance(
            activity=activity,
            venue="Sted",
            town="By",
            region=rng.choice(regions),
            starts_on=date(FIRST_YEAR + i // ACTIVITIES_PER_YEAR, 1, 1) + timedelta(days=rng.randrange(360)),
            ends_on=date(FIRST_YEAR + i // ACTIVITIES_PER_YEAR, 12, 31),
        )
        for i, activity in enumerate(activities)
    )
    claim_type = {"sge": "sge_day", "dge_module": "dge_module", "dge_meeting": "dge_meeting"}
    User.objects.create_user(username="bench-analyst", password="x" * 16, role=User.Role.ANALYST)
    batch: list[Claim] = []
    taken: set[tuple[int, int]] = set()  # one live claim per claimant and run
    for _n in range(claims):
        instance, claimant = rng.choice(instances), rng.choice(doctors)
        while (claimant.pk, instance.pk) in taken:
            instance, claimant = rng.choice(instances), rng.choice(doctors)
        taken.add((claimant.pk, instance.pk))
        form = instance.activity.form
        rejected = rng.random() < 0.03
        halves = 1 if form == "dge_meeting" else rng.choice([1, 2, 2, 2, 4])
        batch.append(
            Claim(
                public_id=uuid.UUID(int=rng.getrandbits(128)),
                claimant=claimant,
                instance=instance,
                activity_type=claim_type.get(form, "course"),
                activity_date=instance.starts_on,
                filed_on=instance.starts_on,
                inputs={},
                decision={},
                rules_version="bench",
                outcome="rejected" if rejected else "approved",
                payable_ore=0 if rejected else 400_000 * halves // 2,
                drawn_systematic_half_days=halves if form == "sge" else 0,
                course_day_halves=0 if rejected else halves,
                payee="private_account",
            )
        )
        if len(batch) == 20_000:
            Claim.objects.bulk_create(batch)
            batch = []
    Claim.objects.bulk_create(batch)


def _timed(run: object, times: int) -> list[float]:
    spent = []
    for _n in range(times):
        started = time.perf_counter()
        run()  # type: ignore[operator]
        spent.append((time.perf_counter() - started) * 1000)
    return spent


def _p95(values: list[float]) -> float:
    return sorted(values)[max(0, round(0.95 * len(values)) - 1)]


def measure(claims: int) -> dict[str, float]:
    from django.test import Client

    from ajour.accounts.models import User
    from ajour.stats.report import render_report
    from ajour.stats.selectors import headline
    from ajour.stats.services import refresh_rollups

    figures: dict[str, float] = {"claims": claims}
    started = time.perf_counter()
    _synthesise(claims)
    figures["insert_s"] = time.perf_counter() - started
    started = time.perf_counter()
    refresh_rollups()
    figures["refresh_s"] = time.perf_counter() - started
    client = Client()
    client.force_login(User.objects.get(username="bench-analyst"))
    year = FIRST_YEAR + YEARS - 2
    for name, url in (
        ("dashboard", f"/stats/dashboard/?year={year}"),
        ("dashboard_filtered", f"/stats/dashboard/?year={year}&provider_type=plo_e&region=midtjylland"),
        ("public", f"/stats/?year={year}"),
        ("api_headline", f"/api/v1/stats/headline?year={year}"),
    ):
        assert client.get(url).status_code == 200, url
        spent = _timed(lambda url=url: client.get(url), REQUESTS)
        figures[f"{name}_p50_ms"] = statistics.median(spent)
        figures[f"{name}_p95_ms"] = _p95(spent)
    figures["stats_json_ms"] = statistics.median(_timed(lambda: headline(year=year), 10))
    started = time.perf_counter()
    render_report(year=year)
    figures["report_s"] = time.perf_counter() - started
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, nargs="+", default=[60_000, 600_000])
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--database", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one is not None:  # one size in a fresh process, so that Django is set up once
        _setup(Path(args.database))
        print(json.dumps(measure(args.one)))
        return 0
    results = []
    for claims in args.claims:
        with tempfile.TemporaryDirectory(prefix="ajour-bench-stats-") as folder:
            started = time.perf_counter()
            done = subprocess.run(
                [
                    sys.executable,
                    __file__,
                    "--one",
                    str(claims),
                    "--database",
                    str(Path(folder) / "bench.sqlite3"),
                ],
                stdout=subprocess.PIPE,
                text=True,
                check=True,
            )
            results.append(json.loads(done.stdout.strip().splitlines()[-1]))
            print(f"{claims:>9,} claims measured in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    print(f"{'measure':<28}" + "".join(f"{int(r['claims']):>14,}" for r in results))
    for key in [key for key in results[0] if key != "claims"]:
        print(f"{key:<28}" + "".join(f"{r[key]:>14.1f}" for r in results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Yearly account runs benchmark: allocation and year-end close for N GPs (default 3,500 and 35,000).

Creates practices, GP owners and employed GPs (with confirmed contracts) and trainees with training
agreements by bulk insert into a database you name, books one year's allocation, draws part of it
with synthetic claim entries, and times `allocate_year`, `close_year` and a re-run of each (which must
book nothing). The target is < 10 s at 3,500 GPs.

Usage (SQLite file, or a throwaway PostgreSQL database you create and drop):

    .venv/bin/python bench/claims_yearly.py --database-url sqlite:////tmp/ajour-bench-yearly.sqlite3
    createdb -h 127.0.0.1 -U postgres ajour_bench_claims
    .venv/bin/python bench/claims_yearly.py --database-url postgres://postgres@127.0.0.1:5432/ajour_bench_claims
    dropdb -h 127.0.0.1 -U postgres ajour_bench_claims

Each population size uses its own years, so one database serves both sizes and re-runs.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import time
from datetime import date

GPS_PER_PRACTICE = 2


def setup(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ajour.settings.test")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def populate(size: int, tag: str) -> None:
    """`size` GPs (85 % owners, 15 % employed) plus 5 % trainees, in practices of two."""
    from ajour.accounts.models import Doctor, EmploymentConfirmation, Practice, Region, TrainingAgreement

    region, _created = Region.objects.get_or_create(code="bench", defaults={"name": "Bench"})
    practices = Practice.objects.bulk_create(
        [
            Practice(
                provider_number=f"{tag}{n:05d}"[-6:],
                name=f"Bench {tag} {n}",
                town="Bench",
                postcode="9999",
                region=region,
                form=Practice.Form.PARTNERSHIP,
                doctor_capacities=GPS_PER_PRACTICE,
            )
            for n in range(size // GPS_PER_PRACTICE + 1)
        ],
        batch_size=2000,
    )
    rng = random.Random(size)
    doctors = []
    for n in range(size + size // 20):
        role = (
            Doctor.Role.GP_OWNER
            if n < size * 0.85
            else Doctor.Role.GP_EMPLOYED
            if n < size
            else rng.choice([Doctor.Role.TRAINEE_PHASE2, Doctor.Role.TRAINEE_PHASE3])
        )
        doctors.append(
            Doctor(
                cpr=f"{tag}{n:07d}"[-10:],
                authorisation_id=f"{tag}{n:04d}"[-5:],
                first_name="Bench",
                last_name=str(n),
                sex="f",
                birth_year=1975,
                role=role,
                practice=practices[n // GPS_PER_PRACTICE % len(practices)],
                active_from=date(2010, 1, 1),
            )
        )
    created = Doctor.objects.bulk_create(doctors, batch_size=2000)
    years = _years(tag)
    EmploymentConfirmation.objects.bulk_create(
        [
            EmploymentConfirmation(doctor=d, year=y, status="confirmed", share_percent=100)
            for d in created
            if d.role == Doctor.Role.GP_EMPLOYED
            for y in years
        ],
        batch_size=2000,
    )
    TrainingAgreement.objects.bulk_create(
        [
            TrainingAgreement(
                doctor=d, phase=d.role, starts_on=date(years[0], 3, 1), ends_on=date(years[-1], 12, 31)
            )
            for d in created
            if d.is_trainee
        ],
        batch_size=2000,
    )


def _base36(number: int) -> str:
    digits = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    out = ""
    for _ in range(5):
        number, rest = divmod(number, 36)
        out = digits[rest] + out
    return out


def _years(tag: str) -> list[int]:
    base = 2100 + (int(tag) % 100) * 3
    return [base, base + 1]


def spend(year: int, share: float) -> None:
    """Synthetic claim draws: a share of every self-chosen account spends a random part of its money."""
    from ajour.accounts.models import Account, LedgerEntry

    rng = random.Random(year)
    entries = [
        LedgerEntry(
            account_id=a,
            kind="claim_draw",
            amount=-rng.randrange(0, 2_140_000, 100),
            year=year,
            effective_on=date(year, 6, 1),
        )
        for a in Account.objects.filter(kind="self_chosen").values_list("pk", flat=True)
        if rng.random() < share
    ]
    LedgerEntry.objects.bulk_create(entries, batch_size=2000)


def timed(label: str, call, results: dict[str, float]):  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    value = call()
    results[label] = round(time.perf_counter() - started, 2)
    print(f"  {label}: {results[label]:.2f} s ({value})", flush=True)
    return value


def run(size: int) -> dict[str, float]:
    from ajour.accounts import services
    from ajour.accounts.models import Doctor

    Doctor.objects.filter(first_name="Bench").update(active_to=date(2000, 1, 1))  # earlier populations
    tag = f"{size % 100_000:05d}"[:2] + str(len(str(size)))
    print(f"{size} GPs:", flush=True)
    populate(size, tag)
    first, second = _years(tag)
    results: dict[str, float] = {}
    timed("allocate", lambda: services.allocate_year(year=first), results)
    timed("allocate again", lambda: services.allocate_year(year=first), results)
    spend(first, 0.7)
    after = date(first + 1, 1, 1)  # the bench's years lie in the future; the close runs after the year
    timed("close year", lambda: services.close_year(year=first, today=after), results)
    timed("close again", lambda: services.close_year(year=first, today=after), results)
    timed("allocate next year", lambda: services.allocate_year(year=second), results)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--sizes", default="3500,35000")
    args = parser.parse_args()
    setup(args.database_url)
    report = {size: run(int(size)) for size in args.sizes.split(",")}
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()

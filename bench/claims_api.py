"""Claim submission through the API: claims/s and latency under load (target ≥ 200/s, p95 < 150 ms).

Builds GPs with allocations and API tokens and a few held, approved courses in a database you name,
starts granian on 127.0.0.1 (WSGI, the production settings), and fires `POST /api/v1/claims` from
`--clients` threads (keep-alive connections, each request with its own Idempotency-Key) until
`--claims` claims are submitted or `--seconds` have passed. A GP claims a run once, so each request is
for its own pair of GP and course, on courses made for this run of the benchmark. Afterwards it checks
the ledger: no account below zero, every draw explained by a claim. Traffic goes only to loopback.

Usage (a throwaway PostgreSQL database, created and dropped by you):

    createdb -h 127.0.0.1 -U postgres ajour_bench_claims
    .venv/bin/python bench/claims_api.py --database-url postgres://postgres@127.0.0.1:5432/ajour_bench_claims
    dropdb -h 127.0.0.1 -U postgres ajour_bench_claims
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import statistics
import subprocess
import sys
import threading
import time
import uuid
from datetime import date, timedelta
from datetime import time as clock
from pathlib import Path

GPS = 400


def setup(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ajour.settings.test")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def populate(courses: int) -> tuple[list[str], list[int]]:
    """GPs with this year's allocation and a token each (reused on a re-run), and `courses` new held
    courses: every pair of GP and course is claimed at most once."""
    from ajour.accounts.models import Doctor, Practice, Region, User
    from ajour.accounts.services import allocate_year, create_api_token
    from ajour.catalogue.models import Activity, ActivityInstance, ProgrammeDay, Topic
    from ajour.claims.models import ControlPolicy

    today = date.today()
    region, _created = Region.objects.get_or_create(code="bench-api", defaults={"name": "Bench API"})
    topic, _created = Topic.objects.get_or_create(
        code="bench-api", defaults={"name_da": "Bench", "name_en": "Bench", "category": "medical"}
    )
    if not Doctor.objects.filter(first_name="BenchApi").exists():
        for n in range(GPS):
            practice = Practice.objects.create(
                provider_number=f"9{n:05d}",
                name=f"Bench API {n}",
                town="Bench",
                postcode="9999",
                region=region,
                form=Practice.Form.SINGLE,
            )
            doctor = Doctor.objects.create(
                cpr=f"99{n:08d}",
                authorisation_id=f"Z{n:04d}",
                first_name="BenchApi",
                last_name=str(n),
                sex="f",
                birth_year=1975,
                role=Doctor.Role.GP_OWNER,
                practice=practice,
                active_from=date(2010, 1, 1),
            )
            User.objects.create_user(username=f"bench-api-{n}", role=User.Role.GP, doctor=doctor)
    instances = []
    for n in range(courses):
        activity = Activity.objects.create(
            title=f"Bench course {n}",
            form=Activity.Form.COURSE,
            topic=topic,
            requested_approval="both",
            approval="both",
            status=Activity.Status.APPROVED,
        )
        day = today - timedelta(days=10 + n % 5)
        while day.weekday() >= 5:
            day -= timedelta(days=1)
        instance = ActivityInstance.objects.create(
            activity=activity, venue="Bench", town="Bench", region=region, starts_on=day, ends_on=day
        )
        ProgrammeDay.objects.create(
            instance=instance, date=day, starts_at=clock(9), ends_at=clock(16, 30), break_minutes=60
        )
        instances.append(instance.pk)
    allocate_year(year=today.year)
    ControlPolicy.objects.get_or_create(
        year=today.year, defaults={"seed": "bench", "share_basis_points": 500}
    )
    tokens = [
        create_api_token(user=user, name="bench")
        for user in User.objects.filter(username__startswith="bench-api-").order_by("pk")
    ]
    return tokens, instances


def start_server(database_url: str, port: int, workers: int, threads: int) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "ajour.settings.production",
        "SECRET_KEY": "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        "AJOUR_SECURE": "0",
        "AJOUR_DEMO": "0",
    }
    granian = Path(sys.executable).with_name("granian")
    server = subprocess.Popen(
        [
            str(granian),
            "--interface",
            "wsgi",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            str(workers),
            "--blocking-threads",
            str(threads),
            "--backpressure",
            str(threads),
            "--log-level",
            "warning",
            "ajour.wsgi:application",
        ],
        env=env,
    )
    for _ in range(100):
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise SystemExit("the server did not start")


def load(
    port: int, tokens: list[str], instances: list[int], clients: int, claims: int, seconds: float
) -> dict[str, object]:
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    lock = threading.Lock()
    remaining = [claims]
    pairs = iter([(token, instance) for instance in instances for token in tokens])
    deadline = time.monotonic() + seconds

    def client(n: int) -> None:
        rng = random.Random(n)
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while time.monotonic() < deadline:
            with lock:
                if remaining[0] <= 0:
                    break
                remaining[0] -= 1
                token, instance = next(pairs)
            body = json.dumps(
                {
                    "instance_id": instance,
                    "course_fee_ore": rng.randrange(0, 400_000, 100),
                    "transport_ore": rng.randrange(0, 200_000, 100),
                    "account": rng.choice(["auto", "self_chosen"]),
                }
            )
            headers = {
                "Authorization": f"Bearer {token}",
                "Idempotency-Key": str(uuid.uuid4()),
                "Content-Type": "application/json",
            }
            started = time.perf_counter()
            connection.request("POST", "/api/v1/claims", body=body, headers=headers)
            response = connection.getresponse()
            response.read()
            elapsed = time.perf_counter() - started
            with lock:
                latencies.append(elapsed)
                statuses[response.status] = statuses.get(response.status, 0) + 1
        connection.close()

    started = time.perf_counter()
    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    ordered = sorted(latencies)
    return {
        "clients": clients,
        "requests": len(latencies),
        "statuses": statuses,
        "claims_per_second": round(len(latencies) / wall, 1),
        "p50_ms": round(statistics.median(ordered) * 1000, 1),
        "p95_ms": round(ordered[int(len(ordered) * 0.95) - 1] * 1000, 1),
        "p99_ms": round(ordered[int(len(ordered) * 0.99) - 1] * 1000, 1),
    }


def check_ledger() -> dict[str, int]:
    """Every sub-account at or above zero, and the claim draws in the ledger equal the claims' draws."""
    from django.db.models import Sum

    from ajour.accounts.models import LedgerEntry
    from ajour.claims.models import Claim

    negative = LedgerEntry.objects.values("account_id").annotate(t=Sum("amount")).filter(t__lt=0).count()
    draws = -(
        LedgerEntry.objects.filter(kind="claim_draw", account__kind="self_chosen").aggregate(t=Sum("amount"))[
            "t"
        ]
        or 0
    )
    claimed = Claim.objects.aggregate(t=Sum("drawn_self_chosen_ore"))["t"] or 0
    return {"negative_accounts": negative, "ledger_draws_ore": draws, "claim_draws_ore": claimed}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--workers", type=int, default=2, help="granian workers (one per core)")
    parser.add_argument("--threads", type=int, default=8, help="granian blocking threads per worker")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--claims", type=int, default=3000, help="Stop after this many submissions.")
    parser.add_argument("--seconds", type=float, default=60, help="…or after this long.")
    args = parser.parse_args()
    setup(args.database_url)
    warm_up = min(200, args.claims)
    warm_up_courses = -(-warm_up // GPS)
    tokens, instances = populate(courses=warm_up_courses + -(-args.claims // GPS))
    server = start_server(args.database_url, args.port, args.workers, args.threads)
    try:
        load(args.port, tokens, instances[:warm_up_courses], args.clients, warm_up, 10)
        report = load(args.port, tokens, instances[warm_up_courses:], args.clients, args.claims, args.seconds)
    finally:
        server.terminate()
        server.wait(timeout=30)
    report["ledger"] = check_ledger()
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()

"""Catalogue search benchmark: p50/p95 latency and throughput of the public search at 50,000 runs.

Synthesises providers, topics, SE themes, approved activities and their runs with bulk inserts into a
database you name (a throwaway PostgreSQL database, or a SQLite file), with the claim preview cached
per run the way approval stores it. Then it requests the public catalogue page (`GET /catalogue/?…`:
the whole Django stack and middleware without the network: search, count, page of 20, template) for a
mix of free-text queries (a fifth of them misspelt, abbreviated or inflected, as GPs type them) and
filters, first from one client and then from 20 clients in threads, each with its own database
connection (one Python process, so the threads share the GIL).

Before and after in one run: the single-client mix runs first with the catalogue search as it was before
the forgiving search (`baseline_search`: websearch in Danish on PostgreSQL, LIKE on SQLite, one row per
run) and then with today's search, and the ratio of their latencies is printed.

Usage (PostgreSQL, the target of < 100 ms p95):

    createdb -h 127.0.0.1 -U postgres ajour_bench_catalogue
    .venv/bin/python bench/catalogue_search.py --database-url postgres://postgres@127.0.0.1:5432/ajour_bench_catalogue
    dropdb -h 127.0.0.1 -U postgres ajour_bench_catalogue

With `--database-url sqlite:///tmp/x.sqlite3` it measures SQLite (FTS5 after, LIKE before).
The data is created once; a second run reuses it.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import threading
import time
from datetime import date, timedelta
from datetime import time as clock

RUNS = 50_000
RUNS_PER_ACTIVITY = 5
REQUESTS = 200
HOST = "127.0.0.1"  # an allowed host; the test environment's template instrumentation is left out on purpose
CLIENTS = 20
REQUESTS_PER_CLIENT = 25
REGIONS = ["hovedstaden", "sjaelland", "syddanmark", "midtjylland", "nordjylland"]
WORDS = [
    "diabetes",
    "hjertesvigt",
    "astma",
    "KOL",
    "depression",
    "angst",
    "børn",
    "unge",
    "ældre",
    "demens",
    "smerter",
    "ryg",
    "hud",
    "øjne",
    "graviditet",
    "akut",
    "medicin",
    "ledelse",
    "kommunikation",
    "psykiatri",
    "infektioner",
    "antibiotika",
    "kræft",
    "palliation",
    "multimorbiditet",
    "diagnostik",
]
FORGIVEN = [
    "diabets",
    "hjertsvigt",
    "psykiatrisk",
    "lungesygdomme",
    "demenz",
    "astme",
    "kol",
    "smertebehandling",
]
TITLE_PARTS = ["i almen praksis", "for praktiserende læger", "opdatering", "workshop", "temadag", "kursus"]


def setup(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ajour.settings.test")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", "catalogue", verbosity=0)  # and what it depends on; nothing else is read


def seed(runs: int) -> None:
    """Approved activities with `RUNS_PER_ACTIVITY` runs each; skipped when the runs are there."""
    from ajour.accounts.models import Region
    from ajour.catalogue.models import Activity, ActivityInstance, ProgrammeDay, Provider, SeTheme, Topic
    from ajour.catalogue.programme import DayPlan, claim_preview

    if ActivityInstance.objects.count() >= runs:
        return
    rng = random.Random(7)
    regions = [
        Region.objects.get_or_create(code=code, defaults={"name": f"Region {code.title()}"})[0]
        for code in REGIONS
    ]
    topics = [
        Topic.objects.get_or_create(
            code=word.lower(), defaults={"name_da": word, "name_en": word, "category": "medical"}
        )[0]
        for word in WORDS
    ]
    themes = [
        SeTheme.objects.get_or_create(
            code=f"tema-{n}", defaults={"name_da": f"Tema {n}", "name_en": f"Theme {n}", "first_year": 2015}
        )[0]
        for n in range(6)
    ]
    providers = [
        Provider.objects.get_or_create(name=f"Udbyder {n}", defaults={"kind": "private"})[0]
        for n in range(200)
    ]
    forms = ["course", "course", "course", "conference", "e_learning", "sge", "dge_module"]
    start = date.today()
    previews: dict[tuple[str, int], object] = {}
    activities = []
    for n in range(runs // RUNS_PER_ACTIVITY):
        words = rng.sample(WORDS, 3)
        form = rng.choice(forms)
        approval = rng.choice(["self_chosen", "both"])
        activities.append(
            Activity(
                number=f"{start.year - n // 9000}-{n % 9000 + 1:04d}",
                provider=rng.choice(providers),
                title=f"{words[0].capitalize()} og {words[1]} {rng.choice(TITLE_PARTS)}",
                description=f"Om {words[0]}, {words[1]} og {words[2]}: opdatering, cases og drøftelse.",
                form=form,
                topic=rng.choice(topics),
                requested_approval=approval,
                approval=approval,
                se_theme=rng.choice(themes) if approval == "both" else None,
                price_ore=rng.randrange(0, 1_200_000, 50_000),
                status="approved",
            )
        )
    Activity.objects.bulk_create(activities, batch_size=2000)
    activities = list(Activity.objects.filter(status="approved").order_by("pk"))
    instances = []
    day_specs = []
    for activity in activities:
        for k in range(RUNS_PER_ACTIVITY):
            first = start + timedelta(days=rng.randrange(0, 540))
            length = rng.choice([1, 1, 2, 2, 3])
            key = (activity.claim_type + activity.approval, length)
            if key not in previews:
                days = [DayPlan(first + timedelta(days=d), clock(9), clock(16), 60) for d in range(length)]
                previews[key] = claim_preview(
                    days=days,
                    claim_type=activity.claim_type,
                    approval=activity.approval,
                    price_ore=activity.price_ore,
                )
            instances.append(
                ActivityInstance(
                    activity=activity,
                    venue=f"Kursussted {k}",
                    town=rng.choice(["Aalborg", "Aarhus", "Odense", "København", "Roskilde", "Vejle"]),
                    region=rng.choice(regions),
                    places=30,
                    booked=rng.randrange(0, 31),
                    starts_on=first,
                    ends_on=first + timedelta(days=length - 1),
                    claimable=previews[key],
                )
            )
            day_specs.append(length)
    ActivityInstance.objects.bulk_create(instances, batch_size=5000)
    days = []
    for instance, length in zip(ActivityInstance.objects.order_by("pk"), day_specs, strict=True):
        for d in range(length):
            days.append(
                ProgrammeDay(
                    instance=instance,
                    date=instance.starts_on + timedelta(days=d),
                    starts_at=clock(9),
                    ends_at=clock(16),
                    break_minutes=60,
                )
            )
    ProgrammeDay.objects.bulk_create(days, batch_size=10000)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # planner statistics on both databases


def queries(rng: random.Random, count: int) -> list[dict[str, str]]:
    """A mix like real use: free text, text plus filters, filters only, sorted by relevance or date."""
    mix = []
    for _ in range(count):
        params: dict[str, str] = {}
        roll = rng.random()
        if roll < 0.7:
            words = FORGIVEN if rng.random() < 0.2 else WORDS
            params["q"] = rng.choice(words) if rng.random() < 0.7 else " ".join(rng.sample(words, 2))
        if roll > 0.4:
            params["region"] = rng.choice(REGIONS)
        if rng.random() < 0.2:
            params["form"] = rng.choice(["course", "e_learning", "sge"])
        if rng.random() < 0.2:
            params["free_places"] = "on"
        if rng.random() < 0.15:
            params["date_from"] = (date.today() + timedelta(days=rng.randrange(0, 300))).isoformat()
        if rng.random() < 0.15:
            params["topic"] = rng.choice(WORDS).lower()
        if rng.random() < 0.3:
            params["sort"] = "date"
        mix.append(params)
    return mix


def timed(client: object, params: dict[str, str]) -> float:
    started = time.perf_counter()
    response = client.get("/catalogue/", params)  # type: ignore[attr-defined]
    elapsed = time.perf_counter() - started
    assert response.status_code == 200, response.status_code
    return elapsed * 1000


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def baseline_search(*, filters: object, today: date | None = None) -> object:
    """The catalogue search before the forgiving search, kept here only as the benchmark's "before": the
    filters of the mix and the same order, one row per run, the text as one Danish websearch (PostgreSQL) or
    LIKE (SQLite)."""
    from django.contrib.postgres.search import SearchQuery, SearchRank
    from django.db import connection
    from django.db.models import Case, Exists, F, IntegerField, OuterRef, Q, Value, When

    from ajour.catalogue.models import Activity
    from ajour.catalogue.selectors import SearchFilters, public_instances

    assert isinstance(filters, SearchFilters)
    instances = public_instances().filter(starts_on__gte=filters.date_from or date.today())
    if filters.date_to:
        instances = instances.filter(starts_on__lte=filters.date_to)
    if filters.region:
        instances = instances.filter(region__code=filters.region)
    if filters.form:
        instances = instances.filter(activity__form=filters.form)
    if filters.topic:
        tagged = Activity.topics.through.objects.filter(
            activity=OuterRef("activity"), topic__code=filters.topic
        )
        instances = instances.filter(Q(activity__topic__code=filters.topic) | Q(Exists(tagged)))
    if filters.free_places:
        instances = instances.filter(places__gt=F("booked"))
    instances = instances.annotate(seats=F("places") - F("booked"))
    query = filters.q.strip()
    if query and connection.vendor == "postgresql":
        search_query = SearchQuery(query, config="danish", search_type="websearch")
        instances = instances.filter(activity__search_document=search_query).annotate(
            rank=SearchRank(F("activity__search_document"), search_query)
        )
    elif query:
        for word in query.split()[:8]:
            instances = instances.filter(
                Q(activity__title__icontains=word) | Q(activity__description__icontains=word)
            )
        instances = instances.annotate(
            rank=Case(
                When(activity__title__icontains=query, then=Value(2)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
    if filters.sort == "relevance" and query:
        return instances.order_by(F("rank").desc(), "starts_on", "pk")
    return instances.order_by("starts_on", "pk")


def summary(latencies: list[float]) -> dict[str, float]:
    return {
        "requests": len(latencies),
        "p50_ms": round(statistics.median(latencies), 1),
        "p95_ms": round(percentile(latencies, 0.95), 1),
        "max_ms": round(max(latencies), 1),
    }


def single_client(seed: int) -> list[float]:
    from django.test import Client

    rng = random.Random(seed)
    client = Client(SERVER_NAME=HOST)
    for params in queries(rng, 20):  # warm caches and connections
        timed(client, params)
    return [timed(client, params) for params in queries(rng, REQUESTS)]


def measure() -> dict[str, object]:
    from unittest import mock

    from django.db import connections
    from django.test import Client

    from ajour.catalogue import selectors

    with mock.patch.object(selectors, "search_catalogue", baseline_search):
        before = single_client(11)
    after = single_client(11)

    latencies: list[float] = []
    lock = threading.Lock()
    mixes = [queries(random.Random(100 + n), REQUESTS_PER_CLIENT) for n in range(CLIENTS)]

    def run(mix: list[dict[str, str]]) -> None:
        own = Client(SERVER_NAME=HOST)
        mine = [timed(own, params) for params in mix]
        with lock:
            latencies.extend(mine)
        connections.close_all()

    threads = [threading.Thread(target=run, args=(mix,)) for mix in mixes]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    return {
        "single_client_before": summary(before),
        "single_client": summary(after),
        "after_over_before": {
            "p50": round(statistics.median(after) / statistics.median(before), 2),
            "p95": round(percentile(after, 0.95) / percentile(before, 0.95), 2),
        },
        f"{CLIENTS}_clients": {
            **summary(latencies),
            "throughput_per_s": round(len(latencies) / wall, 1),
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--database-url", required=True, help="a throwaway database (never `test`)")
    parser.add_argument("--runs", type=int, default=RUNS)
    args = parser.parse_args()
    setup(args.database_url)
    started = time.perf_counter()
    seed(args.runs)
    seeded = time.perf_counter() - started
    from django.db import connection

    from ajour.catalogue.models import ActivityInstance

    result = {
        "database": connection.vendor,
        "runs": ActivityInstance.objects.count(),
        "seed_s": round(seeded, 1),
        **measure(),
    }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()

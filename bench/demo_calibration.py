"""Loads the national demo into a throwaway SQLite directory, times it, and prints target vs produced.

Run: `.venv/bin/python bench/demo_calibration.py [--seed N] [--keep DIR]`. Every figure is counted
from the records with the README's measure definitions; nothing is read from ajour.demo.targets.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections import defaultdict
from datetime import date


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--scale", default="national")
    parser.add_argument("--keep", help="use (and keep) this data directory; reuse it if already loaded")
    args = parser.parse_args()
    data_dir = args.keep or tempfile.mkdtemp(prefix="ajour-demo-bench-")
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

    call_command("migrate", verbosity=0)
    if not demo_data_exists():
        started = time.perf_counter()
        call_command("demo", "load", seed=args.seed, scale=args.scale)
        print(f"load time: {time.perf_counter() - started:.1f} s ({args.scale}, SQLite in {data_dir})")
    for row in calibration_rows():
        print("| " + " | ".join(row) + " |")
    return 0


def calibration_rows() -> list[tuple[str, ...]]:
    from django.db.models import Count, Q, Sum

    from ajour.accounts.models import Doctor, Practice, Region
    from ajour.catalogue.models import Activity, ActivityInstance, SeTheme
    from ajour.claims.models import Claim
    from ajour.groups.models import Cluster, DgeGroup

    gp_roles = [Doctor.Role.GP_OWNER, Doctor.Role.GP_EMPLOYED]

    def eligible(year: int):
        return Doctor.objects.filter(role__in=gp_roles, active_from__lte=date(year, 12, 31)).filter(
            Q(active_to__isnull=True) | Q(active_to__gte=date(year, 1, 1))
        )

    gp_claims = Claim.objects.filter(claimant__role__in=gp_roles, staff_member__isnull=True).exclude(
        outcome="rejected"
    )
    provider_claims = gp_claims.filter(instance__activity__provider__isnull=False)

    def claimers(year: int) -> set[int]:
        return set(gp_claims.filter(activity_date__year=year).values_list("claimant_id", flat=True))

    def produced(year: int, **filters: object) -> float:
        halves = provider_claims.filter(activity_date__year=year, **filters).aggregate(
            s=Sum("course_day_halves")
        )
        return (halves["s"] or 0) / 2

    rows = [("Figure", "Target", "Tolerance", "Produced", "OK")]

    def add(name: str, target: str, low: float, high: float, value: float, fmt: str = "{:,.0f}") -> None:
        rows.append(
            (
                name,
                target,
                f"{fmt.format(low)}–{fmt.format(high)}",
                fmt.format(value),
                "yes" if low <= value <= high else "NO",
            )
        )

    add("Regions", "5", 5, 5, Region.objects.count())
    elig24 = eligible(2024).count()
    add("Eligible GPs 2024", "3,486", 3416, 3556, elig24)
    elig23 = eligible(2023).count()
    add("Eligible GPs 2023", "3,257–3,486", 3257, 3486, elig23)
    may23 = (
        eligible(2023)
        .filter(active_from__lte=date(2023, 5, 1))
        .filter(Q(active_to__isnull=True) | Q(active_to__gte=date(2023, 5, 1)))
        .count()
    )
    add("GPs active 1 May 2023", "3,257", 3192, 3322, may23)
    owners = eligible(2024).filter(role=Doctor.Role.GP_OWNER).count()
    add("Owner share 2024 (assumed majority)", "> 50 %", 50, 100, 100 * owners / elig24, "{:.1f}")
    add("Practices", "≈ 2,000", 1900, 2100, Practice.objects.count())
    add(
        "Doctor capacities",
        "≈ 3,500",
        3325,
        3675,
        Practice.objects.aggregate(s=Sum("doctor_capacities"))["s"],
    )
    add("Clusters", "116", 116, 116, Cluster.objects.count())
    in_cluster = eligible(2024).filter(practice__cluster__isnull=False).count()
    add("GPs in a cluster 2024", "98–99 %", 96, 100, 100 * in_cluster / elig24, "{:.1f}")
    sizes = [
        c["n"]
        for c in eligible(2024)
        .filter(practice__cluster__isnull=False)
        .values("practice__cluster")
        .annotate(n=Count("id"))
    ]
    add("Smallest cluster (GPs)", "≥ 10", 10, 73, min(sizes))
    add("Largest cluster (GPs)", "≤ 73", 10, 73, max(sizes))
    add("Average cluster size", "≈ 29–30", 28.4, 30.6, sum(sizes) / len(sizes), "{:.1f}")
    add(
        "Group-1 patients",
        "≈ 5.5 m",
        5.225e6,
        5.775e6,
        Cluster.objects.aggregate(s=Sum("group1_patients"))["s"],
    )
    add(
        "DGE groups Midtjylland", "141", 141, 141, DgeGroup.objects.filter(region__code="midtjylland").count()
    )
    group_sizes = [g.n for g in DgeGroup.objects.annotate(n=Count("members"))]
    add("DGE group size min", "≥ 5", 5, 15, min(group_sizes))
    add("DGE group size max", "≤ 15", 5, 15, max(group_sizes))
    themes_2024 = SeTheme.objects.filter(first_year__lte=2024).filter(
        Q(last_year__isnull=True) | Q(last_year__gte=2024)
    )
    add("SE themes 2024", "19", 19, 19, themes_2024.count())
    add("SE themes new since 2020", "1", 1, 1, themes_2024.filter(first_year__gt=2020).count())

    c24, c23 = claimers(2024), claimers(2023)
    add("GPs with claims 2024", "3,048", 2987, 3109, len(c24))
    add("Participation 2024", "87.4 %", 86.4, 88.4, 100 * len(c24) / elig24, "{:.1f}")
    add("GPs without a claim 2024", "438", 429, 447, elig24 - len(c24))
    elig24_ids = set(eligible(2024).values_list("id", flat=True))
    add(
        "Two-year participation 2024",
        "≈ 93 %",
        91,
        95,
        100 * len(elig24_ids & (c23 | c24)) / elig24,
        "{:.1f}",
    )
    for year, target, low, high in (
        (2019, "84 % (assumed)", 0, 100),
        (2020, "65 % (assumed)", 0, 100),
        (2021, "72 % (assumed)", 0, 100),
        (2022, "≈ 75 %", 72, 78),
        (2023, "82 % (assumed)", 0, 100),
        (2025, "≥ 87 % (assumed)", 87, 100),
    ):
        add(
            f"Participation {year}",
            target,
            low,
            high,
            100 * len(claimers(year)) / eligible(year).count(),
            "{:.1f}",
        )

    plo = {year: produced(year, instance__activity__provider__kind="plo_e") for year in range(2019, 2026)}
    all_days = {year: produced(year) for year in range(2019, 2026)}
    for year, target in ((2019, 8900), (2020, 5200), (2021, 7590), (2022, 8300), (2023, 8850), (2025, 9600)):
        tol = 0.03 if year == 2021 else 0.0
        add(
            f"PLO-E produced course days {year}",
            f"{target:,}" + ("" if tol else " (assumed)"),
            target * (1 - tol) if tol else 0,
            target * (1 + tol) if tol else 1e9,
            plo[year],
        )
    add("PLO-E produced course days 2024", "9,340", 9153, 9527, plo[2024])
    add("All providers' course days 2024", "≈ 18,000", 17100, 18900, all_days[2024])
    add("PLO-E share 2024", "≈ 52 %", 49, 55, 100 * plo[2024] / all_days[2024], "{:.1f}")
    add("Growth PLO-E 2021→2024", "+23 %", 21, 25, 100 * (plo[2024] / plo[2021] - 1), "{:+.1f}")
    dips = (
        all_days[2020] < all_days[2019]
        and all_days[2021] < all_days[2019]
        and (all_days[2022] < all_days[2023] < all_days[2024])
    )
    add("Dip 2020–21, rise 2022–24 (1 = yes)", "yes", 1, 1, int(dips))
    courses = (
        ActivityInstance.objects.filter(
            starts_on__year=2024,
            activity__provider__kind="plo_e",
            activity__form__in=[Activity.Form.COURSE, Activity.Form.CONFERENCE, Activity.Form.E_LEARNING],
            claims__in=gp_claims,
        )
        .distinct()
        .count()
    )
    add("PLO-E courses 2024", "> 500 (510–560)", 500, 1e9, courses)
    add("Course days per claiming GP 2024", "≈ 6", 5.5, 6.5, all_days[2024] / len(c24), "{:.2f}")
    meetings = (
        gp_claims.filter(activity_date__year=2024, activity_type="dge_meeting").aggregate(
            s=Sum("course_day_halves")
        )["s"]
        / 2
    )
    add("Same incl. DGE meetings", "7–8", 6.5, 8.5, (all_days[2024] + meetings) / len(c24), "{:.2f}")

    topics = defaultdict(float)
    category = defaultdict(float)
    rows_2024 = (
        provider_claims.filter(activity_date__year=2024, instance__activity__provider__kind="plo_e")
        .values(
            "instance__activity__topic__code",
            "instance__activity__topic__parent__code",
            "instance__activity__topic__category",
        )
        .annotate(h=Sum("course_day_halves"))
    )
    for row in rows_2024:
        topics[row["instance__activity__topic__code"]] += row["h"] / 2
        if row["instance__activity__topic__parent__code"]:
            topics[row["instance__activity__topic__parent__code"]] += row["h"] / 2
        category[row["instance__activity__topic__category"]] += row["h"] / 2
    total = sum(category.values())
    add("Medical share (PLO-E 2024)", "75 %", 73, 77, 100 * category["medical"] / total, "{:.1f}")
    add(
        "Leadership/org/comm/wellbeing share",
        "22 %",
        20,
        24,
        100 * category["leadership_organisation_communication_wellbeing"] / total,
        "{:.1f}",
    )
    add("Other share", "3 %", 1, 5, 100 * category["other"] / total, "{:.1f}")
    add("Leadership and organisation 2024", "1,848", 1811, 1885, topics["leadership-organisation"])
    add("Communication and wellbeing 2024", "≈ 207", 186, 228, topics["communication"] + topics["wellbeing"])
    add("Psychiatry 2024 (incl. ADHD)", "992", 972, 1012, topics["psychiatry"])
    add("ADHD 2024", "≈ 200", 180, 220, topics["adhd"])
    ranked = sorted((k for k in topics if k != "adhd"), key=topics.get, reverse=True)
    add("Rank of leadership (1) ", "1", 1, 1, ranked.index("leadership-organisation") + 1)
    add("Rank of pain and headache", "2", 2, 2, ranked.index("pain-headache") + 1)
    for year, lead, psych in (
        (2019, 500, 450),
        (2020, 300, 280),
        (2021, 400, 390),
        (2022, 900, 600),
        (2023, 1400, 800),
    ):
        year_rows = provider_claims.filter(
            activity_date__year=year, instance__activity__provider__kind="plo_e"
        )
        lead_days = (
            year_rows.filter(instance__activity__topic__code="leadership-organisation").aggregate(
                s=Sum("course_day_halves")
            )["s"]
            or 0
        ) / 2
        psych_days = (
            year_rows.filter(
                Q(instance__activity__topic__code="psychiatry")
                | Q(instance__activity__topic__parent__code="psychiatry")
            ).aggregate(s=Sum("course_day_halves"))["s"]
            or 0
        ) / 2
        exact = year == 2021
        add(
            f"Leadership {year}",
            f"{lead:,}" + ("" if exact else " (assumed)"),
            lead * 0.98 if exact else 0,
            lead * 1.02 if exact else 1e9,
            lead_days,
        )
        add(
            f"Psychiatry {year}",
            f"{psych:,}" + ("" if exact else " (assumed)"),
            psych * 0.98 if exact else 0,
            psych * 1.02 if exact else 1e9,
            psych_days,
        )
    payout = (
        gp_claims.filter(activity_date__year=2024)
        .exclude(activity_type="study_material")
        .aggregate(s=Sum("payable_ore"))["s"]
        / 100
    )
    add("GP payouts 2024 (DKK m)", "≈ 100", 90, 125, payout / 1e6, "{:.1f}")
    staff_h2_2023 = (
        __import__("ajour.accounts.models", fromlist=["LedgerEntry"])
        .LedgerEntry.objects.filter(account__kind="staff", kind="allocation", year=2023)
        .aggregate(s=Sum("amount"))["s"]
        / 100
    )
    capacities = Practice.objects.aggregate(s=Sum("doctor_capacities"))["s"]
    add("Staff account H2 2023 per capacity (DKK)", "5,000", 5000, 5000, staff_h2_2023 / capacities)
    rare = eligible(2024).exclude(id__in=c24)
    single = lambda qs: 100 * qs.filter(practice__form=Practice.Form.SINGLE).count() / max(1, qs.count())  # noqa: E731
    male = lambda qs: 100 * qs.filter(sex="m").count() / max(1, qs.count())  # noqa: E731
    add(
        "Single-handed share: non-users minus all (points)",
        "> 0",
        0.1,
        100,
        single(rare) - single(eligible(2024)),
        "{:.1f}",
    )
    add(
        "Male share: non-users minus all (points)",
        "> 0",
        0.1,
        100,
        male(rare) - male(eligible(2024)),
        "{:.1f}",
    )
    return rows


if __name__ == "__main__":
    sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "src"))
    raise SystemExit(main())

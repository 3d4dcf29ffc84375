"""What the demo generator aims at, with the source of every figure (calibration.md).

These numbers steer generation only. Statistics never read this module: they count the generated
records. Labels: ``seed 1`` / ``seed 2`` (the two seed documents), ``S..`` (domain.md source index),
``derived`` (computed from sourced figures) and ``assumed`` (a demo choice with no source).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Target:
    value: float
    source: str


YEARS = range(2019, 2026)
"""Years of complete claim history; the current year gets claims up to the demo's today."""

# Population (calibration §4.2)
ELIGIBLE_GPS_2024 = Target(3486, "seed 1 (1.1)")
PRACTICES = Target(2000, "S-extra (3.5), about")
# About 3,500 doctor capacities (S-extra) and a clear majority of owners follow from this mix.
SINGLE_HANDED_SHARE = Target(0.55, "assumed: share of practices that are single-handed")
REGIONAL_CLINIC_SHARE = Target(0.015, "assumed: regional or tendered clinics")
YEARLY_LEAVE_RATE_OWNER = Target(0.03, "assumed")
YEARLY_LEAVE_RATE_EMPLOYED = Target(0.10, "assumed")
# New positions in 2024 keep 2023 between S48's 3,257 (May 2023) and seed 1's 3,486 (2024).
NEW_CAPACITY_2024 = Target(0.07, "assumed: share of positions first filled in 2024")
TRAINEE_STARTS_PER_YEAR = {"trainee_phase2": Target(130, "assumed"), "trainee_phase3": Target(140, "assumed")}
REGION_POPULATION = {
    # Population 1 Jan 2024 in thousands; GPs are split in proportion (assumed).
    "hovedstaden": Target(1880, "assumed split by population"),
    "sjaelland": Target(850, "assumed split by population"),
    "syddanmark": Target(1230, "assumed split by population"),
    "midtjylland": Target(1350, "assumed split by population"),
    "nordjylland": Target(594, "assumed split by population"),
}
CLUSTERS = Target(116, "S49 (3.31)")
CLUSTER_SHARE_OF_GPS = Target(0.985, "S49/S50 (98–99 %)")
CLUSTER_SIZE_RANGE = (10, 73)  # S50
GROUP1_PATIENTS = Target(5_500_000, "S50 (3.30)")

# Groups (calibration §4.7)
DGE_GROUPS_MIDTJYLLAND = Target(141, "S10 (3.21); other regions scaled by GPs (assumed)")
DGE_GROUP_SIZES = {"default": (5, 12), "nordjylland": (5, 15)}  # S12, S17, S37
DGE_MEETINGS_PER_YEAR = (4, 8)  # S12, S13
# Daytime groups' meeting claims add ≈ 1.2 days per claiming GP: 7–8 days incl. group-based (1.10).
DGE_DAYTIME_SHARE = Target(0.47, "assumed: groups meeting in the fee window; evening groups claim nothing")
DGE_ATTENDANCE = Target(0.85, "assumed")
DGE_GRANT_ORE = {
    "sjaelland": Target(1_500_000, "S13 (from 2023)"),
    "default": Target(1_000_000, "S13, seed 2"),
}

# Participation (calibration §4.3): share of eligible GPs with a claim for an activity held in the year.
PARTICIPATION = {
    2019: Target(0.84, "assumed"),
    2020: Target(0.65, "assumed (COVID dip)"),
    2021: Target(0.72, "assumed (COVID dip)"),
    2022: Target(0.75, "S48 (3.3)"),
    2023: Target(0.82, "assumed"),
    2024: Target(3048 / 3486, "seed 1 (1.2, 1.3)"),
    2025: Target(0.88, "assumed (≥ 87 %)"),
}
# The noise sets the churn between years: about 93 % claim in 2023 or 2024 (seed 1, 1.4).
YEARLY_NOISE = Target(0.8, "assumed: how much a GP's participation varies from year to year")

# Course days (calibration §4.4): PLO-E produced course days; all providers = PLO-E / share.
PLO_E_DAYS = {
    2019: Target(8900, "assumed"),
    2020: Target(5200, "assumed"),
    2021: Target(7590, "derived (D4)"),
    2022: Target(8300, "assumed"),
    2023: Target(8850, "assumed"),
    2024: Target(9340, "seed 1 (1.12)"),
    2025: Target(9600, "assumed"),
}
PLO_E_SHARE = Target(0.52, "seed 1 (1.13, about half); assumed constant")
REGIONAL_SHARE_OF_OTHERS = Target(0.5, "assumed")
OTHERS_PLANNING_MARGIN = Target(
    1.08, "assumed: regional and private runs plan 8 % more seats, as some find no GP with time and money"
)
PLO_E_COURSE_DAYS_PER_RUN = Target(16.5, "derived: 2024 PLO-E course days ÷ 510–560 courses (1.15)")

# Topics (calibration §4.5): PLO-E produced course days by topic. 2021 and 2024 of leadership
# (seed 1, 1.25) and psychiatry (1.27), and ADHD 2024 (1.28) are sourced; pain's rank 2 is sourced
# (1.24) but its values are assumed; every other year is assumed.
LEADERSHIP_DAYS = {2019: 500, 2020: 300, 2021: 400, 2022: 900, 2023: 1400, 2024: 1848, 2025: 1950}
PSYCHIATRY_DAYS = {2019: 450, 2020: 280, 2021: 390, 2022: 600, 2023: 800, 2024: 992, 2025: 1050}
PAIN_DAYS = {2019: 800, 2020: 450, 2021: 700, 2022: 900, 2023: 1050, 2024: 1200, 2025: 1230}
ADHD_SHARE_OF_PSYCHIATRY = {
    2019: 0.10,
    2020: 0.11,
    2021: 0.12,
    2022: 0.15,
    2023: 0.18,
    2024: 0.20,
    2025: 0.21,
}
COMMUNICATION_WELLBEING_SHARE = Target(207 / 9340, "derived (D9)")
OTHER_SHARE = Target(0.03, "derived (D10)")
FILLER_MEDICAL_WEIGHTS = {
    # Ranks 4 and lower, below psychiatry: assumed (Topic.assumed).
    "cardiology": 720,
    "diabetes-endocrinology": 650,
    "musculoskeletal": 560,
    "paediatrics": 500,
    "geriatrics": 450,
    "infectious-diseases": 400,
    "lung-disease": 350,
    "pharmacology": 330,
    "gynaecology": 300,
    "dermatology": 250,
    "emergency-medicine": 170,
    "ent": 133,
}

# Money (calibration §4.6)
# Allocations, carry-over and forfeits are the product's own (accounts.services), not targets.
STUDY_MATERIAL_CLAIMER_SHARE = Target(0.04, "assumed")
STAFF_CLAIMING_PRACTICE_SHARE = Target(0.35, "assumed")

SMALL_SCALE = 0.05
"""`--scale small`: about 5 % of the national population with the same shape."""

"""A small year of claims built through the product, and the people who may (or may not) simulate."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ajour.accounts.models import User
from ajour.catalogue.models import Provider
from tests import factories
from tests.stats import factories as f

D = date(2025, 5, 14)
RAISED_HALF_DAY_FEE = {
    "schema": "ajour.reform/1",
    "name": "half_day_2500",
    "version": 1,
    "label": {"da": "Halv kursusdag 2.500 kr.", "en": "Half course day 2,500 DKK"},
    "description": {"da": "Honoraret for en halv dag hæves.", "en": "The half-day fee is raised."},
    "overrides": [
        {"parameter": "fee.self_chosen.half", "valid_from": "2025-01-01", "unit": "ore", "value": 250000}
    ],
}
"""Each claim of the world attends two half days: the reform pays 2 × 500 DKK more a claim."""


@dataclass(frozen=True)
class World:
    analyst: User
    steering: User
    caseworker: User
    gp: User
    claims: int


def build_world() -> World:
    """Seven GPs claim two half course days each in 2025: four at PLO-E's course, three at a region's."""
    plo_e = f.instance(on=D, kind=Provider.Kind.PLO_E)
    regional = f.instance(on=D, kind=Provider.Kind.REGIONAL)
    doctors = [f.gp() for _n in range(7)]
    for n, doctor in enumerate(doctors):
        f.claim(doctor, on=D, halves=2, at=plo_e if n < 4 else regional)
    return World(
        analyst=factories.user(role=User.Role.ANALYST, username="analytiker"),
        steering=factories.user(role=User.Role.STEERING, username="styregruppe"),
        caseworker=factories.user(role=User.Role.CASEWORKER, username="sagsbehandler"),
        gp=factories.user(role=User.Role.GP, username="laege", doctor=doctors[0]),
        claims=len(doctors),
    )

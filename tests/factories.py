"""Test data built through the same services users trigger, with named traits."""

from __future__ import annotations

import itertools
from datetime import date

from ajour.accounts.models import Account, Doctor, LedgerEntry, Practice, Region, User
from ajour.accounts.services import book_entry, doctor_account

_serial = itertools.count(1)


def region(code: str = "hovedstaden", name: str = "Region Hovedstaden") -> Region:
    found, _created = Region.objects.get_or_create(code=code, defaults={"name": name})
    return found


def practice(*, capacities: int = 1) -> Practice:
    n = next(_serial)
    return Practice.objects.create(
        provider_number=f"{n:06d}",
        name=f"Lægerne i Testrup {n}",
        town="Testrup",
        postcode="9999",
        region=region(),
        form=Practice.Form.SINGLE if capacities == 1 else Practice.Form.PARTNERSHIP,
        doctor_capacities=capacities,
    )


def doctor(
    *, role: str = Doctor.Role.GP_OWNER, at: Practice | None = None, first_name: str = "Karen"
) -> Doctor:
    n = next(_serial)
    return Doctor.objects.create(
        cpr=f"01{21 + n % 12:02d}80{n:04d}",
        authorisation_id=f"T{n:04d}",
        first_name=first_name,
        last_name=f"Testesen{n}",
        sex=Doctor.Sex.FEMALE,
        birth_year=1980,
        role=role,
        practice=at or practice(),
        active_from=date(2015, 1, 1),
    )


def with_allocation(d: Doctor, *, year: int, self_chosen_ore: int = 2_140_000, half_days: int = 6) -> Doctor:
    """Books a year's allocation on both sub-accounts."""
    for kind, amount in ((Account.Kind.SELF_CHOSEN, self_chosen_ore), (Account.Kind.SYSTEMATIC, half_days)):
        book_entry(
            account=doctor_account(doctor=d, kind=kind),
            kind=LedgerEntry.Kind.ALLOCATION,
            amount=amount,
            year=year,
            effective_on=date(year, 1, 1),
            idempotency_key=f"test-allocation:{year}:{d.pk}:{kind}",
        )
    return d


def user(*, role: str, username: str | None = None, **links: object) -> User:
    return User.objects.create_user(
        username=username or f"user{next(_serial)}", password="x" * 16, role=role, **links
    )

"""Test data built through the same services users trigger, with named traits."""

from __future__ import annotations

import itertools
from datetime import date

from django.core.files.uploadedfile import SimpleUploadedFile

from ajour.accounts.models import Account, Doctor, Practice, Region, TrainingAgreement, User
from ajour.accounts.selectors import doctor_balances
from ajour.accounts.services import (
    allocate_year,
    correct_balance,
    decide_employment,
    doctor_account,
    upload_employment_contract,
)
from tests import pdfs

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


def with_allocation(
    d: Doctor, *, year: int, self_chosen_ore: int | None = None, half_days: int | None = None
) -> Doctor:
    """A year's allocation as the product books it: the yearly run for an owner or a trainee with a
    training agreement for the year (idempotent; it also allocates every other holder active that
    year), a confirmed contract for an employed GP. Amounts
    other than the allocation are reached by a secretariat correction of the difference, booked today
    as a real correction is."""
    if d.role == Doctor.Role.GP_OWNER:
        allocate_year(year=year)
    elif d.role == Doctor.Role.GP_EMPLOYED:
        contract = SimpleUploadedFile("kontrakt.pdf", pdfs.plain())
        confirmation = upload_employment_contract(doctor=d, year=year, document=contract)
        decide_employment(
            confirmation=confirmation, confirm=True, share_percent=100, note="", by=_secretariat()
        )
    else:  # the training agreement comes from the trainee registry; no service writes it
        TrainingAgreement.objects.get_or_create(
            doctor=d, phase=d.role, starts_on=date(year, 1, 1), defaults={"ends_on": date(year, 12, 31)}
        )
        allocate_year(year=year)
    allocated = doctor_balances(doctor=d, year=year)
    for kind, wanted, booked in (
        (Account.Kind.SELF_CHOSEN, self_chosen_ore, allocated.allocated_self_chosen_ore),
        (Account.Kind.SYSTEMATIC, half_days, allocated.allocated_systematic_half_days),
    ):
        if wanted is not None and wanted != booked:
            account = doctor_account(doctor=d, kind=kind)
            correct_balance(
                account=account, amount=wanted - booked, reason="Test allocation", by=_secretariat()
            )
    return d


def _secretariat() -> User:
    """The caseworker who confirms test contracts and books test corrections."""
    found = User.objects.filter(username="test-secretariat").first()
    return found or user(role=User.Role.CASEWORKER, username="test-secretariat")


def user(*, role: str, username: str | None = None, **links: object) -> User:
    return User.objects.create_user(
        username=username or f"user{next(_serial)}", password="x" * 16, role=role, **links
    )

"""Reads about people and accounts. Balances are always computed from the ledger."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.db.models import QuerySet, Sum

from ajour.accounts.models import Account, Doctor, EmploymentConfirmation, LedgerEntry, Notice


@dataclass(frozen=True)
class DoctorBalances:
    """What a doctor has left, and what this year's allocation was."""

    self_chosen_ore: int
    systematic_half_days: int
    allocated_self_chosen_ore: int
    allocated_systematic_half_days: int

    @property
    def systematic_days(self) -> float:
        return self.systematic_half_days / 2


def account_balance(*, account: Account) -> int:
    """The balance of one sub-account: the sum of all its ledger entries."""
    total = LedgerEntry.objects.filter(account=account).aggregate(total=Sum("amount"))["total"]
    return int(total or 0)


def doctor_balances(*, doctor: Doctor, year: int | None = None) -> DoctorBalances:
    """Balances of a doctor's two sub-accounts and the allocations booked for `year`."""
    year = year or date.today().year
    totals = {"self_chosen": 0, "systematic": 0}
    allocated = {"self_chosen": 0, "systematic": 0}
    rows = (
        LedgerEntry.objects.filter(account__doctor=doctor)
        .values("account__kind")
        .annotate(total=Sum("amount"))
    )
    for row in rows:
        totals[row["account__kind"]] = int(row["total"] or 0)
    alloc_rows = (
        LedgerEntry.objects.filter(account__doctor=doctor, kind=LedgerEntry.Kind.ALLOCATION, year=year)
        .values("account__kind")
        .annotate(total=Sum("amount"))
    )
    for row in alloc_rows:
        allocated[row["account__kind"]] = int(row["total"] or 0)
    return DoctorBalances(
        self_chosen_ore=totals["self_chosen"],
        systematic_half_days=totals["systematic"],
        allocated_self_chosen_ore=allocated["self_chosen"],
        allocated_systematic_half_days=allocated["systematic"],
    )


def practice_staff_balance(*, practice_id: int) -> int:
    total = LedgerEntry.objects.filter(
        account__practice_id=practice_id, account__kind=Account.Kind.STAFF
    ).aggregate(total=Sum("amount"))["total"]
    return int(total or 0)


def latest_notices(*, doctor: Doctor, year: int) -> QuerySet[Notice]:
    return Notice.objects.filter(doctor=doctor, year__gte=year - 1).order_by("-created_at")[:3]


def ledger_for_doctor(*, doctor: Doctor, limit: int = 50) -> QuerySet[LedgerEntry]:
    return (
        LedgerEntry.objects.filter(account__doctor=doctor)
        .select_related("account", "claim")
        .order_by("-effective_on", "-pk")[:limit]
    )


def employment_for_doctor(*, doctor: Doctor) -> QuerySet[EmploymentConfirmation]:
    return EmploymentConfirmation.objects.filter(doctor=doctor).order_by("-year")


def pending_confirmations(*, limit: int = 100) -> QuerySet[EmploymentConfirmation]:
    return (
        EmploymentConfirmation.objects.filter(status=EmploymentConfirmation.Status.PENDING)
        .select_related("doctor__practice")
        .order_by("uploaded_at", "pk")[:limit]
    )


def confirmed_employment_years(*, doctor_ids: Iterable[int]) -> dict[int, set[int]]:
    """A-01: the years whose employment contract the secretariat confirmed, per doctor."""
    years: dict[int, set[int]] = defaultdict(set)
    for doctor_id, year in EmploymentConfirmation.objects.filter(
        doctor_id__in=list(doctor_ids), status=EmploymentConfirmation.Status.CONFIRMED
    ).values_list("doctor_id", "year"):
        years[doctor_id].add(year)
    return years

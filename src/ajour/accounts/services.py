"""Writes to accounts. Every balance change is a new ledger entry; nothing is updated in place."""

from __future__ import annotations

from datetime import date

from django.db import transaction

from ajour.accounts.models import Account, Doctor, LedgerEntry, Practice, User


def doctor_account(*, doctor: Doctor, kind: str) -> Account:
    """The doctor's sub-account of `kind`, opened on first use."""
    account, _created = Account.objects.get_or_create(doctor=doctor, kind=kind)
    return account


def practice_staff_account(*, practice: Practice) -> Account:
    account, _created = Account.objects.get_or_create(practice=practice, kind=Account.Kind.STAFF)
    return account


@transaction.atomic
def book_entry(
    *,
    account: Account,
    kind: str,
    amount: int,
    year: int,
    effective_on: date,
    reason: str = "",
    created_by: User | None = None,
    idempotency_key: str | None = None,
    claim_id: int | None = None,
) -> LedgerEntry:
    """Appends one ledger entry; with an idempotency key, booking twice returns the first entry."""
    if idempotency_key is not None:
        existing = LedgerEntry.objects.filter(idempotency_key=idempotency_key).first()
        if existing is not None:
            return existing
    return LedgerEntry.objects.create(
        account=account,
        kind=kind,
        amount=amount,
        year=year,
        effective_on=effective_on,
        reason=reason,
        created_by=created_by,
        idempotency_key=idempotency_key,
        claim_id=claim_id,
    )

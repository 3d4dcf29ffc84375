"""Writes to accounts. Every balance change is a new ledger entry; nothing is updated in place.

The yearly runs (allocation, year-end close) are idempotent: every entry they book carries an
idempotency key derived from year, account and purpose, and entries are inserted with
``ignore_conflicts`` so a re-run (or two runs at once) books nothing twice.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from ajour.accounts.banking import normalise_iban
from ajour.accounts.models import (
    Account,
    ApiToken,
    Doctor,
    EmploymentConfirmation,
    LedgerEntry,
    Notice,
    Practice,
    TrainingAgreement,
    User,
)
from ajour.accounts.uploads import PDF, checked_content_type
from ajour.core.bulk import insert_rows
from ajour.core.mail import Mail, compose, send_after_commit
from ajour.rules import ParameterSet, yearly

BATCH = 2000
GP_KINDS = (Account.Kind.SELF_CHOSEN, Account.Kind.SYSTEMATIC)
TOKEN_USE_RESOLUTION = timedelta(minutes=5)
"""`ApiToken.last_used_at` is refreshed at most this often, so that reads stay reads."""


class AccountError(Exception):
    """A request the accounts cannot honour; the message is for the user."""


def allocation_parameter(name: str, on: date) -> int:
    """A dated amount, count or period for the allocation run, from the one set of rules parameters."""
    return ParameterSet.default().on(on).ints[name]


def doctor_account(*, doctor: Doctor, kind: str) -> Account:
    """The doctor's sub-account of `kind`, opened on first use."""
    account, _created = Account.objects.get_or_create(doctor=doctor, kind=kind)
    return account


def practice_staff_account(*, practice: Practice) -> Account:
    account, _created = Account.objects.get_or_create(practice=practice, kind=Account.Kind.STAFF)
    return account


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
    """Appends one ledger entry; with an idempotency key, booking twice returns the first entry.

    One insert is atomic by itself, and the key's unique index settles a race, so no savepoint is
    opened: callers book inside their own transaction."""
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


def book_entries(*, entries: Sequence[LedgerEntry]) -> None:
    """Appends many new entries at once (a claim's draws, a batch of claims); keys are not checked, so
    callers book inside their own transaction and give entries no idempotency key."""
    insert_rows(LedgerEntry, entries)


# --- allocation -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RunResult:
    """What a yearly run booked: new entries (0 on a re-run) and how many holders it looked at."""

    booked: int
    holders: int


def _active_in(year: int) -> Q:
    return Q(active_from__lte=date(year, 12, 31)) & (
        Q(active_to__isnull=True) | Q(active_to__gte=date(year, 1, 1))
    )


def _accounts_for(doctor_ids: Iterable[int], kinds: Iterable[str]) -> dict[tuple[int, str], int]:
    """Opens missing sub-accounts in bulk and returns their ids by (doctor id, kind)."""
    doctor_ids, kinds = list(doctor_ids), list(kinds)
    found: dict[tuple[int, str], int] = {}
    for start in range(0, len(doctor_ids), BATCH):
        chunk = doctor_ids[start : start + BATCH]
        rows = Account.objects.filter(doctor_id__in=chunk, kind__in=kinds).values_list(
            "doctor_id", "kind", "pk"
        )
        existing = {(d, k): pk for d, k, pk in rows}
        missing = [Account(doctor_id=d, kind=k) for d in chunk for k in kinds if (d, k) not in existing]
        if missing:
            Account.objects.bulk_create(missing, ignore_conflicts=True)
            rows = Account.objects.filter(doctor_id__in=chunk, kind__in=kinds).values_list(
                "doctor_id", "kind", "pk"
            )
            existing = {(d, k): pk for d, k, pk in rows}
        found.update(existing)
    return found


def _existing_keys(prefix: str) -> set[str]:
    keys = LedgerEntry.objects.filter(idempotency_key__startswith=prefix).values_list(
        "idempotency_key", flat=True
    )
    return {key for key in keys if key is not None}


def _insert(entries: list[LedgerEntry]) -> int:
    """Inserts entries whose idempotency key is new; returns how many were new."""
    keys = [e.idempotency_key for e in entries]
    existing: set[str] = set()
    for start in range(0, len(keys), BATCH):
        found = LedgerEntry.objects.filter(idempotency_key__in=keys[start : start + BATCH]).values_list(
            "idempotency_key", flat=True
        )
        existing.update(key for key in found if key is not None)
    fresh = [e for e in entries if e.idempotency_key not in existing]
    LedgerEntry.objects.bulk_create(fresh, batch_size=BATCH, ignore_conflicts=True)
    return len(fresh)


def _gp_allocation_entries(
    doctor_id: int,
    role: str,
    year: int,
    share_percent: int,
    accounts: dict[tuple[int, str], int],
    done: set[str],
) -> list[LedgerEntry]:
    """The doctor's allocation entries for `year`, leaving out those already booked (keys in `done`)."""
    jan1 = date(year, 1, 1)
    self_chosen, half_days = yearly.gp_allocation(
        ParameterSet.default(), role=role, year=year, share_percent=share_percent
    )
    reason = _("Yearly allocation") if share_percent == 100 else f"{share_percent} %"
    entries = []
    for kind, amount in ((Account.Kind.SELF_CHOSEN, self_chosen), (Account.Kind.SYSTEMATIC, half_days)):
        key = f"alloc:{year}:doctor:{doctor_id}:{kind}"
        if amount > 0 and key not in done:
            entries.append(
                LedgerEntry(
                    account_id=accounts[(doctor_id, kind)],
                    kind=LedgerEntry.Kind.ALLOCATION,
                    amount=amount,
                    year=year,
                    effective_on=jan1,
                    reason=reason,
                    idempotency_key=key,
                )
            )
    return entries


def _trainee_periods(agreement: TrainingAgreement, year: int) -> list[date]:
    """Start dates in `year` of the agreement's allocation periods (6 months phase II, 12 phase III)."""
    months = yearly.trainee_period_months(
        ParameterSet.default(), phase=agreement.phase, starts_on=agreement.starts_on
    )
    starts, current, index = [], agreement.starts_on, 0
    while current <= agreement.ends_on and current.year <= year:
        if current.year == year:
            starts.append(current)
        index += 1
        total = agreement.starts_on.month - 1 + index * months
        current = _safe_date(agreement.starts_on.year + total // 12, total % 12 + 1, agreement.starts_on.day)
    return starts


def _safe_date(year: int, month: int, day: int) -> date:
    while True:
        try:
            return date(year, month, day)
        except ValueError:
            day -= 1


def staff_allocation(*, capacities: int, year: int) -> int:
    """The clinic staff account's allocation for `year` (`rules.yearly.staff_allocation`)."""
    return yearly.staff_allocation(ParameterSet.default(), capacities=capacities, year=year)


def _staff_scheme_start(year: int) -> date:
    return yearly.staff_scheme_start(ParameterSet.default(), year=year)


def allocate_year(*, year: int) -> RunResult:
    """The yearly allocation run (R-ALLOC-1): owners, confirmed employed GPs, trainees, clinics.

    Holders are read in key order, so the same records always give the same entries in the same order."""
    with transaction.atomic():
        entries: list[LedgerEntry] = []
        owners = list(
            Doctor.objects.filter(_active_in(year), role=Doctor.Role.GP_OWNER)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        confirmed = list(
            EmploymentConfirmation.objects.filter(
                year=year,
                status=EmploymentConfirmation.Status.CONFIRMED,
                doctor__role=Doctor.Role.GP_EMPLOYED,
            )
            .order_by("doctor_id")
            .values_list("doctor_id", "share_percent")
        )
        done = _existing_keys(f"alloc:{year}:")
        accounts = _accounts_for(owners + [d for d, _share in confirmed], GP_KINDS)
        for doctor_id in owners:
            entries += _gp_allocation_entries(doctor_id, Doctor.Role.GP_OWNER, year, 100, accounts, done)
        for doctor_id, share in confirmed:
            entries += _gp_allocation_entries(doctor_id, Doctor.Role.GP_EMPLOYED, year, share, accounts, done)
        agreements = list(
            TrainingAgreement.objects.filter(
                starts_on__lte=date(year, 12, 31), ends_on__gte=date(year, 1, 1)
            ).order_by("pk")
        )
        entries += _agreement_entries(agreements, year, done)
        practices = list(Practice.objects.order_by("pk").values_list("pk", "doctor_capacities"))
        staff_entries = _staff_entries(practices, year, done)
        booked = _insert(entries) + _insert(staff_entries)
    return RunResult(booked=booked, holders=len(owners) + len(confirmed) + len(agreements) + len(practices))


def _agreement_entries(agreements: list[TrainingAgreement], year: int, done: set[str]) -> list[LedgerEntry]:
    """The trainees' allocations for the agreements' periods starting in `year`, less those booked."""
    accounts = _accounts_for(sorted({a.doctor_id for a in agreements}), [Account.Kind.SELF_CHOSEN])
    entries = []
    for agreement in agreements:
        for start in _trainee_periods(agreement, year):
            key = f"alloc:{year}:agreement:{agreement.pk}:{start.isoformat()}"
            if key in done:
                continue
            entries.append(
                LedgerEntry(
                    account_id=accounts[(agreement.doctor_id, Account.Kind.SELF_CHOSEN)],
                    kind=LedgerEntry.Kind.ALLOCATION,
                    amount=yearly.trainee_allocation(
                        ParameterSet.default(), phase=agreement.phase, period_start=start
                    ),
                    year=year,
                    effective_on=start,
                    reason=_("Training agreement"),
                    idempotency_key=key,
                )
            )
    return entries


def _staff_entries(practices: list[tuple[int, int]], year: int, done: set[str]) -> list[LedgerEntry]:
    if _staff_scheme_start(year).year > year:
        return []
    by_practice = dict(Account.objects.filter(kind=Account.Kind.STAFF).values_list("practice_id", "pk"))
    missing = [Account(practice_id=p, kind=Account.Kind.STAFF) for p, _c in practices if p not in by_practice]
    if missing:
        Account.objects.bulk_create(missing, batch_size=BATCH, ignore_conflicts=True)
        by_practice = dict(Account.objects.filter(kind=Account.Kind.STAFF).values_list("practice_id", "pk"))
    effective = max(date(year, 1, 1), _staff_scheme_start(year))
    reason = _("Yearly allocation")
    return [
        LedgerEntry(
            account_id=by_practice[practice_id],
            kind=LedgerEntry.Kind.ALLOCATION,
            amount=staff_allocation(capacities=capacities, year=year),
            year=year,
            effective_on=effective,
            reason=reason,
            idempotency_key=f"alloc:{year}:practice:{practice_id}:staff",
        )
        for practice_id, capacities in practices
        if capacities > 0 and f"alloc:{year}:practice:{practice_id}:staff" not in done
    ]


def allocate_doctor(*, doctor: Doctor, year: int) -> int:
    """Allocates one employed GP right after the contract is confirmed (same keys as the yearly run)."""
    confirmation = EmploymentConfirmation.objects.get(doctor=doctor, year=year)
    accounts = _accounts_for([doctor.pk], GP_KINDS)
    entries = _gp_allocation_entries(
        doctor.pk, doctor.role, year, confirmation.share_percent, accounts, set()
    )
    return _insert(entries)


@transaction.atomic
def register_training_agreement(*, doctor: Doctor, starts_on: date, ends_on: date) -> TrainingAgreement:
    """A-03: a trainee's training agreement opens the account; the periods starting in its first year
    are allocated at once (same keys as the yearly run, which books the later years)."""
    if not doctor.is_trainee:
        raise AccountError(_("Only trainees register a training agreement."))
    if ends_on < starts_on:
        raise AccountError(_("The agreement cannot end before it starts."))
    agreement = TrainingAgreement.objects.create(
        doctor=doctor, phase=doctor.role, starts_on=starts_on, ends_on=ends_on
    )
    _insert(_agreement_entries([agreement], starts_on.year, set()))
    return agreement


@transaction.atomic
def prorate_allocation(
    *, doctor: Doctor, year: int, percent: int, reason: str, by: User
) -> list[LedgerEntry]:
    """Discretionary pro-rating (A-02): sets this year's allocation to `percent` % with a correction entry."""
    reason = reason.strip()
    if not reason:
        raise AccountError(_("Give a reason for the pro-rating."))
    if not 0 <= percent <= 100:
        raise AccountError(_("The share must be between 0 and 100 %."))
    booked = []
    for account in (
        Account.objects.select_for_update().filter(doctor=doctor, kind__in=GP_KINDS).order_by("pk")
    ):
        entries = LedgerEntry.objects.filter(account=account, year=year)
        base = entries.filter(kind=LedgerEntry.Kind.ALLOCATION).aggregate(t=Sum("amount"))["t"] or 0
        prior = entries.filter(idempotency_key__startswith=f"prorate:{year}:{account.pk}:")
        applied = prior.aggregate(t=Sum("amount"))["t"] or 0
        delta = base * percent // 100 - (base + applied)
        if delta:
            booked.append(
                book_entry(
                    account=account,
                    kind=LedgerEntry.Kind.CORRECTION,
                    amount=delta,
                    year=year,
                    effective_on=timezone.localdate(),
                    reason=_("Pro-rated to %(percent)d %%: %(reason)s")
                    % {"percent": percent, "reason": reason},
                    created_by=by,
                    idempotency_key=f"prorate:{year}:{account.pk}:{prior.count() + 1}",
                )
            )
    if not booked:
        raise AccountError(_("There is no allocation for %(year)d to pro-rate.") % {"year": year})
    return booked


@transaction.atomic
def correct_balance(*, account: Account, amount: int, reason: str, by: User) -> LedgerEntry:
    """A manual correction by the secretariat; the reason is required and kept with the entry."""
    reason = reason.strip()
    if not reason:
        raise AccountError(_("Give a reason for the correction."))
    if amount == 0:
        raise AccountError(_("A correction must change the balance."))
    Account.objects.select_for_update().filter(pk=account.pk).first()
    today = timezone.localdate()
    return book_entry(
        account=account,
        kind=LedgerEntry.Kind.CORRECTION,
        amount=amount,
        year=today.year,
        effective_on=today,
        reason=reason,
        created_by=by,
    )


def set_payout_account(*, user: User, iban: str) -> None:
    """A GP's private account, or (for a clinic login) the practice account, for payouts."""
    iban = normalise_iban(iban)
    if user.role == User.Role.CLINIC and user.practice_id is not None:
        Practice.objects.filter(pk=user.practice_id).update(payout_iban=iban)
    elif user.doctor_id is not None:
        Doctor.objects.filter(pk=user.doctor_id).update(payout_iban=iban)
    else:
        raise AccountError(_("Only GPs and clinics have payout accounts."))


def set_language(*, user: User, language: str) -> None:
    """Remembers the language a login chose in the header: Ajour's e-mails to them are written in it.
    An unknown code is ignored, as the header's own switch ignores it."""
    if language in User.Language.values:
        user.language = language
        user.save(update_fields=["language"])


# --- employment confirmation (A-01) ------------------------------------------------------------------


@transaction.atomic
def upload_employment_contract(
    *, doctor: Doctor, year: int, document: UploadedFile[bytes] | None
) -> EmploymentConfirmation:
    """An employed GP sends this year's contract (PDF); the confirmation waits for the secretariat."""
    if doctor.role != Doctor.Role.GP_EMPLOYED:
        raise AccountError(_("Only employed GPs confirm their employment."))
    try:
        checked_content_type(document, allowed=PDF)
    except ValidationError as error:
        raise AccountError(error.messages[0]) from error
    confirmation, _created = EmploymentConfirmation.objects.select_for_update().get_or_create(
        doctor=doctor, year=year
    )
    if confirmation.status == EmploymentConfirmation.Status.CONFIRMED:
        raise AccountError(_("Your employment for %(year)d is already confirmed.") % {"year": year})
    assert document is not None
    digest = hashlib.sha256(f"{doctor.pk}:{year}:{secrets.token_hex(8)}".encode()).hexdigest()[:24]
    confirmation.document.save(f"{year}-{digest}.pdf", document, save=False)
    confirmation.status = EmploymentConfirmation.Status.PENDING
    confirmation.uploaded_at = timezone.now()
    confirmation.save()
    return confirmation


@transaction.atomic
def decide_employment(
    *, confirmation: EmploymentConfirmation, confirm: bool, share_percent: int, note: str, by: User
) -> EmploymentConfirmation:
    """The secretariat confirms (allocating at once, possibly pro-rated) or rejects a contract."""
    if confirmation.status != EmploymentConfirmation.Status.PENDING:
        raise AccountError(_("This confirmation has already been decided."))
    if not 0 < share_percent <= 100:
        raise AccountError(_("The share must be between 1 and 100 %."))
    if (not confirm or share_percent < 100) and not note.strip():
        raise AccountError(_("Give a reason when rejecting or pro-rating."))
    confirmation.status = (
        EmploymentConfirmation.Status.CONFIRMED if confirm else EmploymentConfirmation.Status.REJECTED
    )
    confirmation.share_percent = share_percent
    confirmation.note = note.strip()
    confirmation.decided_at = timezone.now()
    confirmation.decided_by = by
    confirmation.save()
    if confirm:
        allocate_doctor(doctor=confirmation.doctor, year=confirmation.year)
    return confirmation


@transaction.atomic
def remind_employment(*, year: int) -> int:
    """The yearly reminder: every active employed GP without a confirmed contract for `year` is told.
    Returns how many e-mails were handed on for sending."""
    doctors = (
        Doctor.objects.filter(_active_in(year), role=Doctor.Role.GP_EMPLOYED)
        .exclude(confirmations__year=year, confirmations__status=EmploymentConfirmation.Status.CONFIRMED)
        .select_related("user")
    )
    mails = []
    for doctor in doctors:
        _notice, created = Notice.objects.get_or_create(
            doctor=doctor, kind=Notice.Kind.CONFIRMATION_REMINDER, year=year, period="reminder"
        )
        if created:
            mails.append(
                compose(doctor, "accounts/email/confirmation_reminder.txt", {"doctor": doctor, "year": year})
            )
    return _send(mails)


def _send(mails: list[Mail | None]) -> int:
    """Sends the composed messages after commit in one batch; returns how many there are."""
    send_after_commit(mails)
    return sum(mail is not None for mail in mails)


# --- year end (R-YE-1, C-01, C-02) --------------------------------------------------------------------


@dataclass(frozen=True)
class YearPosition:
    """One sub-account at a year end: the merged balance, the carry-over cap and what would be lost
    (`rules.yearly.carried` and `forfeited`).

    `available` is what the account holds now, entries of later years included. A close run late (after
    claims of the new year were filed) never forfeits money those claims have already drawn: the
    product let them draw on the whole balance, so forfeiting it as well would take the account below
    zero."""

    account_id: int
    balance: int
    cap: int
    available: int

    @property
    def carried(self) -> int:
        return yearly.carried(balance=self.balance, cap=self.cap)

    @property
    def forfeited(self) -> int:
        return yearly.forfeited(balance=self.balance, cap=self.cap, available=self.available)


def year_positions(*, year: int, account_ids: Iterable[int] | None = None) -> list[YearPosition]:
    """Merged balance (everything booked for `year` and earlier), cap (this year's allocation, times the
    years of allocation the close carries over) and what each account holds now."""
    every = LedgerEntry.objects.all()
    if account_ids is not None:
        every = every.filter(account_id__in=list(account_ids))
    entries = every.filter(year__lte=year)
    balances = dict(entries.values("account_id").annotate(t=Sum("amount")).values_list("account_id", "t"))
    available = dict(every.values("account_id").annotate(t=Sum("amount")).values_list("account_id", "t"))
    caps = dict(
        entries.filter(year=year, kind__in=[LedgerEntry.Kind.ALLOCATION, LedgerEntry.Kind.CORRECTION])
        .exclude(kind=LedgerEntry.Kind.CORRECTION, idempotency_key__isnull=True)
        .values("account_id")
        .annotate(t=Sum("amount"))
        .values_list("account_id", "t")
    )
    parameters = ParameterSet.default()
    return [
        YearPosition(
            a,
            int(b or 0),
            yearly.carry_over_cap(parameters, year=year, allocation=int(caps.get(a) or 0)),
            int(available.get(a) or 0),
        )
        for a, b in sorted(balances.items())
    ]


def close_year(*, year: int, today: date | None = None) -> RunResult:
    """Merges last year and this year per sub-account, carries over at most one year's allocation and
    forfeits the rest, as ledger entries, at once (no winter freeze).

    Only after the year has ended: closed earlier, claims and corrections still to come in the year would
    land after the forfeit. `today` (default the local date) lets the demo loader close its past years.
    """
    dec31, jan1 = date(year, 12, 31), date(year + 1, 1, 1)
    if (today or timezone.localdate()) <= dec31:
        raise AccountError(
            _("%(year)d has not ended yet. The year can be closed from 1 January %(next)d.")
            % {"year": year, "next": year + 1}
        )
    forfeit, carried_to, carried_from = (
        _("Above the carry-over cap"),
        _("Carried to %(year)d") % {"year": year + 1},
        _("Carried from %(year)d") % {"year": year},
    )
    entries: list[LedgerEntry] = []
    with transaction.atomic():
        positions = year_positions(year=year)
        for position in positions:
            key, account = f"close:{year}:{position.account_id}", position.account_id
            if position.forfeited:
                entries.append(
                    LedgerEntry(
                        account_id=account,
                        kind=LedgerEntry.Kind.FORFEIT,
                        amount=-position.forfeited,
                        year=year,
                        effective_on=dec31,
                        reason=forfeit,
                        idempotency_key=f"{key}:forfeit",
                    )
                )
            if position.carried:
                entries += [
                    LedgerEntry(
                        account_id=account,
                        kind=LedgerEntry.Kind.CARRY_OVER,
                        amount=-position.carried,
                        year=year,
                        effective_on=dec31,
                        reason=carried_to,
                        idempotency_key=f"{key}:out",
                    ),
                    LedgerEntry(
                        account_id=account,
                        kind=LedgerEntry.Kind.CARRY_OVER,
                        amount=position.carried,
                        year=year + 1,
                        effective_on=jan1,
                        reason=carried_from,
                        idempotency_key=f"{key}:in",
                    ),
                ]
        done = _existing_keys(f"close:{year}:") if entries else set()
        fresh = [e for e in entries if e.idempotency_key not in done]
        LedgerEntry.objects.bulk_create(fresh, batch_size=BATCH, ignore_conflicts=True)
    return RunResult(booked=len(fresh), holders=len(positions))


# --- API tokens ---------------------------------------------------------------------------------------


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_api_token(*, user: User, name: str) -> str:
    """A new token for `user`; the returned secret is shown once and only its hash is stored."""
    prefix = secrets.token_hex(5)
    secret = secrets.token_urlsafe(32)
    ApiToken.objects.create(user=user, name=name, prefix=prefix, secret_hash=_hash(secret))
    return f"ajr_{prefix}_{secret}"


def user_for_token(raw: str) -> User | None:
    """The active user behind a bearer token, or None; compares hashes in constant time."""
    parts = raw.split("_", 2)
    if len(parts) != 3 or parts[0] != "ajr":
        return None
    token = (
        ApiToken.objects.select_related("user__doctor")
        .filter(prefix=parts[1], revoked_at__isnull=True)
        .first()
    )
    if token is None or not secrets.compare_digest(token.secret_hash, _hash(parts[2])):
        return None
    if not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > TOKEN_USE_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user

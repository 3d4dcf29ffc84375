"""Writes about claims: submit (decision + ledger draws in one transaction), sample control, caseworker
review, appeals. Every action leaves an AuditEvent; every balance change is a ledger entry."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import partial
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import Sum, prefetch_related_objects
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from ajour.accounts.models import Account, Doctor, LedgerEntry, User
from ajour.accounts.services import (
    book_entries,
    book_entry,
    doctor_account,
    practice_staff_account,
)
from ajour.accounts.uploads import RECEIPT_TYPES, checked_content_type
from ajour.bulk import insert_rows
from ajour.catalogue.models import ActivityInstance
from ajour.claims.models import Appeal, AuditEvent, Claim, ControlPolicy, Receipt
from ajour.claims.payload import (
    ClaimInputError,
    ClaimRequest,
    Positions,
    activity_date,
    build_payload,
    position_of,
)
from ajour.rules import RULES_VERSION, InvalidClaim, decide_payload
from ajour.rules.days import course_day_halves

BATCH = 2000
"""Rows per insert, and holders per query, in a bulk submission."""
PAYABLE_STATUSES = (Claim.Status.DECIDED, Claim.Status.APPROVED, Claim.Status.ADJUSTED)
REVIEWABLE_STATUSES = (Claim.Status.CONTROL_REQUESTED, Claim.Status.CONTROL_SUBMITTED, Claim.Status.DECIDED)


class ClaimError(Exception):
    """An action the claim cannot take in its current state; the message is for the user."""


class IdempotencyConflict(ClaimError):
    """The same Idempotency-Key was sent before with a different request body."""


def quote(*, claimant: Doctor, request: ClaimRequest, filed_on: date, lang: str = "da") -> dict[str, object]:
    """The decision the claimant would get now, without writing anything. Raises ClaimInputError."""
    payload = build_payload(claimant=claimant, request=request, filed_on=filed_on)
    return _decide(payload, lang)


def _decide(payload: dict[str, object], lang: str) -> dict[str, object]:
    try:
        return decide_payload(payload, lang=lang)
    except InvalidClaim as error:
        raise ClaimInputError(error.field, error.message) from error


def _accounts(claimant: Doctor, request: ClaimRequest) -> dict[str, Account]:
    """The sub-accounts a claim may draw from, locked for this transaction (PostgreSQL row locks;
    SQLite's IMMEDIATE transactions already serialise writers). Missing ones are opened first."""
    holder: dict[str, Any]  # the account holder as ORM lookups
    if request.staff_member is not None:
        holder, kinds = {"practice_id": request.staff_member.practice_id}, [Account.Kind.STAFF]
    else:
        holder, kinds = {"doctor": claimant}, [Account.Kind.SELF_CHOSEN, Account.Kind.SYSTEMATIC]
    rows = Account.objects.filter(**holder, kind__in=kinds).select_for_update().order_by("pk")
    found = {a.kind: a for a in rows}
    if len(found) < len(kinds):
        for kind in kinds:
            Account.objects.get_or_create(**holder, kind=kind)
        found = {a.kind: a for a in rows.all()}
    return found


def _audit(claim: Claim, action: str, by: User | None, note: str = "") -> None:
    AuditEvent.objects.create(claim=claim, actor=by, action=action, note=note)


def request_hash(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


@dataclass(frozen=True)
class Submission:
    claim: Claim
    replayed: bool
    """True when an earlier request with the same idempotency key created the claim."""


def submit_claim(
    *,
    claimant: Doctor,
    request: ClaimRequest,
    filed_on: date,
    by: User | None,
    idempotency_key: str | None = None,
    body_hash: str = "",
    lang: str = "da",
) -> Submission:
    """Decides and stores a claim and books its draws in one transaction; nothing is written on error.

    With an idempotency key a retried request returns the first claim; the same key with a different
    body raises IdempotencyConflict. The key's unique index decides, so the common case costs no lookup.
    """
    try:
        claim = _submit(claimant, request, filed_on, by, idempotency_key, body_hash, lang)
    except IntegrityError:
        if idempotency_key:
            earlier = _replay(idempotency_key, body_hash)
            if earlier is not None:
                return earlier
        raise
    return Submission(claim, replayed=False)


def _replay(key: str, body_hash: str) -> Submission | None:
    claim = Claim.objects.filter(idempotency_key=key).first()
    if claim is None:
        return None
    if claim.request_hash != body_hash:
        raise IdempotencyConflict(_("This Idempotency-Key was already used for a different request."))
    return Submission(claim, replayed=True)


@transaction.atomic
def _submit(
    claimant: Doctor,
    request: ClaimRequest,
    filed_on: date,
    by: User | None,
    idempotency_key: str | None,
    body_hash: str,
    lang: str,
) -> Claim:
    accounts = _accounts(claimant, request)
    staff_practice = _staff_practice(request)
    payload = build_payload(
        claimant=claimant, request=request, filed_on=filed_on, position=position_of(claimant, staff_practice)
    )
    decision = _decide(payload, lang)
    claim = _claim_from_decision(
        claimant=claimant,
        request=request,
        filed_on=filed_on,
        payload=payload,
        decision=decision,
        by=by,
        idempotency_key=idempotency_key,
        body_hash=body_hash,
    )
    control_reason = _select_for_control(claim)
    claim.save(force_insert=True)
    book_entries(entries=_draws(claim, lambda kind: accounts[kind].pk, timezone.localdate(), by))
    _submitted(claim, by).save()
    if control_reason:
        _audit(claim, "control_selected", None, control_reason)
        transaction.on_commit(lambda: _mail_claimant(claim, "claims/email/receipts_requested.txt"))
    return claim


def _staff_practice(request: ClaimRequest) -> int | None:
    """The clinic whose staff account a staff claim draws from; None for a GP's own claim."""
    return request.staff_member.practice_id if request.staff_member is not None else None


def _claim_from_decision(
    *,
    claimant: Doctor,
    request: ClaimRequest,
    filed_on: date,
    payload: dict[str, object],
    decision: dict[str, object],
    by: User | None,
    idempotency_key: str | None = None,
    body_hash: str = "",
) -> Claim:
    """The (unsaved) claim row for a decided payload: what was asked, what was decided, what it draws."""
    draws, days, activity = decision["draws"], decision["days"], payload["activity"]
    payable_ore = decision["payable_ore"]
    assert isinstance(draws, dict) and isinstance(days, list) and isinstance(activity, dict)
    assert isinstance(payable_ore, int)
    staff_practice = _staff_practice(request)
    rejected = decision["outcome"] == "rejected"
    return Claim(
        claimant=claimant,
        practice_id=staff_practice if staff_practice is not None else claimant.practice_id,
        staff_member=request.staff_member,
        instance=request.instance,
        activity_type=activity["type"],
        activity_date=activity_date(request, activity.get("days", [])),
        filed_on=filed_on,
        inputs=payload,
        decision=decision,
        rules_version=str(decision.get("rules_version", RULES_VERSION)),
        outcome=str(decision["outcome"]),
        payable_ore=payable_ore,
        drawn_self_chosen_ore=int(draws["self_chosen_ore"]),
        drawn_systematic_half_days=int(round(float(draws["systematic_days"]) * 2)),
        drawn_staff_ore=int(draws["staff_ore"]),
        course_day_halves=0 if rejected else course_day_halves(day["class"] for day in days),
        payee=Claim.Payee.PRACTICE if staff_practice is not None else request.payee,
        description=request.description[:200],
        idempotency_key=idempotency_key or None,
        request_hash=body_hash,
        created_by=by,
    )


def _draws(claim: Claim, account_id: Callable[[str], int], on: date, by: User | None) -> list[LedgerEntry]:
    """The claim's draws as (unsaved) ledger entries booked in the year of `on`, one per sub-account
    drawn from; `account_id` gives the id of the claimant's (or clinic's) sub-account of a kind."""
    return [
        LedgerEntry(
            account_id=account_id(kind),
            kind=LedgerEntry.Kind.CLAIM_DRAW,
            amount=-amount,
            year=on.year,
            effective_on=on,
            reason=_("Claim"),
            created_by=by,
            claim=claim,
        )
        for kind, amount in (
            (Account.Kind.SELF_CHOSEN, claim.drawn_self_chosen_ore),
            (Account.Kind.SYSTEMATIC, claim.drawn_systematic_half_days),
            (Account.Kind.STAFF, claim.drawn_staff_ore),
        )
        if amount
    ]


def _submitted(claim: Claim, by: User | None) -> AuditEvent:
    """The (unsaved) audit event of a submission: its outcome and the rules that decided it."""
    return AuditEvent(
        claim=claim, actor=by, action="submitted", note=f"{claim.outcome}, rules {claim.rules_version}"
    )


@dataclass(frozen=True)
class BulkClaim:
    """One claim of a bulk submission; `public_id` and `status` for claims loaded with their history."""

    claimant: Doctor
    request: ClaimRequest
    filed_on: date
    public_id: uuid.UUID | None = None
    status: str = Claim.Status.DECIDED


@transaction.atomic
def submit_claims_in_bulk(
    *, claims: Sequence[BulkClaim], file_rejected: bool = True, by: User | None = None, lang: str = "da"
) -> list[Claim | None]:
    """Decides and stores many claims in the given (filing) order, as `submit_claim` would one by one.

    For history and imports: balances are read once and kept in memory, so each claim sees what the
    claims before it drew; rows are inserted in bulk and draws booked on each claim's filing day. The
    claims carry their given status, so none is drawn for sample control. With `file_rejected=False` a
    rejected decision is not filed (None in the result), as a claimant who saw the quote would not.
    """
    positions = Positions(
        doctor_ids=[c.claimant.pk for c in claims],
        staff_practice_ids=[p for c in claims if (p := _staff_practice(c.request)) is not None],
    )
    _prefetch_programmes([c.request.instance for c in claims if c.request.instance is not None])
    results: list[Claim | None] = [
        None if claim.outcome == "rejected" and not file_rejected else claim
        for claim in _decide_in_order(claims, positions, by, lang)
    ]
    stored = [c for c in results if c is not None]
    _insert_claims(stored)
    accounts = _account_ids(stored)
    draws = [_draws(c, partial(_account_id, c, accounts), c.filed_on, by) for c in stored]
    book_entries(entries=[entry for entries in draws for entry in entries])
    insert_rows(AuditEvent, [_submitted(c, by) for c in stored])
    return results


def _insert_claims(claims: list[Claim]) -> None:
    """Inserts the claims and gives each its primary key, found by its unique public id among the rows
    above the highest key before the insert (the database gives new rows higher keys)."""
    before = Claim.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    insert_rows(Claim, claims)
    keys = dict(Claim.objects.filter(pk__gt=before).values_list("public_id", "pk"))
    for claim in claims:
        claim.pk = keys[claim.public_id]
        claim._state.adding = False


def _decide_in_order(
    claims: Sequence[BulkClaim], positions: Positions, by: User | None, lang: str
) -> list[Claim]:
    """Builds, decides and records each claim in turn, so that each sees the draws before it."""
    decided = []
    for item in claims:
        position = positions.of(item.claimant, _staff_practice(item.request))
        payload = build_payload(
            claimant=item.claimant, request=item.request, filed_on=item.filed_on, position=position
        )
        claim = _claim_from_decision(
            claimant=item.claimant,
            request=item.request,
            filed_on=item.filed_on,
            payload=payload,
            decision=_decide(payload, lang),
            by=by,
        )
        claim.public_id = item.public_id or claim.public_id
        claim.status = item.status
        positions.record(claim)
        decided.append(claim)
    return decided


def _prefetch_programmes(instances: list[ActivityInstance]) -> None:
    """Loads the programme days and approval decisions of the runs claimed for, a chunk per query."""
    unique = list({id(i): i for i in instances}.values())
    for start in range(0, len(unique), BATCH):
        prefetch_related_objects(unique[start : start + BATCH], "days", "activity__decisions")


AccountIds = dict[tuple[str, int, str], int]
"""Sub-account ids by (holder type, holder id, kind)."""


def _account_ids(claims: list[Claim]) -> AccountIds:
    """The existing sub-accounts of the claims' holders, a chunk of holders per query."""
    doctors = sorted({c.claimant_id for c in claims})
    practices = sorted({c.practice_id for c in claims if c.drawn_staff_ore and c.practice_id is not None})
    found: AccountIds = {}
    for start in range(0, len(doctors), BATCH):
        for pk, doctor_id, kind in Account.objects.filter(
            doctor_id__in=doctors[start : start + BATCH]
        ).values_list("pk", "doctor_id", "kind"):
            found[("doctor", doctor_id, kind)] = pk
    for start in range(0, len(practices), BATCH):
        for pk, practice_id in Account.objects.filter(
            practice_id__in=practices[start : start + BATCH], kind=Account.Kind.STAFF
        ).values_list("pk", "practice_id"):
            found[("practice", practice_id, Account.Kind.STAFF)] = pk
    return found


def _account_id(claim: Claim, accounts: AccountIds, kind: str) -> int:
    """The id of the claim's sub-account of `kind`, opened if the batch found it missing."""
    if kind == Account.Kind.STAFF:
        key = ("practice", claim.practice_id or 0, kind)
        if key not in accounts:
            assert claim.practice is not None  # a staff draw is a claim with its practice
            accounts[key] = practice_staff_account(practice=claim.practice).pk
    else:
        key = ("doctor", claim.claimant_id, kind)
        if key not in accounts:
            accounts[key] = doctor_account(doctor=claim.claimant, kind=kind).pk
    return accounts[key]


def _book(account: Account, kind: str, amount: int, claim: Claim, by: User | None, reason: str) -> None:
    """A claim's ledger entry, booked in the year and on the day it is made."""
    today = timezone.localdate()
    book_entry(
        account=account,
        kind=kind,
        amount=amount,
        year=today.year,
        effective_on=today,
        reason=reason,
        created_by=by,
        claim_id=claim.pk,
    )


# --- sample control (R-CTRL-1) ------------------------------------------------------------------------


def control_policy(year: int) -> ControlPolicy:
    """The year's policy; created with a fresh random seed on first use (published after the year)."""
    policy, _created = ControlPolicy.objects.get_or_create(
        year=year, defaults={"seed": secrets.token_hex(16)}
    )
    return policy


def control_draw(*, seed: str, public_id: str) -> int:
    """A number 0–9999 anyone can recompute from the published seed: HMAC-SHA256(seed, claim id)."""
    digest = hmac.new(seed.encode(), public_id.encode(), hashlib.sha256).digest()
    return int.from_bytes(digest[:8], "big") % 10_000


def _select_for_control(claim: Claim) -> str:
    """Draws the (unsaved) claim for sample control; if selected, sets its status and returns why."""
    if claim.payable_ore <= 0:
        return ""
    policy = control_policy(claim.filed_on.year)
    claim.control_draw = control_draw(seed=policy.seed, public_id=str(claim.public_id))
    by_amount = claim.payable_ore > policy.always_above_ore
    if not by_amount and claim.control_draw >= policy.share_basis_points:
        return ""
    claim.status = Claim.Status.CONTROL_REQUESTED
    return "amount" if by_amount else f"draw {claim.control_draw} < {policy.share_basis_points}"


def _mail_claimant(claim: Claim, template: str) -> None:
    if not claim.claimant.email:
        return
    with translation.override("da"):
        text = render_to_string(template, {"claim": claim})
    subject, _sep, body = text.partition("\n")
    EmailMessage(subject=subject.strip(), body=body.strip() + "\n", to=[claim.claimant.email]).send()


@transaction.atomic
def upload_receipt(*, claim: Claim, upload: UploadedFile[bytes] | None, by: User) -> Receipt:
    """A receipt for a claim selected for control; PDF, JPEG or PNG by content, at most 5 MB."""
    claim = Claim.objects.select_for_update().get(pk=claim.pk)
    if claim.status not in (Claim.Status.CONTROL_REQUESTED, Claim.Status.CONTROL_SUBMITTED):
        raise ClaimError(_("Receipts are only needed for claims selected for control."))
    try:
        content_type = checked_content_type(upload, allowed=RECEIPT_TYPES)
    except ValidationError as error:
        raise ClaimError(error.messages[0]) from error
    assert upload is not None
    extension = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}[content_type]
    receipt = Receipt(
        claim=claim,
        content_type=content_type,
        size=upload.size or 0,
        original_name=(upload.name or "receipt")[-120:],
        uploaded_by=by,
    )
    receipt.file.save(f"{claim.public_id}-{secrets.token_hex(6)}.{extension}", upload, save=False)
    receipt.save()
    if claim.status == Claim.Status.CONTROL_REQUESTED:
        claim.status = Claim.Status.CONTROL_SUBMITTED
        claim.save(update_fields=["status"])
    _audit(claim, "receipt_uploaded", by, receipt.original_name)
    return receipt


# --- caseworker review and corrections ----------------------------------------------------------------


def _locked(claim: Claim) -> Claim:
    return Claim.objects.select_for_update().select_related("claimant").get(pk=claim.pk)


def _require_reason(reason: str) -> str:
    reason = reason.strip()
    if not reason:
        raise ClaimError(_("Give a reason."))
    return reason


def _not_paid(claim: Claim) -> None:
    if hasattr(claim, "payout"):
        raise ClaimError(_("This claim has already been paid out and can no longer be changed."))


@transaction.atomic
def approve_claim(*, claim: Claim, by: User, note: str = "") -> Claim:
    """Sample control passed: the claim is cleared for payout as decided."""
    claim = _locked(claim)
    if claim.status not in REVIEWABLE_STATUSES:
        raise ClaimError(_("This claim is not waiting for review."))
    claim.status = Claim.Status.APPROVED
    claim.save(update_fields=["status"])
    _audit(claim, "approved", by, note.strip())
    return claim


def _rebook(claim: Claim, payable: int, by: User | None, reason: str) -> None:
    """Reverses the claim's draws and books new ones so that it pays `payable`.

    Systematic days stay drawn unless the claim pays nothing; the change is taken from (or given back to)
    the claim's DKK account (self-chosen, or the clinic's staff account for staff claims).
    """
    if payable < 0:
        raise ClaimError(_("The amount cannot be negative."))
    staff = claim.staff_member_id is not None
    if staff:
        rows = (
            Account.objects.filter(practice_id=claim.practice_id, kind=Account.Kind.STAFF)
            if claim.practice_id is not None
            else Account.objects.none()  # a staff account always has its practice
        )
    else:
        rows = Account.objects.filter(doctor_id=claim.claimant_id)
    accounts = {a.kind: a for a in rows.select_for_update().order_by("pk")}
    money_kind = Account.Kind.STAFF if staff else Account.Kind.SELF_CHOSEN
    current_money = claim.drawn_staff_ore if staff else claim.drawn_self_chosen_ore
    new_money = max(0, current_money + payable - claim.payable_ore) if payable else 0
    new_days = claim.drawn_systematic_half_days if payable else 0
    if money_kind not in accounts:
        raise ClaimError(_("The claim has no account to draw from."))
    balance = LedgerEntry.objects.filter(account=accounts[money_kind]).aggregate(t=Sum("amount"))["t"] or 0
    if new_money - current_money > balance:
        raise ClaimError(_("The account does not have enough money for this amount."))
    for kind, old, new in (
        (money_kind, current_money, new_money),
        (Account.Kind.SYSTEMATIC, claim.drawn_systematic_half_days, new_days),
    ):
        if old == new:
            continue
        if old:
            _book(accounts[kind], LedgerEntry.Kind.REVERSAL, old, claim, by, reason)
        if new:
            _book(accounts[kind], LedgerEntry.Kind.CLAIM_DRAW, -new, claim, by, reason)
    if staff:
        claim.drawn_staff_ore = new_money
    else:
        claim.drawn_self_chosen_ore = new_money
    claim.drawn_systematic_half_days = new_days
    claim.payable_ore = payable


@transaction.atomic
def adjust_claim(*, claim: Claim, payable_ore: int, reason: str, by: User) -> Claim:
    """A caseworker sets the amount to pay (e.g. receipts cover less): reversal plus a new draw."""
    reason = _require_reason(reason)
    claim = _locked(claim)
    _not_paid(claim)
    if claim.status == Claim.Status.APPEALED:
        raise ClaimError(_("This claim is under appeal; the steering group decides it."))
    old = claim.payable_ore
    _rebook(claim, payable_ore, by, reason)
    claim.status = Claim.Status.ADJUSTED if payable_ore else Claim.Status.REJECTED
    claim.save()
    _audit(claim, "adjusted", by, f"{old} → {payable_ore} øre: {reason}")
    return claim


@transaction.atomic
def reject_claim(*, claim: Claim, reason: str, by: User) -> Claim:
    """A caseworker rejects the claim: every draw is reversed and nothing is paid."""
    reason = _require_reason(reason)
    claim = _locked(claim)
    _not_paid(claim)
    if claim.status == Claim.Status.APPEALED:
        raise ClaimError(_("This claim is under appeal; the steering group decides it."))
    _rebook(claim, 0, by, reason)
    claim.status = Claim.Status.REJECTED
    claim.save()
    _audit(claim, "rejected", by, reason)
    return claim


# --- appeals (R-APP-1) --------------------------------------------------------------------------------


@transaction.atomic
def file_appeal(*, claim: Claim, text: str, by: User) -> Appeal:
    """The claimant appeals the decision to the steering group; payout waits for the outcome."""
    text = text.strip()
    if len(text) < 10:
        raise ClaimError(_("Explain in a few sentences why you appeal."))
    claim = _locked(claim)
    _not_paid(claim)
    if claim.status == Claim.Status.APPEALED:
        raise ClaimError(_("This claim has already been appealed."))
    appeal = Appeal.objects.create(claim=claim, text=text, previous_status=claim.status, filed_by=by)
    claim.status = Claim.Status.APPEALED
    claim.save(update_fields=["status"])
    _audit(claim, "appealed", by)
    return appeal


@transaction.atomic
def decide_appeal(*, appeal: Appeal, upheld: bool, payable_ore: int | None, text: str, by: User) -> Appeal:
    """The steering group's outcome, applied to the ledger: upheld → new amount; dismissed → as before."""
    text = _require_reason(text)
    appeal = Appeal.objects.select_for_update().get(pk=appeal.pk)
    if appeal.outcome != Appeal.Outcome.PENDING:
        raise ClaimError(_("This appeal has already been decided."))
    claim = _locked(appeal.claim)
    if upheld:
        if payable_ore is None:
            raise ClaimError(_("Enter the amount to pay when the appeal is upheld."))
        _rebook(claim, payable_ore, by, text)
        claim.status = Claim.Status.APPROVED if payable_ore else Claim.Status.REJECTED
        appeal.decided_payable_ore = payable_ore
    else:
        claim.status = appeal.previous_status
    claim.save()
    appeal.outcome = Appeal.Outcome.UPHELD if upheld else Appeal.Outcome.DISMISSED
    appeal.decision_text = text
    appeal.decided_by = by
    appeal.decided_at = timezone.now()
    appeal.save()
    _audit(claim, f"appeal_{appeal.outcome}", by, text)
    return appeal

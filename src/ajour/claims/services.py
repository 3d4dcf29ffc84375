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
from django.db import IntegrityError, transaction
from django.db.models import Sum, prefetch_related_objects
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from ajour.accounts.models import Account, Doctor, LedgerEntry, User
from ajour.accounts.services import (
    book_entries,
    book_entry,
    doctor_account,
    practice_staff_account,
)
from ajour.accounts.uploads import RECEIPT_TYPES, checked_content_type
from ajour.catalogue.models import ActivityInstance
from ajour.catalogue.permissions import claimable_by
from ajour.claims.models import Appeal, AuditEvent, Claim, ControlPolicy, Receipt
from ajour.claims.payload import (
    ClaimInputError,
    ClaimRequest,
    Positions,
    activity_date,
    build_payload,
    position_of,
)
from ajour.claims.permissions import can_claim_instance
from ajour.claims.selectors import live_claim_for_run
from ajour.claims.workflow import CLAIM_APPEALS, CLAIMS, refusal
from ajour.core.bulk import insert_rows
from ajour.core.mail import send_mail_to
from ajour.rules import Decision, InvalidClaim, ParameterSet, decide, decision_to_json, parse_claim
from ajour.rules.days import course_day_halves

BATCH = 2000
"""Rows per insert, and holders per query, in a bulk submission."""


class ClaimError(Exception):
    """An action the claim cannot take in its current state; the message is for the user."""


class IdempotencyConflict(ClaimError):
    """The same Idempotency-Key was sent before with a different request body."""


class DuplicateClaim(ClaimError):
    """The run already has a live claim for this GP (or staff member); `existing` is that claim."""

    def __init__(self, message: str, existing: Claim) -> None:
        super().__init__(message)
        self.existing = existing


def quote(*, claimant: Doctor, request: ClaimRequest, filed_on: date, lang: str = "da") -> dict[str, object]:
    """The decision the claimant would get now, without writing anything. Raises ClaimInputError."""
    _require_claimable(claimant, request)
    payload = build_payload(claimant=claimant, request=request, filed_on=filed_on)
    return _decide(payload, lang)[1]


def _require_claimable(claimant: Doctor, request: ClaimRequest) -> None:
    """A DGE group's meeting or an individual approval only for its members or GP (`claimable_by`)."""
    if request.instance is None:
        return
    permission = can_claim_instance(claimant, request.instance)
    if not permission:
        raise ClaimInputError("instance_id", permission.reason)


def _claim_holding_the_run(claimant: Doctor, request: ClaimRequest) -> Claim | None:
    if request.instance is None:
        return None
    return live_claim_for_run(
        claimant_id=claimant.pk,
        instance_id=request.instance.pk,
        staff_member_id=request.staff_member.pk if request.staff_member is not None else None,
    )


def _already_claimed(existing: Claim) -> DuplicateClaim:
    return DuplicateClaim(
        _(
            "This activity has already been claimed (claim of %(filed)s). An activity can be claimed once; "
            "only a rejected claim leaves it free to claim again."
        )
        % {"filed": formats.date_format(existing.filed_on, "SHORT_DATE_FORMAT")},
        existing,
    )


def _decide(payload: dict[str, object], lang: str) -> tuple[Decision, dict[str, object]]:
    """The typed decision (integer draws and day classes to book) and its `ajour.decision/1` document,
    from one decision: nothing is read back from the JSON."""
    try:
        decision = decide(parse_claim(payload))
    except InvalidClaim as error:
        raise ClaimInputError(error.field, error.message) from error
    return decision, decision_to_json(decision, lang)


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
    body raises IdempotencyConflict. A run already held by a live claim of the GP (or staff member) raises
    DuplicateClaim: checked under the account lock, and settled by the partial unique indexes when two
    submissions race. A race on the key is settled by its unique index, so the common case costs no lookup.
    """
    try:
        return _submit(claimant, request, filed_on, by, idempotency_key, body_hash, lang)
    except IntegrityError:
        if idempotency_key:
            earlier = _replay(idempotency_key, body_hash)
            if earlier is not None:
                return earlier
        holding = _claim_holding_the_run(claimant, request)
        if holding is not None:
            raise _already_claimed(holding) from None
        raise


def _replay(key: str, body_hash: str) -> Submission | None:
    claim = Claim.objects.filter(idempotency_key=key).first()
    return None if claim is None else _replayed(claim, body_hash)


def _replayed(claim: Claim, body_hash: str) -> Submission:
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
) -> Submission:
    _require_claimable(claimant, request)
    accounts = _accounts(claimant, request)
    holding = _claim_holding_the_run(claimant, request)
    if holding is not None:
        if idempotency_key and holding.idempotency_key == idempotency_key:
            return _replayed(holding, body_hash)
        raise _already_claimed(holding)
    staff_practice = _staff_practice(request)
    payload = build_payload(
        claimant=claimant,
        request=request,
        filed_on=filed_on,
        position=position_of(claimant, staff_practice, with_material=request.is_material),
    )
    decision, document = _decide(payload, lang)
    claim = _claim_from_decision(
        claimant=claimant,
        request=request,
        filed_on=filed_on,
        payload=payload,
        decision=decision,
        document=document,
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
        send_mail_to(claim.claimant, "claims/email/receipts_requested.txt", {"claim": claim})
    return Submission(claim, replayed=False)


def _staff_practice(request: ClaimRequest) -> int | None:
    """The clinic whose staff account a staff claim draws from; None for a GP's own claim."""
    return request.staff_member.practice_id if request.staff_member is not None else None


def _claim_from_decision(
    *,
    claimant: Doctor,
    request: ClaimRequest,
    filed_on: date,
    payload: dict[str, object],
    decision: Decision,
    document: dict[str, object],
    by: User | None,
    idempotency_key: str | None = None,
    body_hash: str = "",
) -> Claim:
    """The (unsaved) claim row for a decided payload: what was asked, what was decided (the typed
    decision for what it draws, its document to keep), what it draws. A claim the rules reject outright
    is `rejected` at once, so it holds no run."""
    activity = payload["activity"]
    assert isinstance(activity, dict)
    staff_practice = _staff_practice(request)
    rejected = decision.outcome == "rejected"
    return Claim(
        claimant=claimant,
        practice_id=staff_practice if staff_practice is not None else claimant.practice_id,
        staff_member=request.staff_member,
        instance=request.instance,
        activity_type=activity["type"],
        activity_date=activity_date(request, activity.get("days", [])),
        filed_on=filed_on,
        inputs=payload,
        decision=document,
        rules_version=decision.rules_version,
        outcome=decision.outcome,
        status=Claim.Status.REJECTED if rejected else Claim.Status.DECIDED,  # a rejected run stays free
        payable_ore=decision.payable_ore,
        drawn_self_chosen_ore=decision.self_chosen_ore,
        drawn_systematic_half_days=decision.systematic_half_days,
        drawn_staff_ore=decision.staff_ore,
        course_day_halves=0 if rejected else course_day_halves(day.day_class for day in decision.days),
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


def submit_claims_in_bulk(
    *, claims: Sequence[BulkClaim], file_rejected: bool = True, by: User | None = None, lang: str = "da"
) -> list[Claim | None]:
    """Decides and stores many claims in the given (filing) order, as `submit_claim` would one by one.

    For history and imports: balances are read once and kept in memory, so each claim sees what the
    claims before it drew; rows are inserted in bulk and draws booked on each claim's filing day. The
    claims carry their given status, so none is drawn for sample control. With `file_rejected=False` a
    rejected decision is not filed (None in the result), as a claimant who saw the quote would not.
    The rights are those of one-by-one submission: a run the claimant may not claim (`claimable_by`)
    or one claimed twice (the one-live-claim indexes) refuses the whole batch, and nothing is written.
    """
    try:
        return _submit_in_bulk(claims, file_rejected, by, lang)
    except IntegrityError as clash:
        raise ClaimError(
            _("A run is claimed twice by the same claimant in this batch or before it; nothing was filed.")
        ) from clash


@transaction.atomic
def _submit_in_bulk(
    claims: Sequence[BulkClaim], file_rejected: bool, by: User | None, lang: str
) -> list[Claim | None]:
    positions = Positions(
        doctor_ids=[c.claimant.pk for c in claims],
        staff_practice_ids=[p for c in claims if (p := _staff_practice(c.request)) is not None],
        with_material=any(c.request.is_material for c in claims),
    )
    _prefetch_programmes([c.request.instance for c in claims if c.request.instance is not None])
    results: list[Claim | None] = [
        None if claim.outcome == "rejected" and not file_rejected else claim
        for claim in _decide_in_order(claims, positions, by, lang)
    ]
    stored = [c for c in results if c is not None]
    _insert_claims(stored)
    _refuse_runs_not_claimable(stored)
    accounts = _account_ids(stored)
    draws = [_draws(c, partial(_account_id, c, accounts), c.filed_on, by) for c in stored]
    book_entries(entries=[entry for entries in draws for entry in entries])
    insert_rows(AuditEvent, [_submitted(c, by) for c in stored])
    return results


def _refuse_runs_not_claimable(claims: list[Claim]) -> None:
    """The bulk path's `_require_claimable`: one query per chunk finds any claim for a run its claimant
    may not claim (the same rule, applied to the stored claims)."""
    ids = [c.pk for c in claims if c.instance_id is not None]
    for start in range(0, len(ids), BATCH):
        refused = (
            Claim.objects.filter(pk__in=ids[start : start + BATCH])
            .exclude(claimable_by(None, run="instance__", claimant_field="claimant_id"))
            .select_related("claimant", "instance")
            .first()
        )
        if refused is not None and refused.instance is not None:
            raise ClaimInputError(
                "instance_id", can_claim_instance(refused.claimant, refused.instance).reason
            )


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
        decision, document = _decide(payload, lang)
        claim = _claim_from_decision(
            claimant=item.claimant,
            request=item.request,
            filed_on=item.filed_on,
            payload=payload,
            decision=decision,
            document=document,
            by=by,
        )
        claim.public_id = item.public_id or claim.public_id
        if claim.status != Claim.Status.REJECTED:
            claim.status = item.status
        positions.record(claim)
        decided.append(claim)
    return decided


def _prefetch_programmes(instances: list[ActivityInstance]) -> None:
    """Loads the programme days, approval decisions and yearly numbers of the runs claimed for, a chunk
    per query."""
    unique = list({id(i): i for i in instances}.values())
    for start in range(0, len(unique), BATCH):
        prefetch_related_objects(
            unique[start : start + BATCH], "days", "activity__decisions", "activity__numbers"
        )


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


@transaction.atomic
def upload_receipt(*, claim: Claim, upload: UploadedFile[bytes] | None, by: User) -> Receipt:
    """A receipt for a claim selected for control; PDF, JPEG or PNG by content, at most 5 MB."""
    claim = _locked(claim)
    _guard(claim, "upload_receipt", Claim.Status.CONTROL_SUBMITTED)
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
    if claim.status != Claim.Status.CONTROL_SUBMITTED:
        claim.status = Claim.Status.CONTROL_SUBMITTED
        claim.save(update_fields=["status"])
    _audit(claim, "receipt_uploaded", by, receipt.original_name)
    return receipt


# --- caseworker review and corrections ----------------------------------------------------------------


def _locked(claim: Claim) -> Claim:
    """The claim row, locked until the transaction ends: every change (and the payout run) takes it
    first, so the status each guard reads is the one the change is written over."""
    return Claim.objects.select_for_update().select_related("claimant").get(pk=claim.pk)


def _guard(claim: Claim, action: str, target: str) -> None:
    """Refuses the action unless the claim workflow declares it from the claim's status to `target`."""
    if not CLAIMS.allows(action, claim.status, target=target):
        raise ClaimError(refusal(action, claim.status))


def _require_reason(reason: str) -> str:
    reason = reason.strip()
    if not reason:
        raise ClaimError(_("Give a reason."))
    return reason


@transaction.atomic
def approve_claim(*, claim: Claim, by: User, note: str = "") -> Claim:
    """Sample control passed: the claim is cleared for payout as decided."""
    claim = _locked(claim)
    _guard(claim, "approve", Claim.Status.APPROVED)
    claim.status = Claim.Status.APPROVED
    claim.save(update_fields=["status"])
    _audit(claim, "approved", by, note.strip())
    return claim


def _locked_accounts_of(claim: Claim) -> dict[str, Account]:
    """The accounts the claim draws from, locked: the rows a submission by the same holder locks first."""
    if claim.staff_member_id is not None:
        rows = (
            Account.objects.filter(practice_id=claim.practice_id, kind=Account.Kind.STAFF)
            if claim.practice_id is not None
            else Account.objects.none()  # a staff account always has its practice
        )
    else:
        rows = Account.objects.filter(doctor_id=claim.claimant_id)
    return {a.kind: a for a in rows.select_for_update().order_by("pk")}


def _refuse_reopening_beside_a_live_claim(claim: Claim, status: str) -> None:
    """A rejected claim brought back into force (adjusted, appealed, appeal upheld) must not become a
    second live claim for its run; checked under the lock a submission for the run takes."""
    if claim.status != Claim.Status.REJECTED or status == Claim.Status.REJECTED or claim.instance_id is None:
        return
    _locked_accounts_of(claim)
    holding = live_claim_for_run(
        claimant_id=claim.claimant_id,
        instance_id=claim.instance_id,
        staff_member_id=claim.staff_member_id,
        excluding=claim.pk,
    )
    if holding is not None:
        raise DuplicateClaim(
            _(
                "This activity has been claimed again since (claim of %(filed)s), so this rejected claim "
                "cannot be reopened. Appeal or correct that claim instead."
            )
            % {"filed": formats.date_format(holding.filed_on, "SHORT_DATE_FORMAT")},
            holding,
        )


def _rebook(claim: Claim, payable: int, by: User | None, reason: str) -> None:
    """Reverses the claim's draws and books new ones so that it pays `payable`.

    Systematic days stay drawn unless the claim pays nothing; the change is taken from (or given back to)
    the claim's DKK account (self-chosen, or the clinic's staff account for staff claims).
    """
    if payable < 0:
        raise ClaimError(_("The amount cannot be negative."))
    staff = claim.staff_member_id is not None
    accounts = _locked_accounts_of(claim)
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
    target = Claim.Status.ADJUSTED if payable_ore else Claim.Status.REJECTED
    _guard(claim, "adjust", target)
    _refuse_reopening_beside_a_live_claim(claim, target)
    old = claim.payable_ore
    _rebook(claim, payable_ore, by, reason)
    claim.status = target
    claim.save()
    _audit(claim, "adjusted", by, f"{old} → {payable_ore} øre: {reason}")
    return claim


@transaction.atomic
def reject_claim(*, claim: Claim, reason: str, by: User) -> Claim:
    """A caseworker rejects the claim: every draw is reversed and nothing is paid."""
    reason = _require_reason(reason)
    claim = _locked(claim)
    _guard(claim, "reject", Claim.Status.REJECTED)
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
    minimum = ParameterSet.default().on(timezone.localdate()).ints["appeal.min_characters"]
    if len(text) < minimum:
        raise ClaimError(_("Explain in at least %(count)s characters why you appeal.") % {"count": minimum})
    claim = _locked(claim)
    _guard(claim, "appeal", Claim.Status.APPEALED)
    _refuse_reopening_beside_a_live_claim(claim, Claim.Status.APPEALED)
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
    outcome = Appeal.Outcome.UPHELD if upheld else Appeal.Outcome.DISMISSED
    if not CLAIM_APPEALS.allows("decide", appeal.outcome, target=outcome):
        raise ClaimError(_("This appeal has already been decided."))
    claim = _locked(appeal.claim)
    if upheld:
        if payable_ore is None:
            raise ClaimError(_("Enter the amount to pay when the appeal is upheld."))
        target: str = Claim.Status.APPROVED if payable_ore else Claim.Status.REJECTED
        _guard(claim, "uphold_appeal", target)
        _refuse_reopening_beside_a_live_claim(claim, target)
        _rebook(claim, payable_ore, by, text)
        appeal.decided_payable_ore = payable_ore
    else:
        target = appeal.previous_status
        _guard(claim, "dismiss_appeal", target)
    claim.status = target
    claim.save()
    appeal.outcome = outcome
    appeal.decision_text = text
    appeal.decided_by = by
    appeal.decided_at = timezone.now()
    appeal.save()
    _audit(claim, f"appeal_{appeal.outcome}", by, text)
    return appeal

"""Daily payout batches: an ISO 20022 pain.001.001.09 credit-transfer file (DKK) and a CSV.

The XML is written here rather than by sepaxml, because sepaxml stamps the current time and random ids
into the file; a batch must be re-issued byte for byte. It is validated against the pain.001.001.09 XSD
that ships with sepaxml. Each claim is paid once: PayoutItem.claim is one-to-one.

One run at a time: a run takes an exclusive lock for its transaction, and a second run started meanwhile
is refused with a PayoutError rather than queued. A new batch's date lies between the latest batch's
date and `MAX_DAYS_AHEAD` days after today; an existing batch is re-issued for any date.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cache
from importlib import resources

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Max, QuerySet
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from lxml import etree

from ajour.accounts.banking import synthetic_iban
from ajour.accounts.models import User
from ajour.claims.models import AuditEvent, Claim, PayoutBatch, PayoutItem
from ajour.claims.workflow import CLAIMS
from ajour.core.csvfiles import csv_bytes

SCHEMA = "pain.001.001.09"
NS = f"urn:iso:std:iso:20022:tech:xsd:{SCHEMA}"
DEBTOR_NAME = "Fonden for Almen Praksis"
MAX_DAYS_AHEAD = 31
"""How far ahead a payout may be dated: a month's runs can be prepared, a typing error in the year
(9999-12-31) cannot mark every cleared claim paid."""
RUN_LOCK_KEY = 0x414A4F5552  # "AJOUR": the PostgreSQL advisory lock held by the running payout run


class PayoutError(Exception):
    """A payout run refused; the message is for the person who asked (the date field on the page)."""


def debtor_iban() -> str:
    """The fund's account; a synthetic one unless AJOUR_PAYOUT_DEBTOR_IBAN is set."""
    return getattr(settings, "AJOUR_PAYOUT_DEBTOR_IBAN", "") or synthetic_iban(1)


@dataclass(frozen=True)
class PayoutFiles:
    batch: PayoutBatch
    xml: bytes
    csv: bytes
    held: int
    """Claims ready to pay but held back because no payee bank account is known."""
    reissued: bool = False
    """The batch existed already: these are its files again, and nothing more was paid."""


def _payee(claim: Claim) -> tuple[str, str]:
    if claim.payee == Claim.Payee.PRACTICE and claim.practice is not None:
        return claim.practice.name, claim.practice.payout_iban
    return claim.claimant.full_name, claim.claimant.payout_iban


def payable_claims(on: date) -> QuerySet[Claim]:
    """Claims cleared for payout, filed on or before `on`, not yet in any batch."""
    return (
        Claim.objects.filter(
            status__in=CLAIMS.sources("pay"), payable_ore__gt=0, payout__isnull=True, filed_on__lte=on
        )
        .select_related("claimant", "practice")
        .order_by("pk")
    )


def run_payouts(*, on: date, by: User | None = None) -> PayoutFiles | None:
    """Builds (or re-issues unchanged) the batch for `on`; None when there is nothing to pay.

    Raises PayoutError while another run is in progress, or for a new batch dated outside the window.
    """
    return _existing(on) or _pay(on, by)


def _existing(on: date) -> PayoutFiles | None:
    batch = PayoutBatch.objects.filter(date=on).first()
    return _files(batch, held=0, reissued=True) if batch is not None else None


def payout_date_error(on: date, *, today: date) -> str:
    """Why a new batch may not be dated `on` ("" when it may): not before the latest batch, whose claims
    it could no longer include in date order, and at most MAX_DAYS_AHEAD days after today."""
    latest = PayoutBatch.objects.aggregate(latest=Max("date"))["latest"]
    if latest is not None and on < latest:
        return _("The payout date cannot be before the latest payout run (%(date)s).") % {
            "date": formats.date_format(latest, "SHORT_DATE_FORMAT")
        }
    last = today + timedelta(days=MAX_DAYS_AHEAD)
    if on > last:
        return _("The payout date can be at most %(days)d days ahead (%(date)s at the latest).") % {
            "days": MAX_DAYS_AHEAD,
            "date": formats.date_format(last, "SHORT_DATE_FORMAT"),
        }
    return ""


def _take_run_lock() -> None:
    """Makes this transaction the only payout run, or refuses at once if another run holds the lock.

    PostgreSQL: a transaction-level advisory lock. SQLite: the IMMEDIATE transaction already holds the
    database's only write lock, so a second run waits for the first and then finds its batch.
    """
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [RUN_LOCK_KEY])
        (taken,) = cursor.fetchone()
    if not taken:
        raise PayoutError(
            _("Another payout run is in progress. Try again when it has finished; no claim is paid twice.")
        )


@transaction.atomic
def _pay(on: date, by: User | None) -> PayoutFiles | None:
    """Take the run lock, check the date, lock the claims, re-check, then pay.

    The payable claims are locked (SELECT … FOR UPDATE) for the whole run, and the run waits for a
    caseworker or claimant who holds one (their transactions last milliseconds) rather than skipping it:
    the services that reject, adjust or appeal a claim lock it too and refuse a paid one, so either their
    change wins (the locked row no longer qualifies and is left out) or the payout does (they are told the
    claim is paid). Skipping would quietly move a claim to a later day's batch. A second run never gets
    this far while the first holds the run lock (`_take_run_lock`), and a run that starts after the
    first committed finds its batch and re-issues it.
    """
    _take_run_lock()
    existing = _existing(on)  # made by a run that committed after this one first looked
    if existing is not None:
        return existing
    refusal = payout_date_error(on, today=timezone.localdate())
    if refusal:
        raise PayoutError(refusal)
    locked = list(payable_claims(on).select_for_update(of=("self",)))
    # Re-read on the locked rows: what committed while the run waited (a rejection, an appeal) is
    # visible now.
    payable = [
        c for c in locked if CLAIMS.allows("pay", c.status, target=Claim.Status.PAID) and c.payable_ore > 0
    ]
    claims = [c for c in payable if _payee(c)[1]]
    if not claims:
        return None
    created = timezone.make_aware(datetime.combine(on, time(6, 0)))
    batch = PayoutBatch.objects.create(
        date=on,
        created_at=created,
        message_id=f"AJOUR-{on:%Y%m%d}",
        transactions=len(claims),
        total_ore=sum(c.payable_ore for c in claims),
        xml_sha256="",
    )
    for claim in claims:
        name, iban = _payee(claim)
        PayoutItem.objects.create(
            batch=batch,
            claim=claim,
            amount_ore=claim.payable_ore,
            creditor_name=name[:140],
            creditor_iban=iban,
        )
        AuditEvent.objects.create(claim=claim, actor=by, action="paid", note=batch.message_id)
    Claim.objects.filter(pk__in=[c.pk for c in claims]).update(status=Claim.Status.PAID)
    files = _files(batch, held=len(payable) - len(claims))
    batch.xml_sha256 = hashlib.sha256(files.xml).hexdigest()
    batch.save(update_fields=["xml_sha256"])
    return files


def _files(batch: PayoutBatch, *, held: int, reissued: bool = False) -> PayoutFiles:
    items = list(batch.items.select_related("claim"))
    return PayoutFiles(
        batch=batch, xml=pain001(batch, items), csv=payout_csv(items), held=held, reissued=reissued
    )


def _amount(ore: int) -> str:
    return f"{ore // 100}.{ore % 100:02d}"


def _el(parent: etree._Element, tag: str, text: str | None = None, **attrs: str) -> etree._Element:
    node = etree.SubElement(parent, f"{{{NS}}}{tag}", **attrs)
    if text is not None:
        node.text = text
    return node


def _path(parent: etree._Element, tags: str, text: str) -> None:
    for tag in tags.split("/"):
        parent = _el(parent, tag)
    parent.text = text


def pain001(batch: PayoutBatch, items: list[PayoutItem]) -> bytes:
    """The batch as a pain.001.001.09 document (credit transfers in DKK), validated against the XSD."""
    root = etree.Element(f"{{{NS}}}Document", nsmap={None: NS})
    initiation = _el(root, "CstmrCdtTrfInitn")
    header = _el(initiation, "GrpHdr")
    _el(header, "MsgId", batch.message_id)
    _el(header, "CreDtTm", timezone.localtime(batch.created_at).strftime("%Y-%m-%dT%H:%M:%S"))
    _el(header, "NbOfTxs", str(len(items)))
    _el(header, "CtrlSum", _amount(sum(i.amount_ore for i in items)))
    _path(header, "InitgPty/Nm", DEBTOR_NAME)
    info = _el(initiation, "PmtInf")
    _el(info, "PmtInfId", batch.message_id)
    _el(info, "PmtMtd", "TRF")
    _el(info, "BtchBookg", "true")
    _el(info, "NbOfTxs", str(len(items)))
    _el(info, "CtrlSum", _amount(sum(i.amount_ore for i in items)))
    _path(info, "ReqdExctnDt/Dt", batch.date.isoformat())
    _path(info, "Dbtr/Nm", DEBTOR_NAME)
    _path(info, "DbtrAcct/Id/IBAN", debtor_iban())
    _path(info, "DbtrAgt/FinInstnId/Othr/Id", "NOTPROVIDED")
    _el(info, "ChrgBr", "SLEV")
    for item in items:
        transfer = _el(info, "CdtTrfTxInf")
        _path(transfer, "PmtId/EndToEndId", item.claim.public_id.hex[:35])
        _el(_el(transfer, "Amt"), "InstdAmt", _amount(item.amount_ore), Ccy="DKK")
        _path(transfer, "Cdtr/Nm", item.creditor_name)
        _path(transfer, "CdtrAcct/Id/IBAN", item.creditor_iban)
        _path(
            transfer,
            "RmtInf/Ustrd",
            f"Ajour {item.claim.public_id.hex[:8]} {item.claim.activity_date:%d.%m.%Y}",
        )
    document: bytes = etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    _schema().assertValid(etree.fromstring(document))
    return document


@cache
def _schema() -> etree.XMLSchema:
    path = resources.files("sepaxml") / "schemas" / f"{SCHEMA}.xsd"
    return etree.XMLSchema(etree.parse(str(path)))


def payout_csv(items: list[PayoutItem]) -> bytes:
    """The same transfers as CSV for bookkeeping (amounts in øre)."""
    header = ["claim", "activity_date", "payee", "iban", "amount_ore"]
    rows = [
        [
            str(item.claim.public_id),
            item.claim.activity_date.isoformat(),
            item.creditor_name,
            item.creditor_iban,
            item.amount_ore,
        ]
        for item in items
    ]
    return csv_bytes([header, *rows])

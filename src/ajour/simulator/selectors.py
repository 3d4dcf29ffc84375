"""Reads for the policy simulator: the stored claims as the rules engine takes them, the account
histories in the order Ajour recorded them, the data window and a snapshot of the data, and the
scenarios saved so far."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date
from typing import Any
from uuid import UUID

from django.db.models import Count, Max, Min, QuerySet, Sum
from django.db.models.fields.json import KT
from django.db.models.functions import ExtractYear

from ajour.accounts.models import Account, Doctor, EmploymentConfirmation, LedgerEntry, TrainingAgreement
from ajour.claims.models import Claim
from ajour.groups.models import DgeGroup
from ajour.rules import ParameterSet, parse_claim
from ajour.rules.replay import (
    FIXED,
    GP_SELF_CHOSEN,
    GP_SYSTEMATIC,
    STAFF,
    TRAINEE,
    AccountHistory,
    Allocation,
    Entry,
    Event,
    Filed,
    Grant,
    Opening,
    Settled,
    YearEnd,
)
from ajour.rules.schema import STUDY_MATERIAL
from ajour.rules.schema import Claim as RulesClaim
from ajour.simulator.models import Scenario
from ajour.stats.services import with_dimensions

CHUNK = 5000
"""Rows per read of claims and ledger entries."""
CLINIC_STAFF = "clinic_staff"
"""The role key of a staff claim: the person educated is a member of the clinic's staff."""


@dataclass(frozen=True)
class Final:
    """What a claim pays and draws, as stored (or as replayed)."""

    outcome: str
    payable_ore: int
    self_chosen_ore: int
    systematic_half_days: int
    staff_ore: int

    @property
    def amounts(self) -> tuple[int, int, int, int]:
        """Payable, and the draws on the self-chosen, systematic and staff accounts."""
        return (self.payable_ore, self.self_chosen_ore, self.systematic_half_days, self.staff_ore)

    @property
    def systematic_ore(self) -> int:
        """Money paid from the fund's systematic stream (fees and expenses of a systematic day)."""
        return self.payable_ore - self.self_chosen_ore - self.staff_ore


@dataclass(frozen=True)
class StoredClaim:
    """A claim decided by the rules engine, as the records show it (its inputs are read apart)."""

    id: int
    activity_year: int
    filed_year: int
    material: bool
    """A study-material claim (its payable counts against the year's material limit)."""
    doctor_id: int
    practice_id: int | None
    """The clinic whose staff account a staff claim draws from; None for a GP's own claim."""
    decided: Final
    """What the rules decided when it was filed."""
    stored: Final
    """What the claim pays now: the decision, or what a caseworker or the steering group settled."""
    settled: bool
    """Settled by hand: it keeps its stored amount in every scenario."""

    @property
    def submission_draws(self) -> int:
        """How many ledger entries the submission booked (one per account drawn from)."""
        return _submission_draws(self.decided)


def _submission_draws(decided: Final) -> int:
    return sum(1 for amount in decided.amounts[1:] if amount)


@dataclass(frozen=True)
class Dimensions:
    """What the simulator's figures are split by (the statistics' dimensions of a claim)."""

    gp_id: int | None
    """The claimant of a GP claim (README: a claim by a GP for the GP's own CME); None otherwise."""
    role: str
    region: str
    provider_kind: str
    category: str


_FIELDS = (
    "pk",
    "activity_date",
    "filed_on",
    "activity_type",
    "claimant_id",
    "practice_id",
    "staff_member_id",
    "status",
    "outcome",
    "payable_ore",
    "drawn_self_chosen_ore",
    "drawn_systematic_half_days",
    "drawn_staff_ore",
    "decided_outcome",
    "decided_payable_ore",
    "decided_self_chosen_ore",
    "decided_systematic_days",
    "decided_staff_ore",
)
_DECIDED = {
    "decided_outcome": KT("decision__outcome"),
    "decided_payable_ore": KT("decision__payable_ore"),
    "decided_self_chosen_ore": KT("decision__draws__self_chosen_ore"),
    "decided_systematic_days": KT("decision__draws__systematic_days"),
    "decided_staff_ore": KT("decision__draws__staff_ore"),
}
"""The stored decision's outcome, payable and draws, read as text (the database extracts them)."""


def replayable() -> QuerySet[Claim]:
    """Claims the rules engine decided (imported history has no recorded inputs)."""
    return Claim.objects.filter(rules_version__regex=r"^[0-9]")


def left_out(*, year: int) -> int:
    """Claims of the year without recorded inputs (imported history): the simulator leaves them out."""
    return Claim.objects.filter(activity_date__year=year).exclude(pk__in=replayable().values("pk")).count()


def stored_claims(*, year: int | None = None) -> dict[int, StoredClaim]:
    """The replayable claims (of activities held in `year`, or all) by id, in the order they were filed."""
    claims = replayable() if year is None else replayable().filter(activity_date__year=year)
    entries = LedgerEntry.objects.filter(claim__isnull=False)
    if year is not None:
        entries = entries.filter(claim__activity_date__year=year)
    counts = dict(entries.values_list("claim_id").annotate(n=Count("pk")).values_list("claim_id", "n"))
    rows = claims.annotate(**_DECIDED).order_by("pk").values_list(*_FIELDS)
    return {
        row[0]: _stored(dict(zip(_FIELDS, row, strict=True)), counts.get(row[0], 0))
        for row in rows.iterator(chunk_size=CHUNK)
    }


def _settled_outcome(status: str, decided: str, payable: int) -> str:
    """The outcome of a claim settled by hand: rejected if a caseworker or the steering group rejected it;
    approved if an appeal made a rejected decision pay; else the decision's."""
    if status == Claim.Status.REJECTED or payable == 0:
        return "rejected"
    return "approved" if decided == "rejected" else decided


def _stored(row: dict[str, Any], entries: int) -> StoredClaim:
    decided = Final(
        outcome=str(row["decided_outcome"]),
        payable_ore=int(row["decided_payable_ore"]),
        self_chosen_ore=int(row["decided_self_chosen_ore"]),
        systematic_half_days=round(2 * float(row["decided_systematic_days"])),
        staff_ore=int(row["decided_staff_ore"]),
    )
    stored = Final(
        outcome=row["outcome"],
        payable_ore=row["payable_ore"],
        self_chosen_ore=row["drawn_self_chosen_ore"],
        systematic_half_days=row["drawn_systematic_half_days"],
        staff_ore=row["drawn_staff_ore"],
    )
    settled = (
        entries > _submission_draws(decided)
        or (row["status"] == Claim.Status.REJECTED and decided.outcome != "rejected")
        or stored.amounts != decided.amounts
    )
    if settled:
        stored = replace(stored, outcome=_settled_outcome(row["status"], decided.outcome, stored.payable_ore))
    staff = row["staff_member_id"] is not None
    return StoredClaim(
        id=row["pk"],
        activity_year=row["activity_date"].year,
        filed_year=row["filed_on"].year,
        material=row["activity_type"] == STUDY_MATERIAL,
        doctor_id=row["claimant_id"],
        practice_id=row["practice_id"] if staff else None,
        decided=decided,
        stored=stored,
        settled=settled,
    )


_DIMENSION_FIELDS = (
    "pk",
    "claimant_id",
    "staff_member_id",
    "claimant__role",
    "gp_claim",
    "region_code",
    "provider_kind",
    "category",
)


def dimensions(*, year: int) -> dict[int, Dimensions]:
    """The dimensions of the replayable claims of activities held in `year`, by claim id."""
    rows = with_dimensions(replayable().filter(activity_date__year=year)).values_list(*_DIMENSION_FIELDS)
    return {
        pk: Dimensions(
            gp_id=doctor if gp_claim else None,
            role=CLINIC_STAFF if staff is not None else role,
            region=region,
            provider_kind=provider_kind,
            category=category,
        )
        for pk, doctor, staff, role, gp_claim, region, provider_kind, category in rows.iterator(
            chunk_size=CHUNK
        )
    }


def claim_inputs(ids: Iterable[int]) -> dict[int, RulesClaim]:
    """The stored `ajour.claim/1` inputs of the given claims, parsed for the rules engine."""
    wanted = sorted(ids)
    found = {}
    for start in range(0, len(wanted), CHUNK):
        rows = Claim.objects.filter(pk__in=wanted[start : start + CHUNK]).values_list("pk", "inputs")
        for pk, inputs in rows:
            found[pk] = parse_claim(inputs)
    return found


# --- account histories --------------------------------------------------------------------------------

_ALLOCATION_KEY = re.compile(r"alloc:(\d+):(doctor|agreement|practice):(\d+):(.+)")
_CLOSE_KEY = re.compile(r"close:(\d+):")

Position = tuple[int, int]
"""Where an event lies in the order Ajour recorded it: (ledger entry id, claim id for a claim that
booked nothing, else 0)."""


@dataclass
class _Holders:
    """Which holder (a GP, or a clinic for its staff account) each account belongs to."""

    of_account: dict[int, tuple[str, int]]
    by_doctor: dict[tuple[int, str], int]
    by_practice: dict[int, int]

    @staticmethod
    def read() -> _Holders:
        holders = _Holders({}, {}, {})
        rows = Account.objects.values_list("pk", "doctor_id", "practice_id", "kind")
        for pk, doctor_id, practice_id, kind in rows:
            if doctor_id is not None:
                holders.of_account[pk] = ("doctor", doctor_id)
                holders.by_doctor[(doctor_id, kind)] = pk
            else:
                holders.of_account[pk] = ("practice", practice_id)
                holders.by_practice[practice_id] = pk
        return holders

    def of_claim(self, claim: StoredClaim) -> tuple[str, int]:
        if claim.practice_id is not None:
            return ("practice", claim.practice_id)
        return ("doctor", claim.doctor_id)

    def filed(self, claim: StoredClaim, inputs: RulesClaim) -> Filed:
        if claim.practice_id is not None:
            staff = self.by_practice.get(claim.practice_id)
            return Filed(ref=claim.id, claim=inputs, activity_year=claim.activity_year, staff=staff)
        return Filed(
            ref=claim.id,
            claim=inputs,
            activity_year=claim.activity_year,
            self_chosen=self.by_doctor.get((claim.doctor_id, Account.Kind.SELF_CHOSEN)),
            systematic=self.by_doctor.get((claim.doctor_id, Account.Kind.SYSTEMATIC)),
        )


class _Grants:
    """Explains an allocation entry by the rule that booked it (`rules.yearly`), or keeps it as booked."""

    def __init__(self) -> None:
        self.roles = dict(Doctor.objects.values_list("pk", "role"))
        self.shares = {
            (doctor_id, year): share
            for doctor_id, year, share in EmploymentConfirmation.objects.filter(
                status=EmploymentConfirmation.Status.CONFIRMED
            ).values_list("doctor_id", "year", "share_percent")
        }
        self.phases = dict(TrainingAgreement.objects.values_list("pk", "phase"))
        self.default = ParameterSet.default()

    def grant(self, key: str | None, year: int, amount: int) -> Grant:
        found = _ALLOCATION_KEY.fullmatch(key or "")
        grant = Grant(FIXED, amount=amount)
        if found is not None:
            holder, holder_id, detail = found[2], int(found[3]), found[4]
            if holder == "doctor" and holder_id in self.roles:
                role = self.roles[holder_id]
                share = self.shares.get((holder_id, year), 100) if role == Doctor.Role.GP_EMPLOYED else 100
                kind = GP_SELF_CHOSEN if detail == Account.Kind.SELF_CHOSEN else GP_SYSTEMATIC
                grant = Grant(kind, role=role, share_percent=share)
            elif holder == "agreement" and holder_id in self.phases:
                grant = Grant(TRAINEE, role=self.phases[holder_id], period_start=date.fromisoformat(detail))
            elif holder == "practice":
                per_capacity = Grant(STAFF, capacities=1).amount_under(self.default, year)
                if per_capacity > 0 and amount % per_capacity == 0:
                    grant = Grant(STAFF, capacities=amount // per_capacity)
        if grant.amount_under(self.default, year) != amount:
            return Grant(FIXED, amount=amount)  # booked by another rule than today's records explain
        return grant


@dataclass(frozen=True)
class _Draw:
    """A claim's submission draw: in an opening it is booked as recorded; after it, the claim's `Filed`
    event books the draws it decides."""

    ref: int
    account: int
    drawn: int


@dataclass(frozen=True)
class _CloseEntry:
    """An entry of a year-end close: in an opening it is booked as recorded; after it, the close's
    `YearEnd` event books what the replayed balances give."""


@dataclass
class _Recorded:
    """One event as the records show it, before the split into opening and replay."""

    at: Position
    holder: tuple[str, int]
    year: int
    event: Event | StoredClaim | _Draw | _CloseEntry
    """A claim is kept as its record until it is known to be replayed (its inputs are then read)."""
    entry: tuple[int, int, int, bool, bool] | None = None
    """A ledger entry's (account, year, amount, allocation?, counts in the cap?), for the opening."""


def account_histories(*, start: date | None = None) -> tuple[list[AccountHistory], dict[int, StoredClaim]]:
    """Every holder's history, and every replayable claim by id.

    The order is the ledger's: each entry's id, a claim at its first draw, and a claim that drew nothing
    right after the claim filed before it. A year-end close stands where its first entry stands, for every
    holder. Allocations are explained by their rule where the records allow, so a reform recomputes them;
    corrections are kept as booked; a claim's later entries are settlements.

    With `start` (the first date a reform changes), the events before the first event of `start`'s year
    or later read parameters of earlier years only, so the reform decides and books them as recorded:
    they make each history's opening (`rules.replay.Opening`), and only the claims after it are read and
    decided again. Without `start`, every history is replayed from the beginning of the records.
    """
    holders = _Holders.read()
    claims = stored_claims()
    recorded, closes = _recorded(claims, holders)
    split = (0, 0)
    if start is not None:
        split = min((item.at for item in recorded if item.year >= start.year), default=(1 << 62, 0))
    openings: dict[tuple[str, int], _OpeningBuilder] = {}
    later: list[_Recorded] = []
    for item in recorded:
        if item.at < split:
            openings.setdefault(item.holder, _OpeningBuilder(holders)).add(item)
        elif isinstance(item.event, StoredClaim | Allocation | Entry | Settled):
            later.append(item)
    inputs = claim_inputs(item.event.id for item in later if isinstance(item.event, StoredClaim))
    events: dict[tuple[str, int], list[tuple[Position, Event]]] = defaultdict(list)
    for item in later:
        event = item.event
        if isinstance(event, StoredClaim):
            events[item.holder].append((item.at, holders.filed(event, inputs[event.id])))
        elif isinstance(event, Allocation | Entry | Settled):
            events[item.holder].append((item.at, event))
    year_ends = [(at, YearEnd(year)) for year, at in closes.items() if at >= split]
    histories = []
    for holder in events.keys() | openings.keys():
        found = events.get(holder, []) + year_ends
        found.sort(key=lambda pair: pair[0])
        opening = openings[holder].opening() if holder in openings else Opening()
        histories.append(AccountHistory(tuple(event for _at, event in found), opening))
    return histories, claims


def _recorded(
    claims: dict[int, StoredClaim], holders: _Holders
) -> tuple[list[_Recorded], dict[int, Position]]:
    """Every event with its position, and the position of each year's close (all its entries stand there)."""
    grants = _Grants()
    recorded: list[_Recorded] = []
    closes: dict[int, Position] = {}
    seen: dict[int, int] = defaultdict(int)
    anchors: dict[int, int] = {}
    drawn: dict[tuple[int, int], int] = defaultdict(int)
    entries = LedgerEntry.objects.order_by("pk").values_list(
        "pk", "account_id", "kind", "amount", "year", "claim_id", "idempotency_key"
    )
    for pk, account, kind, amount, year, claim_id, key in entries.iterator(chunk_size=CHUNK):
        holder = holders.of_account[account]
        at = (pk, 0)
        allocation = kind == LedgerEntry.Kind.ALLOCATION
        in_cap = allocation or (kind == LedgerEntry.Kind.CORRECTION and key is not None)
        entry = (account, year, amount, allocation, in_cap)
        event: Event | _Draw | _CloseEntry
        if claim_id is not None and claim_id in claims:
            stored = claims[claim_id]
            seen[claim_id] += 1
            drawn[(claim_id, account)] -= amount
            if seen[claim_id] <= stored.submission_draws:
                anchors.setdefault(claim_id, pk)
                event = _Draw(claim_id, account, drawn[(claim_id, account)])
            else:
                event = Settled(
                    ref=claim_id,
                    account=account,
                    year=year,
                    drawn=drawn[(claim_id, account)],
                    payable_ore=stored.stored.payable_ore,
                    live=stored.stored.outcome != "rejected",
                )
        elif allocation:
            event = Allocation(account, year, grants.grant(key, year, amount))
        elif kind in (LedgerEntry.Kind.FORFEIT, LedgerEntry.Kind.CARRY_OVER) and (
            found := _CLOSE_KEY.match(key or "")
        ):
            closed = int(found[1])
            recorded.append(_Recorded(closes.setdefault(closed, at), holder, closed, _CloseEntry(), entry))
            continue
        else:
            event = Entry(account, year, amount, in_cap=in_cap)
        recorded.append(_Recorded(at, holder, year, event, entry))
    previous = 0
    for claim_id, stored in claims.items():  # in id (filing) order
        if claim_id in anchors:
            previous = anchors[claim_id]
        at = (previous, 0 if claim_id in anchors else claim_id)
        recorded.append(_Recorded(at, holders.of_claim(stored), stored.filed_year, stored))
    return recorded, closes


class _OpeningBuilder:
    """Sums a holder's events before the split into its opening, as the records show them."""

    def __init__(self, holders: _Holders) -> None:
        self.holders = holders
        self.ledger: dict[tuple[int, int], int] = defaultdict(int)
        self.capped: dict[tuple[int, int], int] = defaultdict(int)
        self.allocated: dict[tuple[int, int], int] = defaultdict(int)
        self.draws: dict[tuple[int, int], int] = {}
        self.material: dict[int, tuple[int, int, int]] = {}

    def add(self, item: _Recorded) -> None:
        event = item.event
        if item.entry is not None:
            account, year, amount, allocation, in_cap = item.entry
            self.ledger[(account, year)] += amount
            if in_cap:
                self.capped[(account, year)] += amount
            if allocation:
                self.allocated[(account, year)] += amount
        if isinstance(event, _Draw | Settled):
            self.draws[(event.ref, event.account)] = event.drawn
        if isinstance(event, Settled) and event.ref in self.material:
            account, year, _amount = self.material[event.ref]
            self.material[event.ref] = (account, year, event.payable_ore if event.live else 0)
        elif isinstance(event, StoredClaim) and event.material and event.decided.outcome != "rejected":
            self_chosen = self.holders.by_doctor.get((event.doctor_id, Account.Kind.SELF_CHOSEN))
            if self_chosen is not None:
                self.material[event.id] = (self_chosen, event.activity_year, event.decided.payable_ore)

    def opening(self) -> Opening:
        return Opening(
            ledger=dict(self.ledger),
            capped=dict(self.capped),
            allocated=dict(self.allocated),
            draws=self.draws,
            material=self.material,
        )


def stored_balances() -> dict[tuple[int, int], int]:
    """Σ ledger entries per (account, year): what a replay with the shipped rules must reproduce."""
    rows = LedgerEntry.objects.values("account_id", "year").annotate(total=Sum("amount"))
    return {(row["account_id"], row["year"]): int(row["total"]) for row in rows}


def stored_forfeits(*, year: int) -> dict[int, int]:
    """Forfeited at the close of `year`, per account (positive)."""
    rows = (
        LedgerEntry.objects.filter(kind=LedgerEntry.Kind.FORFEIT, year=year)
        .values("account_id")
        .annotate(total=Sum("amount"))
    )
    return {row["account_id"]: -int(row["total"]) for row in rows}


def account_kinds() -> dict[int, tuple[str, int | None]]:
    """Each account's kind and, for a GP's account, the doctor."""
    return {
        pk: (kind, doctor_id)
        for pk, kind, doctor_id in Account.objects.values_list("pk", "kind", "doctor_id")
    }


# --- the data --------------------------------------------------------------------------------------------


def data_years() -> tuple[int, int] | None:
    """The first and last year an activity was claimed for (None without claims)."""
    found = replayable().aggregate(first=Min("activity_date"), last=Max("activity_date"))
    if found["first"] is None:
        return None
    return found["first"].year, found["last"].year


def claim_years() -> list[int]:
    """Years with replayable claims, newest first."""
    years = replayable().annotate(y=ExtractYear("activity_date")).values_list("y", flat=True).distinct()
    return sorted(set(years), reverse=True)


def snapshot() -> dict[str, int]:
    """What identifies the data a scenario ran on: claims and ledger entries (count, highest id, sum)."""
    claims = Claim.objects.aggregate(count=Count("pk"), max_id=Max("pk"), paid=Sum("payable_ore"))
    ledger = LedgerEntry.objects.aggregate(count=Count("pk"), max_id=Max("pk"), total=Sum("amount"))
    return {
        "claims": claims["count"],
        "max_claim_id": claims["max_id"] or 0,
        "claims_payable_ore": int(claims["paid"] or 0),
        "ledger_entries": ledger["count"],
        "max_ledger_id": ledger["max_id"] or 0,
        "ledger_sum": int(ledger["total"] or 0),
    }


def dge_groups(*, year: int) -> tuple[int, int]:
    """DGE groups founded by `year` and the Σ of their recorded yearly grants (øre)."""
    found = DgeGroup.objects.filter(founded_year__lte=year).aggregate(
        n=Count("pk"), total=Sum("yearly_grant_ore")
    )
    return found["n"], int(found["total"] or 0)


# --- scenarios -----------------------------------------------------------------------------------------


def scenarios() -> QuerySet[Scenario]:
    """Saved scenarios, newest first, without their per-claim rows."""
    return Scenario.objects.defer("claim_rows").select_related("author").order_by("-created_at", "-pk")


def claims_by_id(ids: list[int]) -> dict[int, Claim]:
    """The claims of a drill-down page, with what the list shows of them."""
    found = Claim.objects.filter(pk__in=ids).select_related("claimant", "instance__activity")
    return {claim.pk: claim for claim in found}


def scenario(*, public_id: UUID) -> Scenario | None:
    return Scenario.objects.select_related("author").filter(public_id=public_id).first()

"""Replaying stored claims under other parameters: the policy simulator's two modes.

Both modes go through the one decision function, :func:`ajour.rules.decide`; behaviour is held fixed
(the same claims for the same activities, filed on the same days).

- **Per claim** (:func:`replay_claims`): each stored claim is decided again exactly as it was filed
  (the balances and the allocation it had), under the reform's parameters.
- **Per account** (:func:`replay_accounts`): each holder's history is replayed in the order Ajour
  recorded it (allocations, claims in filing order, hand corrections, year-end closes), so that a
  reform that changes a balance also changes the decisions after it. Allocations are recomputed from
  the reform's parameters (:mod:`ajour.rules.yearly`), claims decided on the replayed balances, and each
  close carries over and forfeits by the reform's rules. What people decided by hand is kept: a
  correction keeps its amount, and a claim a caseworker or the steering group settled (adjusted,
  rejected, appeal upheld) draws what they settled from the moment they did.

With the shipped parameters, both reproduce the records exactly: every stored decision (per claim) and
every ledger balance per account and year (per account). The tests prove it on the demo data.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from ajour.rules import yearly
from ajour.rules.decide import REJECTED, Decision, decide
from ajour.rules.parameters import ParameterSet
from ajour.rules.schema import STUDY_MATERIAL, Balances, Claim


def replay_claims(claims: Sequence[Claim], parameters: ParameterSet) -> list[Decision]:
    """Per claim: each claim decided as it was filed (its own balances and allocation)."""
    return [decide(claim, parameters) for claim in claims]


# --- the events of an account history -----------------------------------------------------------------

GP_SELF_CHOSEN = "gp_self_chosen"
GP_SYSTEMATIC = "gp_systematic"
TRAINEE = "trainee"
STAFF = "staff"
FIXED = "fixed"


@dataclass(frozen=True, slots=True)
class Grant:
    """How an allocation's amount follows from the parameters (``rules.yearly``).

    ``gp_self_chosen`` and ``gp_systematic``: a GP's yearly allocation (``role``, ``share_percent``);
    ``trainee``: one training-agreement period (``role`` is the phase, ``period_start``); ``staff``: a
    clinic's staff account (``capacities``); ``fixed``: an amount kept as booked (``amount``), for an
    allocation the records cannot explain by these rules."""

    kind: str
    role: str = ""
    share_percent: int = 100
    period_start: date | None = None
    capacities: int = 0
    amount: int = 0

    def amount_under(self, parameters: ParameterSet, year: int) -> int:
        if self.kind in (GP_SELF_CHOSEN, GP_SYSTEMATIC):
            money, days = yearly.gp_allocation(
                parameters, role=self.role, year=year, share_percent=self.share_percent
            )
            return money if self.kind == GP_SELF_CHOSEN else days
        if self.kind == TRAINEE:
            assert self.period_start is not None
            return yearly.trainee_allocation(parameters, phase=self.role, period_start=self.period_start)
        if self.kind == STAFF:
            return yearly.staff_allocation(parameters, capacities=self.capacities, year=year)
        return self.amount

    @property
    def books_nothing_when_zero(self) -> bool:
        """The allocation run books a GP's allocation only when it is above zero."""
        return self.kind in (GP_SELF_CHOSEN, GP_SYSTEMATIC)


@dataclass(frozen=True, slots=True)
class Allocation:
    """An allocation booked on `account` for `year`."""

    account: int
    year: int
    grant: Grant


@dataclass(frozen=True, slots=True)
class Filed:
    """A claim filed: decided on the balances of the accounts it names, its draws booked in the filing
    year. `None` for an account the claim does not draw from (a staff claim's claimant accounts, or an
    account never opened): the balance stored with the claim is used."""

    ref: int
    """The claim's id."""
    claim: Claim
    """The claim as stored (its ``ajour.claim/1`` inputs); balances and allocation are replaced."""
    activity_year: int
    self_chosen: int | None = None
    systematic: int | None = None
    staff: int | None = None


@dataclass(frozen=True, slots=True)
class Settled:
    """A claim settled by hand (caseworker adjustment or rejection, appeal): from here on it draws
    `drawn` on `account` (as the records show after this entry), the change booked in `year`."""

    ref: int
    account: int
    year: int
    drawn: int
    payable_ore: int
    """What the claim pays after the settlement."""
    live: bool
    """False when the settlement rejected the claim."""


@dataclass(frozen=True, slots=True)
class Entry:
    """An entry booked by hand (a correction), kept as booked; a keyed correction of the allocation
    (pro-rating) counts in the carry-over cap."""

    account: int
    year: int
    amount: int
    in_cap: bool = False


@dataclass(frozen=True, slots=True)
class YearEnd:
    """The year-end close of `year`, for every account of the history."""

    year: int


Event = Allocation | Filed | Settled | Entry | YearEnd


@dataclass(frozen=True, slots=True)
class Opening:
    """Where a history starts: what the records show just before its first event. A replay need not
    start at the beginning of the records: before the first date a reform changes, every event is
    decided and booked as recorded, so its history may start there from the recorded balances."""

    ledger: Mapping[tuple[int, int], int] = field(default_factory=dict)
    """Σ entries per (account, year)."""
    capped: Mapping[tuple[int, int], int] = field(default_factory=dict)
    """Per (account, year), the allocation the carry-over cap is counted from."""
    allocated: Mapping[tuple[int, int], int] = field(default_factory=dict)
    """Allocations booked per (account, year)."""
    draws: Mapping[tuple[int, int], int] = field(default_factory=dict)
    """Per (claim, account), what a claim settled later draws now."""
    material: Mapping[int, tuple[int, int, int]] = field(default_factory=dict)
    """Per study-material claim: (self-chosen account, activity year, amount paid now)."""


@dataclass(frozen=True, slots=True)
class AccountHistory:
    """One holder's accounts (a GP's self-chosen and systematic accounts, or a clinic's staff account)
    and their events in the order Ajour recorded them, from `opening`. Holders' histories are
    independent."""

    events: tuple[Event, ...]
    opening: Opening = field(default_factory=Opening)


@dataclass
class AccountReplay:
    """What a per-account replay decided and booked."""

    decisions: dict[int, Decision] = field(default_factory=dict)
    """By claim id."""
    balances: dict[tuple[int, int], int] = field(default_factory=dict)
    """Σ entries booked per (account, year), as the ledger groups them."""
    allocated: dict[tuple[int, int], int] = field(default_factory=dict)
    """Allocations booked per (account, year)."""
    forfeited: dict[tuple[int, int], int] = field(default_factory=dict)
    """Forfeited per (account, year) at that year's close (positive)."""


def replay_accounts(histories: Iterable[AccountHistory], parameters: ParameterSet) -> AccountReplay:
    """Per account: every history replayed in order under `parameters`."""
    result = AccountReplay()
    for history in histories:
        _Replay(parameters, result, history.opening).run(history.events)
    return result


class _Replay:
    """One history's balances as it is replayed; writes into the shared result."""

    def __init__(self, parameters: ParameterSet, result: AccountReplay, opening: Opening) -> None:
        self.parameters = parameters
        self.result = result
        self.ledger: dict[int, dict[int, int]] = defaultdict(lambda: defaultdict(int))
        """Per account, Σ entries per year."""
        for (account, year), amount in opening.ledger.items():
            self._book(account, year, amount)
        self.capped: dict[tuple[int, int], int] = defaultdict(int, opening.capped)
        """Per (account, year), the allocation the carry-over cap is counted from."""
        result.allocated.update(opening.allocated)
        self.draws: dict[tuple[int, int], int] = dict(opening.draws)
        """Per (claim, account), what the claim draws now."""
        self.material_of: dict[int, tuple[int, int, int]] = dict(opening.material)
        """Per study-material claim: (account, year, amount counted)."""
        self.material: dict[tuple[int, int], int] = defaultdict(int)
        """Per (self-chosen account, year), study material paid."""
        for account, year, amount in opening.material.values():
            self.material[(account, year)] += amount

    def run(self, events: Iterable[Event]) -> None:
        for event in events:
            if isinstance(event, Filed):
                self._file(event)
            elif isinstance(event, Allocation):
                self._allocate(event)
            elif isinstance(event, Settled):
                self._settle(event)
            elif isinstance(event, Entry):
                self._book(event.account, event.year, event.amount)
                if event.in_cap:
                    self.capped[(event.account, event.year)] += event.amount
            else:
                self._close(event.year)

    def _book(self, account: int, year: int, amount: int) -> None:
        self.ledger[account][year] += amount
        key = (account, year)
        self.result.balances[key] = self.result.balances.get(key, 0) + amount

    def _held(self, account: int | None) -> int | None:
        return None if account is None else sum(self.ledger[account].values())

    def _allocate(self, event: Allocation) -> None:
        amount = event.grant.amount_under(self.parameters, event.year)
        if amount <= 0 and event.grant.books_nothing_when_zero:
            return
        self._book(event.account, event.year, amount)
        key = (event.account, event.year)
        self.capped[key] += amount
        self.result.allocated[key] = self.result.allocated.get(key, 0) + amount

    def _file(self, event: Filed) -> None:
        claim = event.claim
        stored = claim.balances
        self_chosen, systematic, staff = (
            self._held(event.self_chosen),
            self._held(event.systematic),
            self._held(event.staff),
        )
        material_key = (event.self_chosen or 0, event.activity_year)
        is_material = claim.activity.type == STUDY_MATERIAL and event.self_chosen is not None
        balances = Balances(
            self_chosen_ore=stored.self_chosen_ore if self_chosen is None else self_chosen,
            systematic_half_days=stored.systematic_half_days if systematic is None else systematic,
            staff_ore=stored.staff_ore if staff is None else staff,
            material_used_ore=self.material[material_key] if is_material else stored.material_used_ore,
        )
        claimant = claim.claimant
        if event.self_chosen is not None:
            allocation = self.result.allocated.get((event.self_chosen, event.activity_year))
            claimant = claimant._replace(annual_allocation_ore=allocation)
        decision = decide(claim._replace(balances=balances, claimant=claimant), self.parameters)
        self.result.decisions[event.ref] = decision
        year = claim.filed_on.year
        for account, amount in (
            (event.self_chosen, decision.self_chosen_ore),
            (event.systematic, decision.systematic_half_days),
            (event.staff, decision.staff_ore),
        ):
            if account is not None and amount:
                self._book(account, year, -amount)
                self.draws[(event.ref, account)] = amount
        if is_material and decision.outcome != REJECTED:
            self.material[material_key] += decision.payable_ore
            self.material_of[event.ref] = (*material_key, decision.payable_ore)

    def _settle(self, event: Settled) -> None:
        drawn_now = self.draws.get((event.ref, event.account), 0)
        self._book(event.account, event.year, drawn_now - event.drawn)
        self.draws[(event.ref, event.account)] = event.drawn
        counted = self.material_of.get(event.ref)
        if counted is not None:
            account, year, amount = counted
            now = event.payable_ore if event.live else 0
            self.material[(account, year)] += now - amount
            self.material_of[event.ref] = (account, year, now)

    def _close(self, year: int) -> None:
        for account, by_year in self.ledger.items():
            if not any(entry_year <= year for entry_year in by_year):
                continue
            balance = sum(amount for entry_year, amount in by_year.items() if entry_year <= year)
            cap = yearly.carry_over_cap(self.parameters, year=year, allocation=self.capped[(account, year)])
            available = sum(by_year.values())
            lost = yearly.forfeited(balance=balance, cap=cap, available=available)
            kept = yearly.carried(balance=balance, cap=cap)
            if lost:
                self._book(account, year, -lost)
                key = (account, year)
                self.result.forfeited[key] = self.result.forfeited.get(key, 0) + lost
            if kept:
                self._book(account, year, -kept)
                self._book(account, year + 1, kept)

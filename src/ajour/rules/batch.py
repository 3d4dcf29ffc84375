"""Many claims at once, for the policy simulator: the same decisions as :func:`ajour.rules.decide`.

``decide()`` is the one truth; this module computes what the simulator aggregates from it, for whole
columns of claims with numpy, and ``tests/rules/test_batch.py`` proves it equal to ``decide()`` claim
by claim (every scenario, generated and Hypothesis claims, reforms, both modes below). Per claim it
gives the outcome, the approved amount of each line kind and account (:data:`LINE_SLOTS`), the draws,
the reason codes (a bit mask over :data:`ajour.rules.decide.REASON_CODES`), the code that rejected it
and its half course days. Texts, day lists and ``parameters_used`` are not computed: a claim whose
explanation is wanted goes through ``decide()``.

Two modes:

- **per claim** (:func:`decide_claims`): every claim on the balances it carries, in one pass;
- **per account** (:func:`decide_in_order`): the balances come from a :class:`Ledger` and each claim's
  draws are booked before the next claim on the same accounts is decided, in the order given (filing
  order). Claims on different accounts are decided together: claim *i* goes in round
  1 + the round of the latest earlier claim sharing an account with it, and each round is one
  vectorised step.

Everything that does not depend on balances (day classes, rejections, caps, fee amounts) is worked out
once per batch; each round only draws systematic days, cuts lines to the balances and sets the outcome.
Amounts are integer øre in ``int64``: claims with amounts of 10**13 øre or more are refused (decide
those one by one).
"""

from __future__ import annotations

import dataclasses
import functools
import gc
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from itertools import chain
from operator import attrgetter
from typing import NamedTuple, ParamSpec, TypeVar

import numpy as np
import numpy.typing as npt

from ajour.rules.calendar import public_holidays
from ajour.rules.days import FULL, HALF, HALVES_BY_CLASS, MEETING, NONE, course_day_halves
from ajour.rules.decide import (
    APPROVED,
    DOCTOR_CAPS,
    FEES,
    LAEGEDAGE_CAPS,
    REASON_CODES,
    REDUCED,
    REJECTED,
    SELF_CHOSEN,
    STAFF,
    STAFF_CAPS,
    SYSTEMATIC,
    SYSTEMATIC_APPROVALS,
    SYSTEMATIC_FEE,
    Caps,
    Decision,
    Prices,
)
from ajour.rules.parameters import ParameterSet, Snapshot
from ajour.rules.schema import (
    ACTIVITY_TYPES,
    APPROVALS,
    PROFESSIONS,
    ROLES,
    STAFF_TYPES,
    STUDY_MATERIAL,
    Claim,
    parse_claim,
)

P = ParamSpec("P")
R = TypeVar("R")
Ints = npt.NDArray[np.int64]
Bools = npt.NDArray[np.bool_]
Floats = npt.NDArray[np.float64]

OUTCOMES = (APPROVED, REDUCED, REJECTED)
"""``BatchResult.outcome`` indexes this."""
LINE_SLOTS: tuple[tuple[str, str], ...] = (
    ("fee", SYSTEMATIC),
    ("fee", SELF_CHOSEN),
    ("lost_earnings", STAFF),
    ("course_fee", SYSTEMATIC),
    ("course_fee", SELF_CHOSEN),
    ("course_fee", STAFF),
    ("transport", SYSTEMATIC),
    ("transport", SELF_CHOSEN),
    ("transport", STAFF),
    ("material", SELF_CHOSEN),
)
"""(line item, account) of each column of ``BatchResult.line_ore``."""
MAX_ORE = 10**13
"""Amounts from here on do not fit the batch's int64 arithmetic (products with shares and rates)."""

_SLOT = {slot: index for index, slot in enumerate(LINE_SLOTS)}
_ON_ACCOUNT = {
    account: [slot for slot, (_item, on) in enumerate(LINE_SLOTS) if on == account]
    for account in (SELF_CHOSEN, STAFF)
}
_BIT = {code: 1 << index for index, code in enumerate(REASON_CODES)}
_ROLE = {role: index for index, role in enumerate(ROLES)}
_TYPE = {name: index for index, name in enumerate(ACTIVITY_TYPES)}
_APPROVAL = {approval: index for index, approval in enumerate(APPROVALS)}
_PROFESSION = {profession: index for index, profession in enumerate(PROFESSIONS)}
_CLASSES = (NONE, FULL, HALF, MEETING)
"""Day classes as small integers (index into this tuple)."""
_HALVES = np.array([HALVES_BY_CLASS[day_class] for day_class in _CLASSES], np.int64)
_EPOCH = date(1970, 1, 1).toordinal()
"""Dates are proleptic ordinals (``date.toordinal()``); numpy's day numbers count from 1970-01-01."""


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pauses Python's cyclic garbage collector, for bulk work that keeps many new objects alive
    (reading and parsing a year of claims): no reference cycles are made, and each full collection
    would walk every object kept so far, which costs more than the work itself."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def years_of(ordinals: Ints) -> Ints:
    """The calendar year of each date (as an ordinal)."""
    return (ordinals - _EPOCH).astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64) + 1970


def _paused(function: Callable[P, R]) -> Callable[P, R]:
    """Runs ``function`` with the collector paused (the batch keeps many objects and makes no cycles)."""

    @functools.wraps(function)
    def paused(*args: P.args, **kwargs: P.kwargs) -> R:
        with collector_paused():
            return function(*args, **kwargs)

    return paused


def parse_claims(documents: Iterable[object]) -> list[Claim]:
    """``parse_claim`` on each document (raising :class:`ajour.rules.InvalidClaim` on the first
    invalid one), with the collector paused."""
    with collector_paused():
        return [parse_claim(document) for document in documents]


@dataclass(frozen=True, slots=True)
class ClaimColumns:
    """Parsed claims as columns, the batch's input. Dates are ordinals (``date.toordinal()``), 0 for
    none; roles, types, approvals and professions index the tuples of :mod:`ajour.rules.schema`."""

    filed_on: Ints
    role: Ints
    has_account: Bools
    allocation_ore: Ints
    """-1: the role's table value (``annual_allocation_ore`` null)."""
    self_chosen_ore: Ints
    systematic_half_days: Ints
    staff_ore: Ints
    material_used_ore: Ints
    activity_type: Ints
    approval: Ints
    laegedage: Bools
    practice_purchase: Bools
    purchased_on: Ints
    account_auto: Bools
    course_fee_ore: Ints
    transport_ore: Ints
    material_ore: Ints
    profession: Ints
    """-1: no staff member."""
    weekly_hours: Floats
    day_claim: Ints
    """For each attended day (claims in order, each claim's days in date order): its claim."""
    day_date: Ints
    day_start: Ints
    day_end: Ints
    day_break: Ints

    def __len__(self) -> int:
        return len(self.filed_on)

    def take(self, index: Ints) -> ClaimColumns:
        """The claims at ``index``, in that order, with their days (e.g. one year of a history)."""
        counts = np.bincount(self.day_claim, minlength=len(self))
        starts = np.cumsum(counts) - counts
        chosen = counts[index]
        before = np.cumsum(chosen) - chosen
        days = np.repeat(starts[index] - before, chosen) + np.arange(int(chosen.sum()))
        fields: dict[str, object] = {}
        for field in dataclasses.fields(self):
            column = getattr(self, field.name)
            fields[field.name] = column[days] if field.name.startswith("day_") else column[index]
        fields["day_claim"] = np.repeat(np.arange(len(index), dtype=np.int64), chosen)
        return ClaimColumns(**fields)  # type: ignore[arg-type]

    @staticmethod
    @_paused
    def from_claims(claims: Sequence[Claim]) -> ClaimColumns:
        count = len(claims)
        claimants = list(map(_get_claimant, claims))
        balances = list(map(_get_balances, claims))
        activities = list(map(_get_activity, claims))
        expenses = list(map(_get_expenses, claims))
        staff = list(map(_get_staff, claims))
        attended = list(map(_get_attended, activities))
        days = list(chain.from_iterable(attended))
        try:
            columns = ClaimColumns(
                filed_on=_ints(map(date.toordinal, map(_get_filed_on, claims)), count),
                role=_ints(map(_ROLE.__getitem__, map(_get_role, claimants)), count),
                has_account=_bools(map(_get_has_account, claimants), count),
                allocation_ore=_ints(
                    (-1 if ore is None else ore for ore in map(_get_allocation, claimants)), count
                ),
                self_chosen_ore=_ints(map(_get_self_chosen, balances), count),
                systematic_half_days=_ints(map(_get_systematic, balances), count),
                staff_ore=_ints(map(_get_staff_ore, balances), count),
                material_used_ore=_ints(map(_get_material_used, balances), count),
                activity_type=_ints(map(_TYPE.__getitem__, map(_get_type, activities)), count),
                approval=_ints(map(_APPROVAL.__getitem__, map(_get_approval, activities)), count),
                laegedage=_bools(map(_get_laegedage, activities), count),
                practice_purchase=_bools(map(_get_practice_purchase, activities), count),
                purchased_on=_ints(
                    (0 if day is None else day.toordinal() for day in map(_get_purchased, activities)), count
                ),
                account_auto=_bools((account == "auto" for account in map(_get_account, claims)), count),
                course_fee_ore=_ints(map(_get_course_fee, expenses), count),
                transport_ore=_ints(map(_get_transport, expenses), count),
                material_ore=_ints(map(_get_material, expenses), count),
                profession=_ints(
                    (-1 if one is None else _PROFESSION[one.profession] for one in staff), count
                ),
                weekly_hours=np.fromiter(
                    (np.nan if one is None else one.weekly_hours for one in staff), np.float64, count
                ),
                day_claim=np.repeat(np.arange(count, dtype=np.int64), _ints(map(len, attended), count)),
                day_date=_ints(map(date.toordinal, map(_get_date, days)), len(days)),
                day_start=_ints(map(_get_start, days), len(days)),
                day_end=_ints(map(_get_end, days), len(days)),
                day_break=_ints(map(_get_break, days), len(days)),
            )
        except OverflowError:
            raise ValueError(f"amounts of {MAX_ORE} øre or more: decide these claims one by one") from None
        money = (
            columns.allocation_ore,
            columns.self_chosen_ore,
            columns.staff_ore,
            columns.material_used_ore,
        )
        expense = (columns.course_fee_ore, columns.transport_ore, columns.material_ore)
        if count and max(int(column.max()) for column in (*money, *expense)) >= MAX_ORE:
            raise ValueError(f"amounts of {MAX_ORE} øre or more: decide these claims one by one")
        return columns


_get_claimant = attrgetter("claimant")
_get_balances = attrgetter("balances")
_get_activity = attrgetter("activity")
_get_expenses = attrgetter("expenses")
_get_staff = attrgetter("staff")
_get_attended = attrgetter("attended_days")
_get_filed_on = attrgetter("filed_on")
_get_account = attrgetter("account")
_get_role = attrgetter("role")
_get_has_account = attrgetter("has_account")
_get_allocation = attrgetter("annual_allocation_ore")
_get_self_chosen = attrgetter("self_chosen_ore")
_get_systematic = attrgetter("systematic_half_days")
_get_staff_ore = attrgetter("staff_ore")
_get_material_used = attrgetter("material_used_ore")
_get_type = attrgetter("type")
_get_approval = attrgetter("approval")
_get_laegedage = attrgetter("laegedage")
_get_practice_purchase = attrgetter("practice_purchase")
_get_purchased = attrgetter("purchased_on")
_get_course_fee = attrgetter("course_fee_ore")
_get_transport = attrgetter("transport_ore")
_get_material = attrgetter("material_ore")
_get_date = attrgetter("date")
_get_start = attrgetter("start_minute")
_get_end = attrgetter("end_minute")
_get_break = attrgetter("break_minutes")


def _ints(values: Iterable[int], count: int) -> Ints:
    return np.fromiter(values, np.int64, count)


def _bools(values: Iterable[bool], count: int) -> Bools:
    return np.fromiter(values, np.bool_, count)


@dataclass(frozen=True, slots=True)
class BatchResult:
    """What each claim's decision pays and draws, in the claims' order."""

    outcome: Ints
    """Index into :data:`OUTCOMES`."""
    payable_ore: Ints
    line_ore: Ints
    """Approved øre per claim (rows) and :data:`LINE_SLOTS` (columns)."""
    self_chosen_ore: Ints
    systematic_half_days: Ints
    staff_ore: Ints
    reasons: Ints
    """Bit ``i`` set: the decision gives ``REASON_CODES[i]``."""
    rejection: Ints
    """Index into ``REASON_CODES`` of a rejected decision's first reason; -1 when not rejected."""
    course_day_halves: Ints
    """Half course days of the decision's days (``days.course_day_halves``), also when rejected."""

    def __len__(self) -> int:
        return len(self.outcome)

    def reason_codes(self, index: int) -> tuple[str, ...]:
        """The reason codes of one claim's decision, in the order of quote.md."""
        bits = int(self.reasons[index])
        return tuple(code for code, bit in _BIT.items() if bits & bit)

    def summary(self, index: int) -> dict[str, object]:
        """One claim's results as plain values, in the shape of :func:`summary_of`."""
        rejection = int(self.rejection[index])
        return {
            "outcome": OUTCOMES[int(self.outcome[index])],
            "payable_ore": int(self.payable_ore[index]),
            "lines": dict(zip(LINE_SLOTS, map(int, self.line_ore[index]), strict=True)),
            "self_chosen_ore": int(self.self_chosen_ore[index]),
            "systematic_half_days": int(self.systematic_half_days[index]),
            "staff_ore": int(self.staff_ore[index]),
            "reasons": self.reason_codes(index),
            "rejection": None if rejection < 0 else REASON_CODES[rejection],
            "course_day_halves": int(self.course_day_halves[index]),
        }


def summary_of(decision: Decision) -> dict[str, object]:
    """What the batch gives for a claim, read off ``decide()``'s decision: the equality that
    ``tests/rules/test_batch.py`` proves, field by field."""
    lines = dict.fromkeys(LINE_SLOTS, 0)
    for line in decision.lines:
        lines[line.item, line.account] += line.approved_ore
    return {
        "outcome": decision.outcome,
        "payable_ore": decision.payable_ore,
        "lines": lines,
        "self_chosen_ore": decision.self_chosen_ore,
        "systematic_half_days": decision.systematic_half_days,
        "staff_ore": decision.staff_ore,
        "reasons": tuple(reason.code for reason in decision.reasons),
        "rejection": decision.reasons[0].code if decision.outcome == REJECTED else None,
        "course_day_halves": course_day_halves(day.day_class for day in decision.days),
    }


# --- parameters per period ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Tables:
    """Every parameter per period of a parameter set (rows of a table are periods)."""

    changes: Ints
    snapshots: tuple[Snapshot, ...]

    @staticmethod
    def of(parameters: ParameterSet) -> _Tables:
        changes, snapshots = parameters.periods()
        return _Tables(_ints(map(date.toordinal, changes), len(changes)), snapshots)

    def period(self, days: Ints) -> Ints:
        return np.searchsorted(self.changes, days, side="right").astype(np.int64)

    def value(self, name: str, period: Ints) -> Ints:
        return np.array([snapshot.ints[name] for snapshot in self.snapshots], np.int64)[period]

    def day(self, name: str, period: Ints) -> Ints:
        ordinals = [snapshot.dates[name].toordinal() for snapshot in self.snapshots]
        return np.array(ordinals, np.int64)[period]

    def member(self, name: str, options: tuple[str, ...], period: Ints, index: Ints) -> Bools:
        """Whether ``options[index]`` is in the code list ``name`` (``index`` -1: not)."""
        table = np.array(
            [[option in snapshot.codes[name] for option in options] for snapshot in self.snapshots]
        )
        padded = np.concatenate([table, np.zeros((len(self.snapshots), 1), np.bool_)], axis=1)
        return padded[period, index]

    def rates(self, prices: Prices, day_class: Ints, period: Ints) -> Ints:
        """The rate of each day under ``prices`` (0 for a class it does not price)."""
        rates = np.zeros(len(day_class), np.int64)
        for name, (_unit, parameter) in prices.by_class.items():
            chosen = day_class == _CLASSES.index(name)
            rates[chosen] = self.value(parameter, period[chosen])
        return rates


# --- what does not depend on balances ----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Facts:
    """Everything about each claim that balances do not change, worked out once per batch."""

    rejected: Bools
    """Rejected by ruling 1 (``reasons`` then holds that rejection)."""
    reasons: Ints
    """The rejection, or the reasons balances do not change."""
    draws_days: Bools
    """Draws systematic days first (ruling 9)."""
    staff: Bools
    first: Ints
    """Index of the claim's first qualifying day in the qualifying-day sums."""
    qualifying: Ints
    halves: Ints
    """Prefix sums over the qualifying days of all claims, in order (leading 0)."""
    systematic_fee: Ints
    own_fee: Ints
    fee_allowed: Bools
    course_fee: Ints
    """Course fee and transport after their caps."""
    transport: Ints
    material_ore: Ints
    material_base: Ints
    """The study-material limit before what was already reimbursed: allocation × share."""
    course_day_halves: Ints


def _facts(columns: ClaimColumns, tables: _Tables) -> _Facts:
    count = len(columns)
    day_claim = columns.day_claim
    attended = np.bincount(day_claim, minlength=count).astype(np.int64)
    ends = np.cumsum(attended)
    last_day = np.zeros(count, np.int64)
    has_days = attended > 0
    last_day[has_days] = columns.day_date[ends[has_days] - 1]
    on = np.where(columns.purchased_on > 0, columns.purchased_on, last_day)
    has_on = on > 0
    # With no attended day there is no activity date; eligibility is then read on the filing date.
    period = tables.period(np.where(has_on, on, columns.filed_on))
    kind = columns.activity_type
    staff = np.isin(kind, [_TYPE[name] for name in STAFF_TYPES])

    day_class = _classify(columns, tables, period[day_claim], kind[day_claim] == _TYPE["dge_meeting"])
    qualifies = day_class != 0
    fee_day = qualifies & _fee_weekdays(columns.day_date)
    counted = np.bincount(day_claim[qualifies], minlength=count).astype(np.int64)
    fee_days = np.bincount(day_claim[fee_day], minlength=count).astype(np.int64)

    role, claim_period = columns.role, period
    trainee = tables.member("eligibility.trainee_roles", ROLES, period, role)
    rejected, rejection = _rejections(columns, tables, period, on, has_on, staff, counted)

    # Qualifying days of all claims in order, with prefix sums for drawing systematic days.
    chosen = np.flatnonzero(qualifies)
    chosen_claim, chosen_class = day_claim[chosen], day_class[chosen]
    chosen_period, chosen_fee = claim_period[chosen_claim], fee_day[chosen]
    own_rate = np.zeros(len(chosen), np.int64)
    for name, (prices, _rule) in FEES.items():
        of_type = kind[chosen_claim] == _TYPE[name]
        own_rate[of_type] = tables.rates(prices, chosen_class[of_type], chosen_period[of_type])
    systematic_rate = tables.rates(SYSTEMATIC_FEE, chosen_class, chosen_period)
    first = np.concatenate([[0], np.cumsum(counted)[:-1]]).astype(np.int64)

    draws_days = (
        ~trainee
        & ~staff
        & columns.account_auto
        & np.isin(columns.approval, [_APPROVAL[name] for name in SYSTEMATIC_APPROVALS])
        & tables.member("eligibility.systematic_activity_types", ACTIVITY_TYPES, period, kind)
    )
    fee_allowed = (
        staff
        | ~trainee
        | (
            tables.member("eligibility.practice_purchase_fee_roles", ROLES, period, role)
            & columns.practice_purchase
        )
    )
    course_fee, course_fee_cap, transport, transport_cap = _expenses(
        columns, tables, period, staff, counted, chosen_claim, columns.day_date[chosen]
    )
    allocation = np.where(
        columns.allocation_ore >= 0,
        columns.allocation_ore,
        _allocation_of_role(tables, period, role),
    )
    reasons = np.where(attended > counted, _BIT["DAY_TOO_SHORT"], 0)
    reasons |= np.where(counted > fee_days, _BIT["NOT_A_WEEKDAY"], 0)
    reasons |= np.where(~staff & ~fee_allowed & (fee_days > 0), _BIT["TRAINEE_NO_FEE"], 0)
    reasons |= np.where(columns.course_fee_ore > course_fee_cap, _BIT["COURSE_FEE_CAPPED"], 0)
    reasons |= np.where(columns.transport_ore > transport_cap, _BIT["TRANSPORT_CAPPED"], 0)
    return _Facts(
        rejected=rejected,
        reasons=np.where(rejected, rejection, reasons),
        draws_days=draws_days,
        staff=staff,
        first=first,
        qualifying=counted,
        halves=_prefix(_HALVES[chosen_class]),
        systematic_fee=_prefix(np.where(chosen_fee, systematic_rate, 0)),
        own_fee=_prefix(np.where(chosen_fee, own_rate, 0)),
        fee_allowed=fee_allowed,
        course_fee=course_fee,
        transport=transport,
        material_ore=columns.material_ore,
        material_base=allocation * tables.value("material.share", period) // 10_000,
        course_day_halves=np.bincount(day_claim, weights=_HALVES[day_class], minlength=count).astype(
            np.int64
        ),
    )


def _prefix(values: Ints) -> Ints:
    return np.concatenate([[0], np.cumsum(values)]).astype(np.int64)


def _classify(columns: ClaimColumns, tables: _Tables, period: Ints, meeting: Bools) -> Ints:
    """Day classes (index into ``_CLASSES``) from effective minutes in the fee window (ruling 5)."""
    window_start = tables.value("fee_window.start", period)
    window_end = tables.value("fee_window.end", period)
    overlap = np.minimum(columns.day_end, window_end) - np.maximum(columns.day_start, window_start)
    minutes = np.maximum(0, overlap - columns.day_break)
    full = minutes >= tables.value("threshold.full_day", period)
    half = minutes >= tables.value("threshold.half_day", period)
    day_class = np.where(full, _CLASSES.index(FULL), np.where(half, _CLASSES.index(HALF), 0))
    at_meeting = np.where(
        minutes >= tables.value("threshold.dge_meeting", period), _CLASSES.index(MEETING), 0
    )
    return np.where(meeting, at_meeting, day_class).astype(np.int64)


def _fee_weekdays(ordinals: Ints) -> Bools:
    """Monday–Friday and not a public holiday (``calendar.is_fee_weekday``)."""
    if not len(ordinals):
        return np.zeros(0, np.bool_)
    first, last = date.fromordinal(int(ordinals.min())).year, date.fromordinal(int(ordinals.max())).year
    holidays = [day.toordinal() for year in range(first, last + 1) for day in public_holidays(year)]
    return ((ordinals + 6) % 7 < 5) & ~np.isin(ordinals, holidays)


def _rejections(
    columns: ClaimColumns,
    tables: _Tables,
    period: Ints,
    on: Ints,
    has_on: Bools,
    staff: Bools,
    qualifying: Ints,
) -> tuple[Bools, Ints]:
    """Ruling 1: the first rejection in order, with its companion reason."""
    role = columns.role
    filed = columns.filed_on
    next_year = years_of(on) + tables.value("claim.filing_deadline_years", period) + 1
    deadline = (
        (next_year - 1970).astype("datetime64[Y]").astype("datetime64[D]").astype(np.int64) + _EPOCH - 1
    )
    minimum = tables.value("staff.min_weekly_minutes", period)
    rules = (
        (
            tables.member("eligibility.no_account_roles", ROLES, period, role) | ~columns.has_account,
            ("NO_ACCOUNT",),
        ),
        (
            staff & ~tables.member("eligibility.staff_claimant_roles", ROLES, period, role),
            ("WRONG_CLAIMANT",),
        ),
        (columns.approval == _APPROVAL["none"], ("NOT_APPROVED",)),
        (~has_on, ("NO_QUALIFYING_DAY",)),
        (
            (columns.activity_type != _TYPE[STUDY_MATERIAL]) & (qualifying == 0),
            ("NO_QUALIFYING_DAY", "DAY_TOO_SHORT"),
        ),
        (filed < on, ("NOT_YET_HELD",)),
        (filed > deadline, ("DEADLINE_PASSED",)),
        (
            (columns.approval == _APPROVAL["systematic"])
            & tables.member("eligibility.trainee_roles", ROLES, period, role),
            ("NOT_SYSTEMATIC",),
        ),
        (
            staff
            & (
                tables.member(
                    "eligibility.staff_ineligible_professions", PROFESSIONS, period, columns.profession
                )
                | (columns.weekly_hours * 60 < minimum)
            ),
            ("STAFF_NOT_ELIGIBLE",),
        ),
        (staff & (on < tables.day("staff.scheme_start", period)), ("SCHEME_NOT_IN_FORCE",)),
    )
    pending = np.ones(len(columns), np.bool_)
    reasons = np.zeros(len(columns), np.int64)
    for applies, codes in rules:
        hit = pending & applies
        reasons[hit] = sum(_BIT[code] for code in codes)
        pending &= ~hit
    return ~pending, reasons


def _expenses(
    columns: ClaimColumns,
    tables: _Tables,
    period: Ints,
    staff: Bools,
    qualifying: Ints,
    day_claim: Ints,
    day_date: Ints,
) -> tuple[Ints, Ints, Ints, Ints]:
    """Course fee and transport after their caps, and the caps (rulings 7 and 8)."""
    count = len(columns)
    course_rate = np.zeros(count, np.int64)
    transport_rate = np.zeros(count, np.int64)
    for caps, chosen in (
        (STAFF_CAPS, staff),
        (LAEGEDAGE_CAPS, ~staff & columns.laegedage),
        (DOCTOR_CAPS, ~staff & ~columns.laegedage),
    ):
        course_rate[chosen], transport_rate[chosen] = _cap_rates(caps, tables, period[chosen])
    # A block starts at a claim's first qualifying day and after every gap above the block gap.
    gap = tables.value("transport.block_max_gap", period)[day_claim]
    starts = np.ones(len(day_claim), np.bool_)
    starts[1:] = (day_claim[1:] != day_claim[:-1]) | (np.diff(day_date) > gap[1:])
    blocks = np.bincount(day_claim[starts], minlength=count).astype(np.int64)
    course_cap, transport_cap = course_rate * qualifying, transport_rate * blocks
    return (
        np.minimum(columns.course_fee_ore, course_cap),
        course_cap,
        np.minimum(columns.transport_ore, transport_cap),
        transport_cap,
    )


def _cap_rates(caps: Caps, tables: _Tables, period: Ints) -> tuple[Ints, Ints]:
    return tables.value(caps.course_fee, period), tables.value(caps.transport, period)


def _allocation_of_role(tables: _Tables, period: Ints, role: Ints) -> Ints:
    allocation = np.zeros(len(role), np.int64)
    for name, index in _ROLE.items():
        chosen = role == index
        allocation[chosen] = tables.value(f"allocation.{name}", period[chosen])
    return allocation


# --- what balances decide ----------------------------------------------------------------------


class _Balances(NamedTuple):
    self_chosen: Ints
    systematic_half_days: Ints
    staff: Ints
    material_used: Ints


def _settle(facts: _Facts, index: Ints, balances: _Balances) -> BatchResult:
    """Draw systematic days, cut lines to the balances and set the outcome, for the claims ``index``."""
    first, qualifying = facts.first[index], facts.qualifying[index]
    staff, draws_days = facts.staff[index], facts.draws_days[index]
    # Days are drawn in date order while the balance covers each whole (ruling 9): the qualifying days
    # whose running sum of half days stays within the balance.
    within = np.searchsorted(facts.halves, facts.halves[first] + balances.systematic_half_days, side="right")
    drawn = np.where(draws_days, np.clip(within - first - 1, 0, qualifying), 0)
    split = first + drawn
    drawn_halves = facts.halves[split] - facts.halves[first]
    systematic_fee = facts.systematic_fee[split] - facts.systematic_fee[first]
    own_fee = np.where(facts.fee_allowed[index], facts.own_fee[first + qualifying] - facts.own_fee[split], 0)
    reasons = facts.reasons[index] | np.where(
        draws_days & (drawn < qualifying), _BIT["SYSTEMATIC_DAYS_EXHAUSTED"], 0
    )

    lines = np.zeros((len(index), len(LINE_SLOTS)), np.int64)
    left = np.where(staff, balances.staff, balances.self_chosen)
    cut = np.zeros(len(index), np.bool_)
    paid_by = np.where(staff, 2, np.where(drawn > 0, 0, 1))
    """Whose account pays course fee and transport: 0 systematic, 1 self-chosen, 2 staff."""
    from_balance = paid_by > 0
    items = (
        (own_fee, np.where(staff, _SLOT["lost_earnings", STAFF], _SLOT["fee", SELF_CHOSEN]), True),
        (facts.course_fee[index], _SLOT["course_fee", SYSTEMATIC] + paid_by, from_balance),
        (facts.transport[index], _SLOT["transport", SYSTEMATIC] + paid_by, from_balance),
    )
    rows = np.arange(len(index))
    lines[:, _SLOT["fee", SYSTEMATIC]] = systematic_fee
    for amount, slot, takes in items:
        granted = np.where(takes, np.minimum(amount, left), amount)
        left -= np.where(takes, granted, 0)
        cut |= granted < amount
        lines[rows, slot] = granted
    # Study material, from the self-chosen account after the lines above (ruling 11).
    left = np.where(staff, balances.self_chosen, left)
    requested = facts.material_ore[index]
    limit = np.maximum(0, facts.material_base[index] - balances.material_used)
    capped = np.minimum(requested, limit)
    reasons |= np.where((capped < requested) & (limit <= left), _BIT["MATERIAL_CAPPED"], 0)
    material = np.minimum(capped, left)
    cut |= material < capped
    lines[:, _SLOT["material", SELF_CHOSEN]] = material
    reasons |= np.where(cut, _BIT["BALANCE_EXCEEDED"], 0)

    rejected = facts.rejected[index]
    lines[rejected] = 0
    reasons = np.where(rejected, facts.reasons[index], reasons)
    payable = lines.sum(axis=1)
    paying = payable > 0
    reasons = np.where(paying | (reasons != 0), reasons, _BIT["NOTHING_TO_PAY"])
    self_chosen = lines[:, _ON_ACCOUNT[SELF_CHOSEN]]
    staff_lines = lines[:, _ON_ACCOUNT[STAFF]]
    lowest = reasons & -reasons
    return BatchResult(
        outcome=np.where(paying, np.where(reasons != 0, 1, 0), 2).astype(np.int64),
        payable_ore=payable,
        line_ore=lines,
        self_chosen_ore=np.where(paying, self_chosen.sum(axis=1), 0),
        systematic_half_days=np.where(paying, drawn_halves, 0),
        staff_ore=np.where(paying, staff_lines.sum(axis=1), 0),
        reasons=reasons,
        rejection=np.where(paying, -1, np.log2(np.maximum(lowest, 1)).astype(np.int64)),
        course_day_halves=facts.course_day_halves[index],
    )


# --- the two modes -----------------------------------------------------------------------------


@_paused
def decide_claims(columns: ClaimColumns, parameters: ParameterSet | None = None) -> BatchResult:
    """Per-claim mode: each claim decided on the balances it carries, as ``decide()`` would."""
    facts = _facts(columns, _Tables.of(parameters or ParameterSet.default()))
    balances = _Balances(
        columns.self_chosen_ore, columns.systematic_half_days, columns.staff_ore, columns.material_used_ore
    )
    return _settle(facts, np.arange(len(columns), dtype=np.int64), balances)


ACCOUNT_KINDS = ("self_chosen", "systematic", "staff", "material_used")
"""The balances a claim reads, in the order of :class:`AccountKeys`: the self-chosen account (øre),
systematic days (half days), the clinic's staff account (øre), and study material already reimbursed
in the purchase's year (øre; the material line adds to it)."""


class AccountKeys(NamedTuple):
    """Per-account mode: for each claim, the id (≥ 0) of each account it reads and draws on, e.g. the
    doctor's id for ``self_chosen`` and ``systematic``, the clinic's for ``staff``, and one id per
    doctor and year for ``material_used``; -1: the claim's own balance, carried nowhere."""

    self_chosen: Ints
    systematic: Ints
    staff: Ints
    material_used: Ints


_KIND_SHIFT = 2**58
"""Ledger keys are kind × this + id, so ids must stay below it."""


class Ledger:
    """Balances carried from claim to claim in per-account mode, per kind (:data:`ACCOUNT_KINDS`) and
    id. An account not seen before holds 0; the caller books allocations, year-end moves and opening
    balances with :meth:`add`, between batches."""

    def __init__(self) -> None:
        self._keys = np.zeros(0, np.int64)
        """Sorted."""
        self._balances = np.zeros(0, np.int64)

    def _cells(self, kind: str, ids: Ints) -> Ints:
        """The cell of each id (-1 for -1), opening accounts not seen before."""
        held = ids >= 0
        if np.any(ids >= _KIND_SHIFT):
            raise ValueError(f"account ids must be below {_KIND_SHIFT}")
        keys = ACCOUNT_KINDS.index(kind) * _KIND_SHIFT + ids
        new = np.setdiff1d(keys[held], self._keys)
        if len(new):
            merged = np.union1d(self._keys, new)
            balances = np.zeros(len(merged), np.int64)
            balances[np.searchsorted(merged, self._keys)] = self._balances
            self._keys, self._balances = merged, balances
        return np.where(held, np.searchsorted(self._keys, keys), -1)

    def add(self, kind: str, ids: Sequence[int] | Ints, amounts: Sequence[int] | Ints | int) -> None:
        """Adds each amount to the account of its id (a negative amount takes it off)."""
        cells = self._cells(kind, np.asarray(ids, np.int64))
        np.add.at(self._balances, cells, np.broadcast_to(np.asarray(amounts, np.int64), cells.shape))

    def balances(self, kind: str, ids: Sequence[int] | Ints) -> Ints:
        cells = self._cells(kind, np.asarray(ids, np.int64))  # may open accounts: before reading
        return self._balances[cells]


@_paused
def decide_in_order(
    columns: ClaimColumns,
    accounts: AccountKeys,
    ledger: Ledger,
    parameters: ParameterSet | None = None,
) -> BatchResult:
    """Per-account mode: the claims in the given (filing) order, each on the balances the ledger holds
    after the claims before it; each decision's draws are booked in the ledger (and its study material
    added to ``material_used``)."""
    facts = _facts(columns, _Tables.of(parameters or ParameterSet.default()))
    cells = np.stack([ledger._cells(kind, ids) for kind, ids in zip(ACCOUNT_KINDS, accounts, strict=True)], 1)
    rounds = _rounds(cells)
    order = np.argsort(rounds, kind="stable")
    bounds = np.searchsorted(rounds[order], np.arange(int(rounds.max(initial=-1)) + 2))
    parts: list[tuple[Ints, BatchResult]] = []
    own = (
        columns.self_chosen_ore,
        columns.systematic_half_days,
        columns.staff_ore,
        columns.material_used_ore,
    )
    for start, stop in zip(bounds[:-1], bounds[1:], strict=True):
        index = order[start:stop]
        held = cells[index]
        balances = _Balances(
            *(
                np.where(held[:, slot] >= 0, ledger._balances[held[:, slot]], column[index])
                for slot, column in enumerate(own)
            )
        )
        result = _settle(facts, index, balances)
        moves = (
            -result.self_chosen_ore,
            -result.systematic_half_days,
            -result.staff_ore,
            result.line_ore[:, _SLOT["material", SELF_CHOSEN]],
        )
        for slot, amount in enumerate(moves):
            booked = held[:, slot] >= 0
            np.add.at(ledger._balances, held[booked, slot], amount[booked])
        parts.append((index, result))
    return _gather(parts, len(columns))


def _rounds(cells: Ints) -> Ints:
    """The round of each claim: one after the latest earlier claim that shares an account with it."""
    kept: list[Ints] = []
    for column in cells.T:
        if not any(_implied(column, by) for by in kept):
            kept.append(column)
    if len(kept) == 1:
        return _ranks(kept[0])
    # A claim without an account in a column gets a key of its own there, so it waits for no one.
    keys = [np.where(column >= 0, column, -1 - np.arange(len(column))).tolist() for column in kept]
    latest: dict[int, int] = {}
    get = latest.get
    none = (-1,) * len(keys)
    rounds = []
    for row in zip(*keys, strict=True):
        current = max(map(get, row, none)) + 1
        for cell in row:
            latest[cell] = current
        rounds.append(current)
    return np.array(rounds, np.int64)


def _implied(column: Ints, by: Ints) -> bool:
    """Whether two claims that share an account in ``column`` always share one in ``by`` too (each
    account of ``column`` goes with one account of ``by``), so ``column`` orders nothing more."""
    held = column >= 0
    if bool(np.any(by[held] < 0)):
        return False
    order = np.argsort(column[held], kind="stable")
    accounts, others = column[held][order], by[held][order]
    same = accounts[1:] == accounts[:-1]
    return bool(np.all(others[1:][same] == others[:-1][same]))


def _ranks(column: Ints) -> Ints:
    """Each claim's place among the earlier claims on its account (0 without one)."""
    held = np.flatnonzero(column >= 0)
    order = held[np.argsort(column[held], kind="stable")]
    starts = np.ones(len(order), np.bool_)
    starts[1:] = column[order[1:]] != column[order[:-1]]
    first = np.maximum.accumulate(np.where(starts, np.arange(len(order)), 0))
    ranks = np.zeros(len(column), np.int64)
    ranks[order] = np.arange(len(order)) - first
    return ranks


def _gather(parts: list[tuple[Ints, BatchResult]], count: int) -> BatchResult:
    fields = {field.name: np.zeros(count, np.int64) for field in dataclasses.fields(BatchResult)}
    fields["line_ore"] = np.zeros((count, len(LINE_SLOTS)), np.int64)
    for index, result in parts:
        for name, column in fields.items():
            column[index] = getattr(result, name)
    return BatchResult(**fields)

"""The one pure function that decides a claim: ``decide(claim, parameters=...) -> Decision``.

It follows the rulings of quote.md in order: rejections first (the first one ends the
decision), then day classes, fees, course fee, transport, the systematic account, the
balances and study material. It builds no text: reasons and line details carry the facts
(dates, amounts, counts) and :mod:`ajour.rules.serialise` renders them in a language.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from operator import itemgetter
from typing import NamedTuple

from ajour.rules.days import (
    FULL,
    HALF,
    HALVES_BY_CLASS,
    MEETING,
    DayClasses,
    DayResult,
    classify,
    count_blocks,
)
from ajour.rules.parameters import ParameterSet, Snapshot
from ajour.rules.schema import STAFF_TYPES, STUDY_MATERIAL, Claim, Day

APPROVED = "approved"
REDUCED = "reduced"
REJECTED = "rejected"

SELF_CHOSEN = "self_chosen"
SYSTEMATIC = "systematic"
STAFF = "staff"

REASON_CODES = (
    "NO_ACCOUNT",
    "NOT_APPROVED",
    "NOT_YET_HELD",
    "DEADLINE_PASSED",
    "NO_QUALIFYING_DAY",
    "DAY_TOO_SHORT",
    "NOT_A_WEEKDAY",
    "TRAINEE_NO_FEE",
    "NOT_SYSTEMATIC",
    "SYSTEMATIC_DAYS_EXHAUSTED",
    "COURSE_FEE_CAPPED",
    "TRANSPORT_CAPPED",
    "MATERIAL_CAPPED",
    "BALANCE_EXCEEDED",
    "STAFF_NOT_ELIGIBLE",
    "SCHEME_NOT_IN_FORCE",
    "WRONG_CLAIMANT",
    "NOTHING_TO_PAY",
)
"""Every reason code, in the order of quote.md; reasons are listed in this order."""
_CODE_ORDER = {code: index for index, code in enumerate(REASON_CODES)}

SYSTEMATIC_APPROVALS = frozenset({"systematic", "both"})


@dataclass(frozen=True, slots=True)
class Prices:
    """Which unit and which rate parameter prices a fee day of each class."""

    by_class: Mapping[str, tuple[str, str]]
    in_order: tuple[tuple[str, str], ...] = field(init=False)
    """The distinct (unit, rate parameter) pairs, in the order a line detail lists them."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "in_order", tuple(dict.fromkeys(self.by_class.values())))


_SELF_CHOSEN_FEE = Prices({FULL: ("full", "fee.self_chosen.full"), HALF: ("half", "fee.self_chosen.half")})
SYSTEMATIC_FEE = Prices({FULL: ("full", "fee.systematic.full"), HALF: ("half", "fee.systematic.half")})
"""The fee of a day drawn from the systematic account."""
_DGE_MODULE_FEE = Prices({FULL: ("module", "fee.dge_module"), HALF: ("module", "fee.dge_module")})
_DGE_MEETING_FEE = Prices({MEETING: ("meeting", "fee.dge_meeting")})
_STAFF_FEE = Prices({FULL: ("full", "lost_earnings.full"), HALF: ("half", "lost_earnings.half")})
_PGE_FEE = Prices(
    {
        FULL: ("pge_module", "lost_earnings.pge_module"),
        HALF: ("pge_module", "lost_earnings.pge_module"),
    }
)
FEES: Mapping[str, tuple[Prices, str]] = {
    "course": (_SELF_CHOSEN_FEE, "R-FEE-SV"),
    "sge_day": (_SELF_CHOSEN_FEE, "R-FEE-SV"),
    "dge_module": (_DGE_MODULE_FEE, "R-DGE-1"),
    "dge_meeting": (_DGE_MEETING_FEE, "R-DGE-1"),
    "staff_course": (_STAFF_FEE, "R-STAFF-1"),
    "pge_module": (_PGE_FEE, "R-STAFF-1"),
}
"""The fee a day pays from the claim's own account, by activity type: the doctor's self-chosen fee, or a
staff member's lost earnings from the clinic's staff account; and the rule that sets it."""


class Caps(NamedTuple):
    """The parameters that cap the course fee (per course day) and transport (per block)."""

    course_fee: str
    transport: str


DOCTOR_CAPS = Caps("cap.course_fee.per_day", "cap.transport.per_block")
LAEGEDAGE_CAPS = Caps("cap.course_fee.per_day", "cap.transport.laegedage")
STAFF_CAPS = Caps("cap.course_fee.staff_per_day", "cap.transport.staff_per_block")


class Basis(NamedTuple):
    """One factor of a line: ``number`` units (days, blocks…) at ``rate_ore`` each."""

    unit: str
    number: int
    rate_ore: int


class Line(NamedTuple):
    item: str
    account: str
    rule: str
    approved_ore: int
    requested_ore: int | None
    """None for fee and lost-earnings lines: their amount follows from the days."""
    cap_ore: int | None
    basis: tuple[Basis, ...]
    balance_cut: bool
    """The account balance cut this line below its capped amount."""


class Reason(NamedTuple):
    """A reason code with the facts its message names."""

    code: str
    rule: str
    dates: tuple[date, ...] = ()
    amounts: tuple[int, ...] = ()
    """Money in øre."""
    numbers: tuple[float, ...] = ()
    """Counts, minutes, hours, days or basis points, as the code's message reads them."""
    texts: tuple[str, ...] = ()
    """Identifiers: a role, a profession, an activity id or line items."""


class Decision(NamedTuple):
    outcome: str
    payable_ore: int
    lines: tuple[Line, ...]
    self_chosen_ore: int
    systematic_half_days: int
    staff_ore: int
    payee: str
    days: tuple[DayResult, ...]
    reasons: tuple[Reason, ...]
    rules_version: str
    snapshot: Snapshot | None
    """The parameter values in force on the activity date (None when no day was attended)."""
    parameters_used: frozenset[str]
    """Names of the parameters the decision read."""


class _Reads:
    """Several parameters read together (one lookup for all of them)."""

    __slots__ = ("names", "get")

    def __init__(self, *names: str) -> None:
        self.names = names
        self.get = itemgetter(*names)


_DAY_CLASSES = _Reads("threshold.full_day", "threshold.half_day", "fee_window.start", "fee_window.end")
_MEETING_CLASS = _Reads("threshold.dge_meeting", "fee_window.start", "fee_window.end")


class _Work:
    """A decision in progress: reads parameters on the activity date, remembering which, and
    collects reasons."""

    __slots__ = ("snapshot", "_ints", "used", "reasons")

    def __init__(self, snapshot: Snapshot) -> None:
        self.snapshot = snapshot
        self._ints = snapshot.ints
        self.used: list[str] = []
        self.reasons: list[Reason] = []

    def value(self, name: str) -> int:
        self.used.append(name)
        return self._ints[name]

    def values(self, reads: _Reads) -> tuple[int, ...]:
        self.used += reads.names
        return reads.get(self._ints)  # type: ignore[no-any-return]

    def date_value(self, name: str) -> date:
        self.used.append(name)
        return self.snapshot.dates[name]

    def codes(self, name: str) -> frozenset[str]:
        """An eligibility list. Dated like every parameter, but not in ``parameters_used``, whose
        entries quote.md fixes to the amounts, times, shares and dates of its table."""
        return self.snapshot.codes[name]

    def filing_deadline(self, on: date) -> date:
        """R-TIME-1: 31 December of the year ``claim.filing_deadline_years`` after the activity year
        (not in ``parameters_used``, like the eligibility lists)."""
        return date(on.year + self._ints["claim.filing_deadline_years"], 12, 31)


class _Account:
    """A DKK balance that lines draw on in order until it is used up."""

    __slots__ = ("left", "cut")

    def __init__(self, left: int, cut: list[str]) -> None:
        self.left = left
        self.cut = cut

    def take(self, item: str, amount: int) -> tuple[int, bool]:
        granted = min(amount, self.left)
        self.left -= granted
        if granted < amount:
            self.cut.append(item)
        return granted, granted < amount


_Payer = tuple[str, _Account | None]
"""The account a line is booked on, and the DKK balance it draws on (None: paid against systematic days)."""


def decide(claim: Claim, parameters: ParameterSet | None = None) -> Decision:
    """Decide ``claim`` under ``parameters`` (the shipped parameter set by default)."""
    chosen = parameters or ParameterSet.default()
    activity = claim.activity
    attended = activity.attended_days
    on = activity.purchased_on or (attended[-1].date if attended else None)
    # With no attended day there is no activity date; eligibility is then read on the filing date.
    work = _Work(chosen.on(on or claim.filed_on))
    days, shortest = _classify(attended, activity.type, work) if attended else ((), 0)
    payee = "practice" if activity.type in STAFF_TYPES else "claimant_choice"

    qualifying: list[DayResult] = []
    too_short: list[date] = []
    not_weekdays: list[date] = []
    for day in days:
        if not day[3]:  # qualifies
            too_short.append(day[0])
        else:
            qualifying.append(day)
            if not day[4]:  # fee_day
                not_weekdays.append(day[0])

    rejection = _rejection(claim, on, bool(qualifying), days, shortest, work)
    if rejection or on is None:
        return _decision((), rejection, 0, payee, days, chosen, work if on is not None else None)
    if too_short:
        work.reasons.append(Reason("DAY_TOO_SHORT", "R-DAY-1", tuple(too_short), (), (shortest,)))
    if not_weekdays:
        work.reasons.append(Reason("NOT_A_WEEKDAY", "R-DAY-2", tuple(not_weekdays)))

    self_chosen = _Account(claim.balances.self_chosen_ore, [])
    cut: list[str] = []
    if activity.type in STAFF_TYPES:
        staff = _Account(claim.balances.staff_ore, cut)
        lines, drawn_half_days = _staff_lines(claim, qualifying, staff, work), 0
    else:
        lines, drawn_half_days = _doctor_lines(claim, qualifying, self_chosen, work)
    if claim.expenses.material_ore:
        lines.append(_material_line(claim, self_chosen, work))
    cut += self_chosen.cut
    if cut:
        work.reasons.append(Reason("BALANCE_EXCEEDED", "R-PAY", (), (), (), tuple(dict.fromkeys(cut))))
    return _decision(tuple(lines), work.reasons, drawn_half_days, payee, days, chosen, work)


def _classify(attended: Sequence[Day], activity_type: str, work: _Work) -> tuple[tuple[DayResult, ...], int]:
    """Day results, and the effective minutes the shortest qualifying class needs."""
    classes: DayClasses
    if activity_type == "dge_meeting":
        meeting, start, end = work.values(_MEETING_CLASS)
        classes = ((meeting, MEETING),)
    else:
        full, half, start, end = work.values(_DAY_CLASSES)
        classes = ((full, FULL), (half, HALF))
    return classify(attended, start, end, classes), classes[-1][0]


def _rejection(
    claim: Claim,
    on: date | None,
    any_qualifies: bool,
    days: Sequence[DayResult],
    shortest: int,
    work: _Work,
) -> tuple[Reason, ...]:
    """The first rejection in the order of ruling 1, with its companion reasons; () if none."""
    role = claim.claimant.role
    activity = claim.activity
    is_staff_type = activity.type in STAFF_TYPES
    if role in work.codes("eligibility.no_account_roles") or not claim.claimant.has_account:
        return (Reason("NO_ACCOUNT", "R-ELIG-1", (), (), (), (role,)),)
    if is_staff_type and role not in work.codes("eligibility.staff_claimant_roles"):
        return (Reason("WRONG_CLAIMANT", "R-ELIG-1", (), (), (), (role,)),)
    if activity.approval == "none":
        return (Reason("NOT_APPROVED", "R-ACT-1", (), (), (), (activity.id,)),)
    if on is None:
        return (Reason("NO_QUALIFYING_DAY", "R-DAY-1"),)
    if activity.type != STUDY_MATERIAL and not any_qualifies:
        dates = tuple(day.date for day in days)
        return (
            Reason("NO_QUALIFYING_DAY", "R-DAY-1", dates),
            Reason("DAY_TOO_SHORT", "R-DAY-1", dates, (), (shortest,)),
        )
    if claim.filed_on < on:
        return (Reason("NOT_YET_HELD", "R-ACT-2", (on, claim.filed_on)),)
    deadline = work.filing_deadline(on)
    if claim.filed_on > deadline:
        return (Reason("DEADLINE_PASSED", "R-TIME-1", (on, deadline, claim.filed_on)),)
    if activity.approval == "systematic" and role in work.codes("eligibility.trainee_roles"):
        return (Reason("NOT_SYSTEMATIC", "R-ACC-1", (), (), (), (activity.id,)),)
    if is_staff_type and claim.staff is not None:
        staff = claim.staff
        minimum = work.value("staff.min_weekly_minutes")
        ineligible = work.codes("eligibility.staff_ineligible_professions")
        if staff.profession in ineligible or staff.weekly_hours * 60 < minimum:
            facts = (staff.weekly_hours, minimum)
            return (Reason("STAFF_NOT_ELIGIBLE", "R-ELIG-2", (), (), facts, (staff.profession,)),)
        start = work.date_value("staff.scheme_start")
        if on < start:
            return (Reason("SCHEME_NOT_IN_FORCE", "R-STAFF-1", (start, on)),)
    return ()


def _doctor_lines(
    claim: Claim, qualifying: list[DayResult], self_chosen: _Account, work: _Work
) -> tuple[list[Line], int]:
    """Fee, course fee and transport for a doctor's claim, and the systematic half-days drawn."""
    activity = claim.activity
    role = claim.claimant.role
    trainee = role in work.codes("eligibility.trainee_roles")
    drawn: list[DayResult] = []
    if (
        not trainee
        and claim.account == "auto"
        and activity.approval in SYSTEMATIC_APPROVALS
        and activity.type in work.codes("eligibility.systematic_activity_types")
    ):
        balance = claim.balances.systematic_half_days
        drawn = _draw_systematic(qualifying, balance)
        if len(drawn) < len(qualifying):
            fallback = tuple(day.date for day in qualifying[len(drawn) :])
            work.reasons.append(Reason("SYSTEMATIC_DAYS_EXHAUSTED", "R-ACC-2", fallback, (), (balance / 2,)))
    lines: list[Line] = []
    systematic_fee_days = [day for day in drawn if day.fee_day]
    if systematic_fee_days:
        lines.append(
            _fee_line("fee", (SYSTEMATIC, None), "R-FEE-SE", systematic_fee_days, SYSTEMATIC_FEE, work)
        )
    own_fee_days = [day for day in qualifying[len(drawn) :] if day.fee_day]
    if own_fee_days:
        if not trainee or (
            role in work.codes("eligibility.practice_purchase_fee_roles") and activity.practice_purchase
        ):
            prices, rule = FEES[activity.type]
            lines.append(_fee_line("fee", (SELF_CHOSEN, self_chosen), rule, own_fee_days, prices, work))
        else:
            work.reasons.append(Reason("TRAINEE_NO_FEE", "R-ELIG-3", tuple(day.date for day in own_fee_days)))
    # Once a systematic day is drawn, the fund pays the whole claim's course fee and transport.
    payer = (SYSTEMATIC, None) if drawn else (SELF_CHOSEN, self_chosen)
    caps = LAEGEDAGE_CAPS if activity.laegedage else DOCTOR_CAPS
    lines += _expense_lines(claim, qualifying, payer, caps, work)
    return lines, sum([HALVES_BY_CLASS[day.day_class] for day in drawn])


def _draw_systematic(qualifying: Sequence[DayResult], balance_half_days: int) -> list[DayResult]:
    """Days drawn in date order while the balance covers each whole; stops at the first it does not."""
    drawn = []
    left = balance_half_days
    for day in qualifying:
        cost = HALVES_BY_CLASS[day.day_class]
        if cost > left:
            break
        left -= cost
        drawn.append(day)
    return drawn


def _staff_lines(claim: Claim, qualifying: list[DayResult], staff: _Account, work: _Work) -> list[Line]:
    """Lost earnings, course fee and transport for a staff claim, all from the staff account."""
    lines = []
    fee_days = [day for day in qualifying if day.fee_day]
    if fee_days:
        prices, rule = FEES[claim.activity.type]
        lines.append(_fee_line("lost_earnings", (STAFF, staff), rule, fee_days, prices, work))
    return lines + _expense_lines(claim, qualifying, (STAFF, staff), STAFF_CAPS, work)


def _fee_line(
    item: str, payer: _Payer, rule: str, fee_days: Iterable[DayResult], prices: Prices, work: _Work
) -> Line:
    counts: dict[tuple[str, str], int] = {}
    by_class = prices.by_class
    for day in fee_days:
        price = by_class[day[2]]  # day_class
        counts[price] = counts.get(price, 0) + 1
    basis: list[Basis] = []
    amount = 0
    for price in prices.in_order:
        number = counts.get(price)
        if number:
            unit, name = price
            rate = work.value(name)
            basis.append(Basis(unit, number, rate))
            amount += number * rate
    account, ledger = payer
    approved, cut = ledger.take(item, amount) if ledger is not None else (amount, False)
    return Line(item, account, rule, approved, None, None, tuple(basis), cut)


@dataclass(frozen=True, slots=True)
class _Cap:
    item: str
    rule: str
    code: str
    unit: str


_COURSE_FEE_CAP = _Cap("course_fee", "R-COURSE", "COURSE_FEE_CAPPED", "course_day")
_TRANSPORT_CAP = _Cap("transport", "R-TRANS", "TRANSPORT_CAPPED", "block")


def _expense_lines(
    claim: Claim,
    qualifying: Sequence[DayResult],
    payer: _Payer,
    caps: Caps,
    work: _Work,
) -> list[Line]:
    """Course fee (cap per course day, weekends included) and transport (cap per block), when claimed."""
    lines = []
    course_fee_cap, transport_cap = caps
    if claim.expenses.course_fee_ore:
        course_days = len(qualifying)
        lines.append(
            _capped_line(
                _COURSE_FEE_CAP, claim.expenses.course_fee_ore, course_days, course_fee_cap, payer, work
            )
        )
    if claim.expenses.transport_ore:
        blocks = count_blocks((day.date for day in qualifying), work.value("transport.block_max_gap"))
        lines.append(
            _capped_line(_TRANSPORT_CAP, claim.expenses.transport_ore, blocks, transport_cap, payer, work)
        )
    return lines


def _capped_line(cap: _Cap, requested: int, units: int, rate_name: str, payer: _Payer, work: _Work) -> Line:
    rate = work.value(rate_name)
    limit = rate * units
    capped = min(requested, limit)
    if capped < requested:
        work.reasons.append(Reason(cap.code, cap.rule, (), (rate, limit), (units,)))
    account, ledger = payer
    approved, cut = ledger.take(cap.item, capped) if ledger is not None else (capped, False)
    return Line(cap.item, account, cap.rule, approved, requested, limit, (Basis(cap.unit, units, rate),), cut)


def _material_line(claim: Claim, self_chosen: _Account, work: _Work) -> Line:
    """Study material: at most the share of the annual allocation, less what is already reimbursed."""
    allocation = claim.claimant.annual_allocation_ore
    if allocation is None:
        allocation = work.value(f"allocation.{claim.claimant.role}")
    share = work.value("material.share")
    used = claim.balances.material_used_ore
    limit = max(0, allocation * share // 10_000 - used)
    requested = claim.expenses.material_ore
    within_limit = min(requested, limit)
    if within_limit < requested and limit <= self_chosen.left:
        work.reasons.append(Reason("MATERIAL_CAPPED", "R-MAT", (), (limit, allocation, used), (share / 100,)))
    approved, cut = self_chosen.take("material", within_limit)
    basis = (Basis("share", share, allocation), Basis("used", 1, used))
    return Line("material", SELF_CHOSEN, "R-MAT", approved, requested, limit, basis, cut)


def _decision(
    lines: tuple[Line, ...],
    reasons: Sequence[Reason],
    drawn_half_days: int,
    payee: str,
    days: tuple[DayResult, ...],
    parameters: ParameterSet,
    work: _Work | None,
) -> Decision:
    """Totals, draws and outcome (ruling 13); a decision that pays nothing draws nothing."""
    payable = self_chosen = staff = 0
    for line in lines:
        payable += line.approved_ore
        if line.account == SELF_CHOSEN:
            self_chosen += line.approved_ore
        elif line.account == STAFF:
            staff += line.approved_ore
    ordered = tuple(sorted(reasons, key=_code_order)) if len(reasons) > 1 else tuple(reasons)
    if payable == 0:
        outcome = REJECTED
        self_chosen = staff = drawn_half_days = 0
        ordered = ordered or (Reason("NOTHING_TO_PAY", "R-PAY"),)
    else:
        outcome = REDUCED if ordered else APPROVED
    snapshot, used = (work.snapshot, frozenset(work.used)) if work is not None else (None, _NOTHING_USED)
    return Decision(
        outcome,
        payable,
        lines,
        self_chosen,
        drawn_half_days,
        staff,
        payee,
        days,
        ordered,
        parameters.version,
        snapshot,
        used,
    )


_NOTHING_USED: frozenset[str] = frozenset()


def _code_order(reason: Reason) -> int:
    return _CODE_ORDER[reason.code]

"""The arithmetic of the yearly runs: what an allocation books and what a year-end close carries over
and forfeits, from the dated parameters.

The allocation run and the year-end close in ``ajour.accounts`` and the policy simulator's replay
(:mod:`ajour.rules.replay`) both call these functions, so a reform of an allocation or of the
carry-over cap reaches the simulator exactly as it would reach the ledger.
"""

from __future__ import annotations

from datetime import date

from ajour.rules.parameters import ParameterSet


def gp_allocation(parameters: ParameterSet, *, role: str, year: int, share_percent: int) -> tuple[int, int]:
    """A GP's yearly allocation, (self-chosen øre, systematic half days): the amounts in force on
    1 January, times the share of a pro-rated employed GP (R-ALLOC-1)."""
    values = parameters.on(date(year, 1, 1)).ints
    return (
        values[f"allocation.{role}"] * share_percent // 100,
        values["systematic.per_year"] * share_percent // 100,
    )


def trainee_period_months(parameters: ParameterSet, *, phase: str, starts_on: date) -> int:
    """The length of a training agreement's allocation periods (6 months phase II, 12 phase III)."""
    return parameters.on(starts_on).ints[f"{phase}.period_months"]


def trainee_allocation(parameters: ParameterSet, *, phase: str, period_start: date) -> int:
    """A trainee's self-chosen allocation for one agreement period, in force when the period starts."""
    return parameters.on(period_start).ints[f"allocation.{phase}"]


def staff_scheme_start(parameters: ParameterSet, *, year: int) -> date:
    """The clinic staff scheme's start, as the parameters read at the end of `year`."""
    return parameters.on(date(year, 12, 31)).dates["staff.scheme_start"]


def staff_allocation(parameters: ParameterSet, *, capacities: int, year: int) -> int:
    """The clinic staff account's allocation for `year`: the amount per doctor capacity in force that
    year, whole. In the scheme's first year that amount is already the one for the rest of the year
    (5,000 DKK for July–December 2023, S42), so it is not pro-rated; none before the scheme."""
    if staff_scheme_start(parameters, year=year).year > year:
        return 0
    return parameters.on(date(year, 12, 31)).ints["staff.per_capacity"] * capacities


def carry_over_cap(parameters: ParameterSet, *, year: int, allocation: int) -> int:
    """The most a sub-account carries into the next year (R-YE-1, C-02): `yearend.carry_over_years`
    times the year's allocation (corrections of the allocation included)."""
    return parameters.on(date(year, 12, 31)).ints["yearend.carry_over_years"] * allocation


def carried(*, balance: int, cap: int) -> int:
    """What a year-end close carries into the next year: the merged balance, at most the cap."""
    return max(0, min(balance, cap))


def forfeited(*, balance: int, cap: int, available: int) -> int:
    """What a year-end close forfeits: the merged balance above the cap, but never more than the account
    holds when the close runs (`available`, later years' entries included). A close run late, after claims
    of the new year drew on the whole balance, never forfeits money those claims have already drawn."""
    return max(0, min(balance - max(cap, 0), available))


YEARLY_PARAMETERS = frozenset(
    {
        "allocation.gp_owner",
        "allocation.gp_employed",
        "allocation.trainee_phase2",
        "allocation.trainee_phase3",
        "allocation.locum",
        "systematic.per_year",
        "staff.per_capacity",
        "trainee_phase2.period_months",
        "trainee_phase3.period_months",
        "yearend.carry_over_years",
    }
)
"""The parameters the allocation run and the year-end close read: a claim decided again as it was filed
keeps the allocation and balances it had, so only a replay of the accounts shows a change of these."""

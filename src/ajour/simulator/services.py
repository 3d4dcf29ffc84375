"""Running a reform on the records (`simulate`) and saving the run as a scenario (`save_scenario`).

The page, `POST /api/v1/simulations` and `ajour simulate` all call `simulate`, so they give the same
figures. Behaviour is held fixed: the same claims, for the same activities, filed on the same days.
"""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from ajour.accounts.models import Account, User
from ajour.rules import Decision
from ajour.rules.reforms import Reform, check_dates
from ajour.rules.replay import replay_accounts, replay_claims
from ajour.rules.yearly import YEARLY_PARAMETERS
from ajour.simulator import selectors
from ajour.simulator.models import Mode, Scenario
from ajour.simulator.results import ClaimRow, claim_row, figures
from ajour.simulator.selectors import Dimensions, Final, StoredClaim

DGE_GRANT = "dge.group_grant"


class SimulationError(ValueError):
    """A run the data cannot answer (no claims, a year without claims); the message is for the user."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class Run:
    results: dict[str, Any]
    rows: list[ClaimRow]
    snapshot: dict[str, int]
    seconds: float


def _final(decision: Decision) -> Final:
    return Final(
        outcome=decision.outcome,
        payable_ore=decision.payable_ore,
        self_chosen_ore=decision.self_chosen_ore,
        systematic_half_days=decision.systematic_half_days,
        staff_ore=decision.staff_ore,
    )


def check_year(year: int) -> tuple[date, date]:
    """The data's first and last day; refuses a year without replayable claims."""
    years = selectors.data_years()
    if years is None:
        raise SimulationError("year", _("There are no claims to replay."))
    first, last = years
    if not first <= year <= last:
        raise SimulationError(
            "year",
            _("Choose a year from %(first)d to %(last)d: the years with claims.")
            % {"first": first, "last": last},
        )
    return date(first, 1, 1), date(last, 12, 31)


def simulate(*, reform: Reform, year: int, mode: str) -> Run:
    """The reform run on the records for the activities held in `year`, per claim or per account.
    Raises SimulationError for a year without claims and ReformError for a date outside the data."""
    started = time.perf_counter()
    first, last = check_year(year)
    check_dates(reform, first=first, last=last)
    parameters = reform.parameters()
    snapshot = selectors.snapshot()
    today = selectors.stored_forfeits(year=year)
    if mode == Mode.CLAIM:
        stored = selectors.stored_claims(year=year)
        inputs = selectors.claim_inputs(stored)
        decisions = replay_claims([inputs[pk] for pk in stored], parameters)
        decided = dict(zip(stored, decisions, strict=True))
        forfeited = _forfeited(today, None)
    else:
        starts = reform.dates()
        histories, everything = selectors.account_histories(start=starts[0] if starts else None)
        replay = replay_accounts(histories, parameters)
        stored = {pk: claim for pk, claim in everything.items() if claim.activity_year == year}
        decided = {pk: replay.decisions[pk] for pk in stored if pk in replay.decisions}
        forfeits = {account: amount for (account, on), amount in replay.forfeited.items() if on == year}
        forfeited = _forfeited(today, forfeits)
    dimensions = selectors.dimensions(year=year)
    rows = [
        _row(
            claim, dimensions[pk], claim.stored if claim.settled or pk not in decided else _final(decided[pk])
        )
        for pk, claim in stored.items()
    ]
    groups, recorded = selectors.dge_groups(year=year)
    grant = parameters.on(date(year, 1, 1)).ints[DGE_GRANT]
    reform_grants = groups * grant if DGE_GRANT in reform.changed_parameters() else recorded
    left_out = selectors.left_out(year=year)
    head = {
        "reform": {
            "name": reform.name,
            "version": reform.version,
            "label": {"da": reform.label_da, "en": reform.label_en},
            "rules_version": parameters.version,
        },
        "year": year,
        "mode": str(mode),
        "data": snapshot,
        "claims_left_out": left_out,
    }
    results = figures(
        rows=rows,
        head=head,
        forfeited=forfeited,
        dge=(groups, recorded, reform_grants),
        notes=_notes(reform, year=year, mode=mode, rows=rows, left_out=left_out),
    )
    return Run(results=results, rows=rows, snapshot=snapshot, seconds=time.perf_counter() - started)


def _row(claim: StoredClaim, dimensions: Dimensions, reform: Final) -> ClaimRow:
    """A claim of the year; a claim the replay did not decide again (before the reform) is as stored."""
    return claim_row(
        claim_id=claim.id,
        doctor=claim.doctor_id,
        gp=dimensions.gp_id,
        dimensions={
            "role": dimensions.role,
            "region": dimensions.region,
            "provider_type": dimensions.provider_kind,
            "category": dimensions.category,
        },
        settled=claim.settled,
        today=claim.stored,
        reform=reform,
    )


def _forfeited(
    today: dict[int, int], reform: dict[int, int] | None
) -> dict[str, tuple[int, int | None, int]]:
    """Per account kind: forfeited today, under the reform (None: not recomputed), and accounts concerned."""
    kinds = selectors.account_kinds()
    sums: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    holders: dict[str, set[int]] = defaultdict(set)
    for which, found in ((0, today), (1, reform or {})):
        for account, amount in found.items():
            kind = kinds[account][0]
            sums[kind][which] += amount
            if amount:
                holders[kind].add(account)
    return {
        kind: (sums[kind][0], None if reform is None else sums[kind][1], len(holders[kind]))
        for kind in Account.Kind.values
    }


def _notes(
    reform: Reform, *, year: int, mode: str, rows: list[ClaimRow], left_out: int
) -> list[dict[str, Any]]:
    """What every result says about itself (rendered by `simulator.display.note_text`)."""
    notes: list[dict[str, Any]] = [{"code": "behaviour_held_fixed", "facts": {}}]
    changed = reform.changed_parameters()
    notes.append({"code": "per_claim" if mode == Mode.CLAIM else "per_account", "facts": {}})
    yearly = sorted(changed & YEARLY_PARAMETERS)
    if mode == Mode.CLAIM and yearly:
        notes.append({"code": "per_claim_misses", "facts": {"parameters": ", ".join(yearly)}})
    starts = reform.dates()
    if starts and starts[0] > date(year, 12, 31):
        notes.append({"code": "not_in_force", "facts": {"from": starts[0].isoformat()}})
    if DGE_GRANT in changed:
        notes.append({"code": "dge_grant", "facts": {}})
    settled = sum(1 for row in rows if row["settled"])
    if settled:
        notes.append({"code": "settled_by_hand", "facts": {"claims": settled}})
    if left_out:
        notes.append({"code": "left_out", "facts": {"claims": left_out}})
    return notes


@transaction.atomic
def save_scenario(*, author: User, reform: Reform, year: int, mode: str) -> Scenario:
    """Runs the reform and keeps the run (results cached, with the data it read) as a shareable scenario."""
    run = simulate(reform=reform, year=year, mode=mode)
    return Scenario.objects.create(
        author=author,
        reform=reform.document(),
        reform_name=reform.name,
        reform_version=reform.version,
        rules_version=run.results["reform"]["rules_version"],
        year=year,
        mode=mode,
        snapshot=run.snapshot,
        results=run.results,
        claim_rows=[row.as_list() for row in run.rows],
        seconds=round(run.seconds, 3),
    )

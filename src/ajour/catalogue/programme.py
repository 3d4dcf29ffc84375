"""Programme days from sessions, and what a participant can claim for them, decided by the rules engine.

Day classes are never computed here: a sample `ajour.claim/1` for a GP owner with full balances is
decided by `ajour.rules.decide`, and its days and lines are what providers, consultants and GPs see.
The thresholds live only in the engine's dated parameters; half course days are counted by
`ajour.rules.days.course_day_halves`, as everywhere else.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Protocol

from django.utils.translation import gettext as _

from ajour.core.bounds import TITLE_MAX, date_window_message, in_date_window
from ajour.rules import Decision, InvalidClaim, decide, decision_to_json, parse_claim
from ajour.rules.days import course_day_halves
from ajour.rules.schema import STAFF_TYPES

SAMPLE_SELF_CHOSEN_ORE = 2_140_000
SAMPLE_SYSTEMATIC_DAYS = 3
SAMPLE_STAFF = {"profession": "nurse", "weekly_hours": 37}

_LINE = re.compile(r"^(\d{4}-\d{2}-\d{2})\s+(\d{1,2}[:.]\d{2})\s*[-–]\s*(\d{1,2}[:.]\d{2})\s*(.*)$")


class ProgrammeError(ValueError):
    """A programme line that cannot be read; `line` is 1-based."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


@dataclass(frozen=True)
class Session:
    starts_at: time
    ends_at: time
    title: str = ""

    def as_json(self) -> dict[str, str]:
        return {"from": f"{self.starts_at:%H:%M}", "to": f"{self.ends_at:%H:%M}", "title": self.title}


@dataclass
class DayPlan:
    """One programme day: teaching from the first session's start to the last one's end."""

    date: dt.date
    starts_at: time
    ends_at: time
    break_minutes: int = 0
    sessions: list[Session] = field(default_factory=list)

    @classmethod
    def from_sessions(cls, day: dt.date, sessions: list[Session]) -> DayPlan:
        """The gaps between sessions are the day's breaks."""
        ordered = sorted(sessions, key=lambda s: s.starts_at)
        gaps = sum(
            max(0, _minutes(later.starts_at) - _minutes(earlier.ends_at))
            for earlier, later in zip(ordered, ordered[1:], strict=False)
        )
        return cls(day, ordered[0].starts_at, max(s.ends_at for s in ordered), gaps, ordered)


def _minutes(value: time) -> int:
    return value.hour * 60 + value.minute


def _time(text: str, line: int) -> time:
    try:
        return datetime.strptime(text.replace(".", ":"), "%H:%M").time()
    except ValueError:
        raise ProgrammeError(line, _("“%(value)s” is not a time (HH:MM).") % {"value": text}) from None


def parse_programme(text: str) -> list[DayPlan]:
    """Reads one session per line, `YYYY-MM-DD HH:MM-HH:MM title`; sessions overlapping are refused."""
    by_date: dict[date, list[Session]] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        match = _LINE.match(line)
        if not match:
            raise ProgrammeError(
                number, _("Write each session as “2026-03-05 09:00-12:00 Title” (date, times, title).")
            )
        try:
            day = date.fromisoformat(match.group(1))
        except ValueError:
            raise ProgrammeError(
                number, _("“%(value)s” is not a date.") % {"value": match.group(1)}
            ) from None
        if not in_date_window(day):
            raise ProgrammeError(number, date_window_message())
        title = match.group(4).strip()
        if len(title) > TITLE_MAX:
            raise ProgrammeError(
                number, _("A session title has at most %(count)s characters.") % {"count": TITLE_MAX}
            )
        session = Session(_time(match.group(2), number), _time(match.group(3), number), title)
        if session.ends_at <= session.starts_at:
            raise ProgrammeError(number, _("The session must end after it starts."))
        for other in by_date.get(day, []):
            if session.starts_at < other.ends_at and other.starts_at < session.ends_at:
                raise ProgrammeError(number, _("The session overlaps another session the same day."))
        by_date.setdefault(day, []).append(session)
    if not by_date:
        raise ProgrammeError(1, _("The programme needs at least one session."))
    return [DayPlan.from_sessions(day, sessions) for day, sessions in sorted(by_date.items())]


class ScheduledDay(Protocol):
    """A programme day as a `DayPlan` (typed in) or a stored `ProgrammeDay` has it."""

    @property
    def date(self) -> dt.date: ...
    @property
    def starts_at(self) -> time: ...
    @property
    def ends_at(self) -> time: ...
    @property
    def break_minutes(self) -> int: ...


def sample_claim(
    *,
    days: Iterable[ScheduledDay],
    claim_type: str,
    approval: str,
    price_ore: int,
    account: str = "auto",
    laegedage: bool = False,
    practice_purchase: bool = False,
) -> dict[str, object]:
    """The `ajour.claim/1` a GP owner with full balances would file the day after the last day."""
    day_rows: list[dict[str, object]] = [
        {
            "date": f"{day.date:%Y-%m-%d}",
            "from": f"{day.starts_at:%H:%M}",
            "to": f"{day.ends_at:%H:%M}",
            "break_minutes": int(day.break_minutes),
        }
        for day in days
    ]
    staff = claim_type in STAFF_TYPES
    return {
        "schema": "ajour.claim/1",
        "filed_on": max((str(row["date"]) for row in day_rows), default="2000-01-01"),
        "claimant": {"role": "gp_owner", "has_account": True},
        "balances": {
            "self_chosen_ore": SAMPLE_SELF_CHOSEN_ORE,
            "systematic_days": SAMPLE_SYSTEMATIC_DAYS,
            "staff_ore": SAMPLE_SELF_CHOSEN_ORE if staff else 0,
        },
        "activity": {
            "id": "preview",
            "type": claim_type,
            "approval": approval,
            "laegedage": laegedage,
            "practice_purchase": practice_purchase,
            "days": day_rows,
        },
        "account": account,
        "expenses": {"course_fee_ore": max(0, int(price_ore))},
        "staff": SAMPLE_STAFF if staff else None,
    }


def claim_preview(
    *,
    days: Iterable[ScheduledDay],
    claim_type: str,
    approval: str,
    price_ore: int,
    laegedage: bool = False,
    practice_purchase: bool = False,
    lang: str = "da",
) -> dict[str, object] | None:
    """Per-day classes and what a GP can claim, per account; None if the programme is not decidable.

    The result is JSON (it is cached on the instance): `days` from the engine, and `options`, one per
    account a GP could use (systematic first when the approval allows it).
    """
    days = list(days)
    if not days or approval == "none":
        return None
    accounts = ["auto", "self_chosen"] if approval in {"systematic", "both"} else ["self_chosen"]
    if claim_type in STAFF_TYPES:
        accounts = ["auto"]
    options = []
    decision: Decision | None = None
    for account in accounts:
        payload = sample_claim(
            days=days,
            claim_type=claim_type,
            approval=approval,
            price_ore=price_ore,
            account=account,
            laegedage=laegedage,
            practice_purchase=practice_purchase,
        )
        try:
            decision = decide(parse_claim(payload))
        except InvalidClaim:
            return None
        options.append(
            {
                "account": "staff"
                if claim_type in STAFF_TYPES
                else ("systematic" if decision.systematic_half_days else account),
                "payable_ore": decision.payable_ore,
                "fee_ore": sum(
                    line.approved_ore for line in decision.lines if line.item in {"fee", "lost_earnings"}
                ),
                "course_fee_ore": sum(
                    line.approved_ore for line in decision.lines if line.item == "course_fee"
                ),
                "systematic_half_days": decision.systematic_half_days,
                "outcome": decision.outcome,
            }
        )
    assert decision is not None  # `accounts` is never empty
    if len(options) == 2 and options[0]["account"] != "systematic":
        options = options[1:]  # systematic not reachable (e.g. a DGE type): show one option
    return {
        "rules_version": decision.rules_version,
        "days": decision_to_json(decision, lang)["days"],
        "qualifying_half_days": course_day_halves(day.day_class for day in decision.days),
        "fee_days": sum(1 for day in decision.days if day.fee_day),
        "options": options,
    }

"""Decision → ``ajour.decision/1`` dictionary, with messages and details in one language.

``parameters_used`` gives each parameter as ``{"value_<unit>": …, "valid_from": …, "source": …}``:
``value_ore`` (øre), ``value_minutes``, ``value_days``, ``value_basis_points`` (1/100 %) or
``value_date`` (ISO date). Systematic days are written ``1`` for whole days and ``1.5`` for halves.

Lines and reasons recur (the same rates, caps and thresholds decide most claims), so each is written
once per language and kept in a bounded cache; every call returns fresh dictionaries.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache

from ajour.rules.decide import Decision, Line, Reason
from ajour.rules.messages import BY_CODE, line_detail, reason_message
from ajour.rules.parameters import Snapshot

DECISION_SCHEMA = "ajour.decision/1"


def days_number(half_days: int) -> int | float:
    """Integer half-days as a JSON number of days: ``2`` → ``1``, ``3`` → ``1.5``."""
    return half_days // 2 if half_days % 2 == 0 else half_days / 2


def decision_to_json(decision: Decision, lang: str = "en") -> dict[str, object]:
    snapshot = decision.snapshot
    used = (
        {name: dict(entry) for name, entry in _parameters_used(snapshot, decision.parameters_used).items()}
        if snapshot is not None
        else {}
    )
    return {
        "schema": DECISION_SCHEMA,
        "outcome": decision.outcome,
        "payable_ore": decision.payable_ore,
        "lines": [_line(line, lang).copy() for line in decision.lines],
        "draws": {
            "self_chosen_ore": decision.self_chosen_ore,
            "systematic_days": days_number(decision.systematic_half_days),
            "staff_ore": decision.staff_ore,
        },
        "payee": decision.payee,
        "days": [
            {"date": day.isoformat(), "effective_minutes": minutes, "class": day_class, "fee_day": fee_day}
            for day, minutes, day_class, _qualifies, fee_day in decision.days
        ],
        "reasons": [_reason(reason, lang).copy() for reason in decision.reasons],
        "rules_version": decision.rules_version,
        "parameters_used": used,
    }


def _parameters_used(snapshot: Snapshot, names: frozenset[str]) -> Mapping[str, Mapping[str, object]]:
    """The ``parameters_used`` entries of these parameters, in name order, written once per snapshot and
    set of names (the caller copies them)."""
    written = snapshot.written.get(names)
    if written is None:
        written = {}
        for name in sorted(names):
            entry = snapshot.entries[name]
            value = entry.value
            assert not isinstance(value, frozenset)  # code lists are never listed (decide._Work.codes)
            written[name] = {
                f"value_{snapshot.units[name]}": value if isinstance(value, int) else value.isoformat(),
                "valid_from": entry.valid_from.isoformat(),
                "source": entry.source,
            }
        snapshot.written[names] = written
    return written


_CACHED = 20_000
"""Lines and reasons kept per language, each; least recently used go first."""


@lru_cache(maxsize=_CACHED)
def _line(line: Line, lang: str) -> dict[str, object]:
    language = BY_CODE[lang]
    data: dict[str, object] = {
        "item": line.item,
        "approved_ore": line.approved_ore,
        "requested_ore": line.requested_ore,
    }
    if line.cap_ore is not None:
        data["cap_ore"] = line.cap_ore
    data.update({"account": line.account, "rule": line.rule, "detail": line_detail(line, language)})
    return data


@lru_cache(maxsize=_CACHED)
def _reason(reason: Reason, lang: str) -> dict[str, object]:
    return {"code": reason.code, "rule": reason.rule, "message": reason_message(reason, BY_CODE[lang])}

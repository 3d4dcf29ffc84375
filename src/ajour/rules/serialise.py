"""Decision → ``ajour.decision/1`` dictionary, with messages and details in one language.

``parameters_used`` gives each parameter as ``{"value_<unit>": …, "valid_from": …, "source": …}``:
``value_ore`` (øre), ``value_minutes``, ``value_days``, ``value_basis_points`` (1/100 %) or
``value_date`` (ISO date). Systematic days are written ``1`` for whole days and ``1.5`` for halves.
"""

from __future__ import annotations

from ajour.rules.decide import Decision, Line
from ajour.rules.messages import BY_CODE, Language, line_detail, reason_message

DECISION_SCHEMA = "ajour.decision/1"


def days_number(half_days: int) -> int | float:
    """Integer half-days as a JSON number of days: ``2`` → ``1``, ``3`` → ``1.5``."""
    return half_days // 2 if half_days % 2 == 0 else half_days / 2


def decision_to_json(decision: Decision, lang: str = "en") -> dict[str, object]:
    language = BY_CODE[lang]
    snapshot = decision.snapshot
    used: dict[str, object] = {}
    if snapshot is not None:
        for name in sorted(decision.parameters_used):
            entry = snapshot.entries[name]
            value = entry.value
            assert not isinstance(value, frozenset)  # code lists are never listed (decide._Work.codes)
            used[name] = {
                f"value_{snapshot.units[name]}": value if isinstance(value, int) else value.isoformat(),
                "valid_from": entry.valid_from.isoformat(),
                "source": entry.source,
            }
    return {
        "schema": DECISION_SCHEMA,
        "outcome": decision.outcome,
        "payable_ore": decision.payable_ore,
        "lines": [_line(line, language) for line in decision.lines],
        "draws": {
            "self_chosen_ore": decision.self_chosen_ore,
            "systematic_days": days_number(decision.systematic_half_days),
            "staff_ore": decision.staff_ore,
        },
        "payee": decision.payee,
        "days": [
            {
                "date": day.date.isoformat(),
                "effective_minutes": day.effective_minutes,
                "class": day.day_class,
                "fee_day": day.fee_day,
            }
            for day in decision.days
        ],
        "reasons": [
            {"code": reason.code, "rule": reason.rule, "message": reason_message(reason, language)}
            for reason in decision.reasons
        ],
        "rules_version": decision.rules_version,
        "parameters_used": used,
    }


def _line(line: Line, language: Language) -> dict[str, object]:
    data: dict[str, object] = {
        "item": line.item,
        "approved_ore": line.approved_ore,
        "requested_ore": line.requested_ore,
    }
    if line.cap_ore is not None:
        data["cap_ore"] = line.cap_ore
    data.update({"account": line.account, "rule": line.rule, "detail": line_detail(line, language)})
    return data

"""The rules engine: one pure function decides every reimbursement claim.

Pure Python, no Django (an import-linter contract enforces it). The portal, the JSON API, the
policy simulator and ``ajour quote`` all go through this API:

- ``decide_payload(payload, *, lang="en", parameters=None) -> dict``: validate an
  ``ajour.claim/1`` document (decoded JSON), decide it and return the ``ajour.decision/1``
  document with messages in ``lang`` (``"en"`` or ``"da"``). Raises :class:`InvalidClaim`.
- ``InvalidClaim``: ``.field`` (dotted JSON path, ``""`` for the document itself), ``.message``
  and ``.as_json()`` → ``{"error": "invalid_claim", "field": …, "message": …}``.
- ``parse_claim(payload) -> Claim``, ``decide(claim, parameters=None) -> Decision`` and
  ``decision_to_json(decision, lang) -> dict``: the three steps of ``decide_payload``, typed.
- ``ParameterSet``: the dated parameters. ``ParameterSet.default()`` is the shipped set;
  ``.with_overrides({"threshold.full_day": 360})`` and ``.with_changes({name: [(date, value)]})`` are
  reforms with their own ``rules_version`` (:mod:`ajour.rules.reforms` reads reform documents,
  :mod:`ajour.rules.replay` replays stored claims under them).
- ``RULES_VERSION``: the version of the engine and the shipped parameter set.
- ``parameter_table(on, parameters=None) -> list[ParameterRow]``: every parameter in force on a date.

The contract is ``quote.md`` (shared specification); ``README.md`` beside this file records how
Ajour reads the places where it is unclear.
"""

from __future__ import annotations

from ajour.rules.decide import Decision, decide
from ajour.rules.parameters import ENGINE_VERSION, ParameterRow, ParameterSet, parameter_table
from ajour.rules.schema import Claim, InvalidClaim, parse_claim
from ajour.rules.serialise import decision_to_json

RULES_VERSION = ENGINE_VERSION


def decide_payload(
    payload: object, *, lang: str = "en", parameters: ParameterSet | None = None
) -> dict[str, object]:
    """Validate, decide and serialise one claim; raises :class:`InvalidClaim` on invalid input."""
    return decision_to_json(decide(parse_claim(payload), parameters), lang)


__all__ = [
    "RULES_VERSION",
    "Claim",
    "Decision",
    "InvalidClaim",
    "ParameterRow",
    "ParameterSet",
    "decide",
    "decide_payload",
    "decision_to_json",
    "parameter_table",
    "parse_claim",
]

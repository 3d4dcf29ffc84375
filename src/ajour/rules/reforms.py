"""Named reforms: override sets for the policy simulator ("what would this claim get if…").

A reform is the shipped parameter set with some values replaced on every date; the engine is
unchanged. The resulting set has its own ``rules_version`` (engine version + a short hash of the
overrides), so a decision always says which rules made it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from ajour.rules.parameters import ParameterSet, ParameterValue


@dataclass(frozen=True, slots=True)
class Reform:
    name: str
    label_en: str
    label_da: str
    overrides: Mapping[str, ParameterValue]

    def parameters(self, base: ParameterSet | None = None) -> ParameterSet:
        return (base or ParameterSet.default()).with_overrides(self.overrides)


DSAM_THREE_TIMES_TWO_HOURS = Reform(
    name="dsam_3x2h",
    label_en="DSAM proposal (rejected): a teaching day of 3 × 2 hours instead of 2 × 3 hours",
    label_da="DSAM-forslag (afvist): en undervisningsdag på 3 × 2 timer i stedet for 2 × 3 timer",
    # Ajour's reading: the unit becomes a 2-hour block, so a half day needs 2 h and a full day 4 h.
    overrides={"threshold.half_day": 120, "threshold.full_day": 240},
)

REFORMS = {reform.name: reform for reform in (DSAM_THREE_TIMES_TWO_HOURS,)}

"""The dated parameter store: every amount, cap, threshold and date the rules read.

Values live in YAML files under ``parameters/`` (one entry per parameter: unit, Danish and
English label, and dated values with their source). A rate change is a new dated value, not a
code change. Lookups happen on the activity date; before a parameter's earliest ``valid_from``
its earliest value applies. A reform is the same store with some values replaced, on every date
(:meth:`ParameterSet.with_overrides`) or from given dates (:meth:`ParameterSet.with_changes`); it gets
its own ``rules_version``.
"""

from __future__ import annotations

import hashlib
import json
from bisect import bisect_right
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from importlib import resources

import yaml

ENGINE_VERSION = "2026.1"

UNITS = (
    "ore",
    "minutes",
    "days",
    "half_days",
    "months",
    "years",
    "characters",
    "basis_points",
    "date",
    "codes",
)
"""Money in øre, time in minutes, gaps in calendar days, systematic and course days in half days,
periods in months or years, text lengths in characters, shares in basis points (1/100 %), dates,
and codes: a set of names (roles, professions, activity types) that a rule admits or excludes."""

ParameterValue = int | date | frozenset[str]


class ParameterError(ValueError):
    """A parameter file or an override is malformed."""


@dataclass(frozen=True, slots=True)
class DatedValue:
    valid_from: date
    value: ParameterValue
    source: str
    assumed: bool


@dataclass(frozen=True, slots=True)
class Parameter:
    name: str
    unit: str
    label_en: str
    label_da: str
    values: tuple[DatedValue, ...]
    """Sorted by ``valid_from``, never empty."""

    def at(self, on: date) -> DatedValue:
        """The value in force on ``on``; the earliest value before the first ``valid_from``."""
        chosen = self.values[0]
        for candidate in self.values[1:]:
            if candidate.valid_from > on:
                break
            chosen = candidate
        return chosen


@dataclass(frozen=True, slots=True)
class Snapshot:
    """All parameter values in force on one date (the same for every date of a period)."""

    entries: Mapping[str, DatedValue]
    units: Mapping[str, str]
    ints: Mapping[str, int]
    dates: Mapping[str, date]
    codes: Mapping[str, frozenset[str]]
    written: dict[frozenset[str], dict[str, dict[str, object]]] = field(
        default_factory=dict, compare=False, repr=False
    )
    """``parameters_used`` entries already written for a set of names (``serialise``)."""


DatedChanges = Mapping[str, Sequence[tuple[date, ParameterValue]]]
"""Per parameter, the values a reform gives it from dates on: ``{name: [(valid_from, value), …]}``."""


class ParameterSet:
    """A complete set of dated parameters plus the ``rules_version`` that identifies it."""

    def __init__(
        self,
        parameters: Mapping[str, Parameter],
        overrides: Mapping[str, ParameterValue],
        changes: DatedChanges | None = None,
    ) -> None:
        self._parameters = dict(parameters)
        self._overrides = dict(overrides)
        self._dated = {name: tuple(steps) for name, steps in (changes or {}).items()}
        self._snapshots: dict[int, Snapshot] = {}
        self._by_day: dict[date, Snapshot] = {}
        self._changes = sorted({value.valid_from for p in self._parameters.values() for value in p.values})
        self._units = {name: parameter.unit for name, parameter in self._parameters.items()}
        changed = self._overrides or self._dated
        self.version = ENGINE_VERSION + (f"+{_digest(self._overrides, self._dated)}" if changed else "")

    @staticmethod
    def default() -> ParameterSet:
        """The parameter set shipped in ``parameters/*.yaml`` (loaded once per process)."""
        return _default_set()

    @property
    def parameters(self) -> Mapping[str, Parameter]:
        return self._parameters

    def on(self, day: date) -> Snapshot:
        """The values in force on ``day``: one cached snapshot per period between value changes."""
        snapshot = self._by_day.get(day)
        if snapshot is None:
            snapshot = self._by_day[day] = self._period(day)
        return snapshot

    def _period(self, day: date) -> Snapshot:
        period = bisect_right(self._changes, day)
        snapshot = self._snapshots.get(period)
        if snapshot is None:
            entries = {name: parameter.at(day) for name, parameter in self._parameters.items()}
            ints: dict[str, int] = {}
            dates: dict[str, date] = {}
            codes: dict[str, frozenset[str]] = {}
            for name, entry in entries.items():
                if isinstance(entry.value, date):
                    dates[name] = entry.value
                elif isinstance(entry.value, frozenset):
                    codes[name] = entry.value
                else:
                    ints[name] = entry.value
            snapshot = Snapshot(entries=entries, units=self._units, ints=ints, dates=dates, codes=codes)
            self._snapshots[period] = snapshot
        return snapshot

    def periods(self) -> tuple[tuple[date, ...], tuple[Snapshot, ...]]:
        """The dates on which some value changes, and the snapshot in force in each period: before the
        first change, then from each change until the next (what :meth:`on` gives for any day of it)."""
        return tuple(self._changes), tuple(self.on(day) for day in [date.min, *self._changes])

    def with_overrides(self, overrides: Mapping[str, object]) -> ParameterSet:
        """A reform: each named parameter takes the given value on every date (source ``reform``); a
        code list may be given as any list, tuple or set of names."""
        replaced = dict(self._parameters)
        checked: dict[str, ParameterValue] = {}
        for name, given in overrides.items():
            parameter = self._parameters.get(name)
            if parameter is None:
                raise ParameterError(f"unknown parameter {name!r}")
            value = checked[name] = _checked_value(name, parameter.unit, given)
            first = parameter.values[0].valid_from
            replaced[name] = Parameter(
                name=name,
                unit=parameter.unit,
                label_en=parameter.label_en,
                label_da=parameter.label_da,
                values=(DatedValue(valid_from=first, value=value, source="reform", assumed=False),),
            )
        return ParameterSet(replaced, {**self._overrides, **checked}, self._dated)

    def with_changes(self, changes: Mapping[str, Sequence[tuple[date, object]]]) -> ParameterSet:
        """A reform with dates: from each given date on, the parameter takes the given value (source
        ``reform``) until the next given date; before the first, the values it had. Values are checked
        against the parameter's unit like the shipped ones."""
        replaced = dict(self._parameters)
        recorded: dict[str, tuple[tuple[date, ParameterValue], ...]] = {}
        for name, given in changes.items():
            parameter = self._parameters.get(name)
            if parameter is None:
                raise ParameterError(f"unknown parameter {name!r}")
            steps = sorted(
                ((day, _checked_value(name, parameter.unit, value)) for day, value in given),
                key=lambda step: step[0],
            )
            dates = [day for day, _value in steps]
            if not steps or len(set(dates)) != len(dates):
                raise ParameterError(f"{name}: give each date once, and at least one")
            kept = tuple(value for value in parameter.values if value.valid_from < dates[0])
            new = tuple(
                DatedValue(valid_from=day, value=value, source="reform", assumed=False)
                for day, value in steps
            )
            replaced[name] = Parameter(
                name=name,
                unit=parameter.unit,
                label_en=parameter.label_en,
                label_da=parameter.label_da,
                values=kept + new,
            )
            recorded[name] = tuple(steps)
        return ParameterSet(replaced, self._overrides, {**self._dated, **recorded})


def _canonical(value: ParameterValue) -> object:
    return sorted(value) if isinstance(value, frozenset) else str(value)


def _digest(
    overrides: Mapping[str, ParameterValue],
    dated: Mapping[str, tuple[tuple[date, ParameterValue], ...]],
) -> str:
    document: object = {k: _canonical(v) for k, v in sorted(overrides.items())}
    if dated:
        changes = {k: [[day.isoformat(), _canonical(v)] for day, v in steps] for k, steps in dated.items()}
        document = {"overrides": document, "changes": changes}
    canonical = json.dumps(document, sort_keys=True)
    return hashlib.sha256(canonical.encode()).hexdigest()[:8]


def _checked_value(name: str, unit: str, value: object) -> ParameterValue:
    """The value as the store keeps it (a code list becomes a frozenset), or ParameterError."""
    if unit == "codes":
        if isinstance(value, list | tuple | frozenset | set) and all(isinstance(code, str) for code in value):
            return frozenset(value)
    elif unit == "date":
        if isinstance(value, date):
            return value
    elif isinstance(value, int) and not isinstance(value, bool):
        return value
    raise ParameterError(f"{name}: value {value!r} does not fit unit {unit}")


def load_parameters(texts: Mapping[str, str]) -> dict[str, Parameter]:
    """Parse parameter YAML documents (file name → text) into parameters, checking their shape."""
    parameters: dict[str, Parameter] = {}
    for file_name, text in sorted(texts.items()):
        for name, spec in yaml.safe_load(text).items():
            unit = spec["unit"]
            if unit not in UNITS:
                raise ParameterError(f"{file_name}: {name}: unknown unit {unit!r}")
            values = []
            for entry in spec["values"]:
                dated = DatedValue(
                    valid_from=entry["valid_from"],
                    value=_checked_value(name, unit, entry["value"]),
                    source=str(entry["source"]),
                    assumed=entry.get("note") == "assumed",
                )
                values.append(dated)
            if [v.valid_from for v in values] != sorted({v.valid_from for v in values}):
                raise ParameterError(f"{file_name}: {name}: values must have distinct, ascending dates")
            parameters[name] = Parameter(
                name=name,
                unit=unit,
                label_en=spec["label"]["en"],
                label_da=spec["label"]["da"],
                values=tuple(values),
            )
    return parameters


@cache
def _default_set() -> ParameterSet:
    folder = resources.files("ajour.rules") / "parameters"
    texts = {
        item.name: item.read_text(encoding="utf-8")
        for item in folder.iterdir()
        if item.name.endswith(".yaml")
    }
    return ParameterSet(load_parameters(texts), {})


@dataclass(frozen=True, slots=True)
class ParameterRow:
    """One line of the table of parameters in force (``ajour rules params``)."""

    name: str
    unit: str
    value: ParameterValue
    valid_from: date
    source: str
    assumed: bool
    label_en: str
    label_da: str


def parameter_table(on: date, parameters: ParameterSet | None = None) -> list[ParameterRow]:
    """Every parameter in force on ``on``, sorted by name."""
    chosen = parameters or ParameterSet.default()
    rows = []
    for name, parameter in sorted(chosen.parameters.items()):
        entry = parameter.at(on)
        rows.append(
            ParameterRow(
                name=name,
                unit=parameter.unit,
                value=entry.value,
                valid_from=entry.valid_from,
                source=entry.source,
                assumed=entry.assumed,
                label_en=parameter.label_en,
                label_da=parameter.label_da,
            )
        )
    return rows

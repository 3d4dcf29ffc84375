"""Reforms for the policy simulator: named, versioned sets of dated parameter changes and rule switches.

A reform is a YAML document (``ajour.reform/1``; the shipped examples are in ``reforms/*.yaml``)::

    schema: ajour.reform/1
    name: allocation_23000            # lower-case letters, digits and _
    version: 1                        # a whole number ≥ 1; raise it when the content changes
    label: {da: …, en: …}
    description: {da: …, en: …}
    overrides:                        # from valid_from on, the parameter takes value (in its unit)
      - {parameter: allocation.gp_owner, valid_from: 2025-01-01, unit: ore, value: 2300000}
    switches:                         # rules turned off (or back on) from a date
      - {switch: carry_over, valid_from: 2025-01-01, on: false}

The engine is unchanged: a reform is the shipped parameter set with values replaced from the given dates
(:meth:`ParameterSet.with_changes`), and its decisions carry their own ``rules_version``. A rule switch
is a named set of parameter values (:data:`SWITCHES`): turned off, they become the switch's values;
``on: true`` keeps the rule as shipped. Each override names its unit, so that øre are never read as
kroner. Every error names the key it is about (``overrides[0].value``), in English and Danish.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib import resources

import yaml

from ajour.rules.parameters import ParameterError, ParameterSet, ParameterValue

SCHEMA = "ajour.reform/1"
_NAME = re.compile(r"[a-z][a-z0-9_]{0,59}")
LANGUAGES = ("da", "en")


@dataclass(frozen=True, slots=True)
class Switch:
    """A rule that can be turned off: the parameter values that turn it off."""

    name: str
    label_en: str
    label_da: str
    off: Mapping[str, ParameterValue]

    def label(self, lang: str) -> str:
        return self.label_da if lang == "da" else self.label_en


SWITCHES: Mapping[str, Switch] = {
    switch.name: switch
    for switch in (
        Switch(
            "systematic_days",
            "Systematic days: approved courses draw systematic days",
            "Systematiske dage: godkendte kurser trækker systematiske dage",
            {"eligibility.systematic_activity_types": frozenset()},
        ),
        Switch(
            "study_material",
            "Study material is reimbursed (up to its share of the allocation)",
            "Studiemateriale refunderes (op til sin andel af tildelingen)",
            {"material.share": 0},
        ),
        Switch(
            "transport",
            "Transport is reimbursed (up to the caps per block)",
            "Transport refunderes (op til loftet pr. blok)",
            {"cap.transport.per_block": 0, "cap.transport.laegedage": 0, "cap.transport.staff_per_block": 0},
        ),
        Switch(
            "carry_over",
            "Year-end carry-over: unused money and days move to the next year (up to the cap)",
            "Overførsel ved årsskifte: ubrugte penge og dage flyttes til næste år (op til loftet)",
            {"yearend.carry_over_years": 0},
        ),
    )
}
"""Every rule switch, by name; each turns off by setting parameters the engine or the yearly runs read."""


@dataclass(frozen=True, slots=True)
class Override:
    parameter: str
    valid_from: date
    value: ParameterValue


@dataclass(frozen=True, slots=True)
class SwitchSetting:
    switch: str
    valid_from: date
    on: bool


@dataclass(frozen=True, slots=True)
class Reform:
    name: str
    version: int
    label_da: str
    label_en: str
    description_da: str
    description_en: str
    overrides: tuple[Override, ...]
    switches: tuple[SwitchSetting, ...] = ()

    def label(self, lang: str) -> str:
        return self.label_da if lang == "da" else self.label_en

    def description(self, lang: str) -> str:
        return self.description_da if lang == "da" else self.description_en

    def changes(self) -> dict[str, list[tuple[date, ParameterValue]]]:
        """The dated values the reform gives each parameter, switches turned off included (a switch
        turned back on returns its parameters to the shipped values from that date)."""
        changes: dict[str, list[tuple[date, ParameterValue]]] = {}
        for override in self.overrides:
            changes.setdefault(override.parameter, []).append((override.valid_from, override.value))
        default = ParameterSet.default()
        for setting in self.switches:
            for name, off in SWITCHES[setting.switch].off.items():
                value = default.parameters[name].at(setting.valid_from).value if setting.on else off
                changes.setdefault(name, []).append((setting.valid_from, value))
        return changes

    def parameters(self, base: ParameterSet | None = None) -> ParameterSet:
        return (base or ParameterSet.default()).with_changes(self.changes())

    def changed_parameters(self) -> frozenset[str]:
        return frozenset(self.changes())

    def dates(self) -> list[date]:
        return sorted({o.valid_from for o in self.overrides} | {s.valid_from for s in self.switches})

    def document(self) -> dict[str, object]:
        """The reform as an ``ajour.reform/1`` document (dates as ISO text): what is stored and shown."""
        return {
            "schema": SCHEMA,
            "name": self.name,
            "version": self.version,
            "label": {"da": self.label_da, "en": self.label_en},
            "description": {"da": self.description_da, "en": self.description_en},
            "overrides": [
                {
                    "parameter": o.parameter,
                    "valid_from": o.valid_from.isoformat(),
                    "unit": ParameterSet.default().parameters[o.parameter].unit,
                    "value": _plain(o.value),
                }
                for o in self.overrides
            ],
            "switches": [
                {"switch": s.switch, "valid_from": s.valid_from.isoformat(), "on": s.on}
                for s in self.switches
            ],
        }

    def yaml(self) -> str:
        return yaml.safe_dump(self.document(), allow_unicode=True, sort_keys=False, width=100)


def _plain(value: ParameterValue) -> object:
    if isinstance(value, frozenset):
        return sorted(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


# --- errors ----------------------------------------------------------------------------------------

_MESSAGES: Mapping[str, tuple[str, str]] = {
    "not_yaml": ("is not a YAML document: {detail}", "er ikke et YAML-dokument: {detail}"),
    "not_object": ("must be an object (key: value)", "skal være et objekt (nøgle: værdi)"),
    "missing": ("is required", "skal udfyldes"),
    "unknown_key": ("is not a key of {where}", "er ikke en nøgle i {where}"),
    "schema": ("must be {schema}", "skal være {schema}"),
    "name": (
        "must be 1–60 lower-case letters, digits or _, starting with a letter",
        "skal være 1–60 små bogstaver, cifre eller _, og begynde med et bogstav",
    ),
    "version": ("must be a whole number of at least 1", "skal være et helt tal på mindst 1"),
    "text": ("must be a text of at most {length} characters", "skal være en tekst på højst {length} tegn"),
    "list": ("must be a list", "skal være en liste"),
    "nothing": (
        "a reform must change at least one parameter or switch",
        "en reform skal ændre mindst én parameter eller regel",
    ),
    "unknown_parameter": (
        "{name} is not a parameter (see `ajour rules params`)",
        "{name} er ikke en parameter (se `ajour rules params`)",
    ),
    "unknown_switch": (
        "{name} is not a rule switch; choose one of {choices}",
        "{name} er ikke en regel der kan slås fra; vælg en af {choices}",
    ),
    "wrong_unit": ("{name} is in {unit}, not {given}", "{name} er i {unit}, ikke {given}"),
    "bad_value": (
        "{value} does not fit {name}, which is in {unit}",
        "{value} passer ikke til {name}, som er i {unit}",
    ),
    "negative": ("{name} cannot be negative", "{name} kan ikke være negativ"),
    "date": ("must be a date written YYYY-MM-DD", "skal være en dato skrevet ÅÅÅÅ-MM-DD"),
    "boolean": ("must be true or false", "skal være true eller false"),
    "twice": (
        "{name} is changed twice from {day}",
        "{name} ændres to gange fra {day}",
    ),
    "unknown_example": ("{name} is not an example reform", "{name} er ikke en eksempelreform"),
    "reform_or_example": (
        "give either a reform document (reform) or the name of an example (example)",
        "angiv enten en reform (reform) eller navnet på et eksempel (example)",
    ),
    "outside_data": (
        "{day} lies outside the data, which runs from {first} to {last}",
        "{day} ligger uden for data, som går fra {first} til {last}",
    ),
}


class ReformError(ValueError):
    """The reform document is invalid; ``key`` is the path of the offending value (``""``: the document)."""

    def __init__(self, key: str, code: str, **facts: object) -> None:
        self.key = key
        self.code = code
        self.facts = facts
        super().__init__(f"{key or '(document)'}: {self.message('en')}")

    def message(self, lang: str = "en") -> str:
        english, danish = _MESSAGES[self.code]
        return (danish if lang == "da" else english).format(**self.facts)

    def as_json(self, lang: str = "en") -> dict[str, str]:
        return {"error": "invalid_reform", "field": self.key, "message": self.message(lang)}


# --- reading and checking a document ----------------------------------------------------------------

_TOP_KEYS = ("schema", "name", "version", "label", "description", "overrides", "switches")
_OVERRIDE_KEYS = ("parameter", "valid_from", "unit", "value")
_SWITCH_KEYS = ("switch", "valid_from", "on")
MAX_TEXT = {"label": 120, "description": 2000}


def load_reform(text: str) -> Reform:
    """A reform from YAML text; raises :class:`ReformError`."""
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise ReformError("", "not_yaml", detail=str(error).splitlines()[0]) from None
    return parse_reform(document)


def parse_reform(document: object) -> Reform:
    """A reform from a decoded document (YAML or JSON: dates as dates or ISO text); raises
    :class:`ReformError` naming the first invalid key."""
    top = _object(document, "")
    _known_keys(top, _TOP_KEYS, "", "ajour.reform/1")
    if _required(top, "schema", "") != SCHEMA:
        raise ReformError("schema", "schema", schema=SCHEMA)
    name = _required(top, "name", "")
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        raise ReformError("name", "name")
    version = _required(top, "version", "")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise ReformError("version", "version")
    label = _texts(top, "label")
    description = _texts(top, "description")
    overrides = tuple(
        _override(item, f"overrides[{index}]") for index, item in enumerate(_list(top, "overrides"))
    )
    switches = tuple(_switch(item, f"switches[{index}]") for index, item in enumerate(_list(top, "switches")))
    if not overrides and not switches:
        raise ReformError("overrides", "nothing")
    reform = Reform(
        name=name,
        version=version,
        label_da=label["da"],
        label_en=label["en"],
        description_da=description["da"],
        description_en=description["en"],
        overrides=overrides,
        switches=switches,
    )
    _refuse_repeats(reform)
    return reform


def _object(value: object, key: str) -> Mapping[str, object]:
    if not isinstance(value, Mapping) or not all(isinstance(k, str) for k in value):
        raise ReformError(key, "not_object")
    return value


def _known_keys(value: Mapping[str, object], known: Sequence[str], key: str, where: str) -> None:
    for name in value:
        if name not in known:
            raise ReformError(_join(key, name), "unknown_key", where=where)


def _join(key: str, name: str) -> str:
    return f"{key}.{name}" if key else name


def _required(value: Mapping[str, object], name: str, key: str) -> object:
    if value.get(name) is None:
        raise ReformError(_join(key, name), "missing")
    return value[name]


def _texts(top: Mapping[str, object], name: str) -> dict[str, str]:
    texts = _object(_required(top, name, ""), name)
    _known_keys(texts, LANGUAGES, name, "da, en")
    found = {}
    for lang in LANGUAGES:
        text = _required(texts, lang, name)
        if not isinstance(text, str) or not text.strip() or len(text) > MAX_TEXT[name]:
            raise ReformError(f"{name}.{lang}", "text", length=MAX_TEXT[name])
        found[lang] = text.strip()
    return found


def _list(top: Mapping[str, object], name: str) -> list[object]:
    value = top.get(name)
    if value is None:
        return []
    if not isinstance(value, list):
        raise ReformError(name, "list")
    return value


def _date(value: object, key: str) -> date:
    if isinstance(value, date):
        return value
    if isinstance(value, str) and re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise ReformError(key, "date")


def _override(item: object, key: str) -> Override:
    entry = _object(item, key)
    _known_keys(entry, _OVERRIDE_KEYS, key, "an override (parameter, valid_from, unit, value)")
    name = _required(entry, "parameter", key)
    parameter = ParameterSet.default().parameters.get(name) if isinstance(name, str) else None
    if parameter is None:
        raise ReformError(f"{key}.parameter", "unknown_parameter", name=name)
    valid_from = _date(_required(entry, "valid_from", key), f"{key}.valid_from")
    unit = _required(entry, "unit", key)
    if unit != parameter.unit:
        raise ReformError(f"{key}.unit", "wrong_unit", name=parameter.name, unit=parameter.unit, given=unit)
    value = _required(entry, "value", key)
    if parameter.unit == "date":
        value = _date(value, f"{key}.value")
    try:
        checked = ParameterSet.default().with_changes({parameter.name: [(valid_from, value)]})
    except ParameterError:
        raise ReformError(
            f"{key}.value", "bad_value", name=parameter.name, unit=parameter.unit, value=value
        ) from None
    stored = checked.parameters[parameter.name].at(valid_from).value
    if isinstance(stored, int) and stored < 0:
        raise ReformError(f"{key}.value", "negative", name=parameter.name)
    return Override(parameter.name, valid_from, stored)


def _switch(item: object, key: str) -> SwitchSetting:
    entry = _object(item, key)
    _known_keys(entry, _SWITCH_KEYS, key, "a switch (switch, valid_from, on)")
    name = _required(entry, "switch", key)
    if not isinstance(name, str) or name not in SWITCHES:
        raise ReformError(f"{key}.switch", "unknown_switch", name=name, choices=", ".join(SWITCHES))
    valid_from = _date(_required(entry, "valid_from", key), f"{key}.valid_from")
    on = entry.get("on", False)
    if not isinstance(on, bool):
        raise ReformError(f"{key}.on", "boolean")
    return SwitchSetting(name, valid_from, on)


def _refuse_repeats(reform: Reform) -> None:
    """Each parameter is given one value per date, by an override or by a switch."""
    seen: set[tuple[str, date]] = set()
    for index, override in enumerate(reform.overrides):
        if (override.parameter, override.valid_from) in seen:
            day = override.valid_from.isoformat()
            raise ReformError(f"overrides[{index}].valid_from", "twice", name=override.parameter, day=day)
        seen.add((override.parameter, override.valid_from))
    for index, setting in enumerate(reform.switches):
        for name in SWITCHES[setting.switch].off:
            if (name, setting.valid_from) in seen:
                day = setting.valid_from.isoformat()
                raise ReformError(f"switches[{index}].valid_from", "twice", name=name, day=day)
            seen.add((name, setting.valid_from))


def check_dates(reform: Reform, *, first: date, last: date) -> None:
    """Every date of the reform lies within the data (`first` to `last`): a change outside it could
    change nothing the records show. Raises :class:`ReformError` naming the first date outside."""
    keyed = [(f"overrides[{i}].valid_from", o.valid_from) for i, o in enumerate(reform.overrides)]
    keyed += [(f"switches[{i}].valid_from", s.valid_from) for i, s in enumerate(reform.switches)]
    for key, day in keyed:
        if not first <= day <= last:
            raise ReformError(
                key, "outside_data", day=day.isoformat(), first=first.isoformat(), last=last.isoformat()
            )


# --- the shipped examples ----------------------------------------------------------------------------


@cache
def shipped_reforms() -> dict[str, Reform]:
    """The example reforms in ``reforms/*.yaml``, by name (loaded once per process)."""
    folder = resources.files("ajour.rules") / "reforms"
    texts = [item.read_text(encoding="utf-8") for item in folder.iterdir() if item.name.endswith(".yaml")]
    return {reform.name: reform for reform in sorted(map(load_reform, texts), key=lambda reform: reform.name)}

"""The reform builder: pick parameters from the table in force, set new values and dates, switch rules
off, choose the year and the mode. The form writes an ``ajour.reform/1`` document and the rules engine
checks it (`rules.reforms.parse_reform`), so the page, the file and the API are checked alike."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from ajour.rules import ParameterSet
from ajour.rules.parameters import ParameterValue
from ajour.rules.reforms import SCHEMA, SWITCHES, Reform, ReformError, load_reform
from ajour.simulator.display import language
from ajour.simulator.models import Mode

MAX_FILE_BYTES = 100_000
UNIT_HINTS = {
    "ore": _("DKK"),
    "basis_points": _("%"),
    "minutes": _("minutes"),
    "days": _("days"),
    "half_days": _("half days"),
    "months": _("months"),
    "years": _("years"),
    "characters": _("characters"),
    "date": _("date, YYYY-MM-DD"),
    "codes": _("codes, separated by commas"),
}
"""What a value is entered in on the page, by the parameter's unit (money in kroner, shares in per cent)."""


def _parameter_choices() -> list[tuple[str, str]]:
    english = language() == "en"
    rows = sorted(ParameterSet.default().parameters.values(), key=lambda p: p.name)
    return [("", "—")] + [
        (p.name, f"{p.name} — {p.label_en if english else p.label_da} ({UNIT_HINTS[p.unit]})") for p in rows
    ]


def parse_value(unit: str, text: str) -> ParameterValue:
    """A value as entered on the page, in the parameter's unit as the rules store it; or ValidationError."""
    text = text.strip()
    if unit == "codes":
        return frozenset(code.strip() for code in text.split(",") if code.strip())
    if unit == "date":
        try:
            return date.fromisoformat(text)
        except ValueError:
            raise ValidationError(_("Enter the date as YYYY-MM-DD.")) from None
    number = _number(text)
    if unit == "ore":
        scaled = number * 100
    elif unit == "basis_points":
        scaled = number * 100
    else:
        scaled = number
    if scaled != scaled.to_integral_value():
        raise ValidationError(_("Enter a whole number of %(unit)s.") % {"unit": UNIT_HINTS[unit]})
    return int(scaled)


def _number(text: str) -> Decimal:
    """`23.000`, `23000`, `23.000,50`, `23000.50` or `23,5`: Danish or English writing of a number."""
    cleaned = re.sub(r"(?i)\s|kr\.?|dkk|%", "", text)
    if "," in cleaned:
        cleaned = cleaned.replace(".", "").replace(",", ".")
    elif re.fullmatch(r"-?\d{1,3}(\.\d{3})+", cleaned):
        cleaned = cleaned.replace(".", "")
    try:
        return Decimal(cleaned)
    except InvalidOperation:
        raise ValidationError(_("Enter a number, e.g. 23.000 or 23000.")) from None


def display_value(unit: str, value: ParameterValue) -> str:
    """A stored value as the page shows and takes it."""
    if isinstance(value, frozenset):
        return ", ".join(sorted(value))
    if isinstance(value, date):
        return value.isoformat()
    if unit in ("ore", "basis_points"):
        whole, part = divmod(value, 100)
        return str(whole) if part == 0 else f"{whole},{part:02d}"
    return str(value)


class OverrideForm(forms.Form):
    parameter = forms.ChoiceField(label=_("Parameter"), required=False)
    valid_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    value = forms.CharField(label=_("New value"), required=False, max_length=200)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        parameter = self.fields["parameter"]
        assert isinstance(parameter, forms.ChoiceField)
        parameter.choices = _parameter_choices()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        name, valid_from, text = data.get("parameter"), data.get("valid_from"), data.get("value", "")
        if not name:
            if valid_from or text:
                self.add_error("parameter", _("Choose the parameter to change."))
            return data
        if valid_from is None:
            self.add_error("valid_from", _("Enter the date the new value applies from."))
        if not text:
            self.add_error("value", _("Enter the new value."))
            return data
        unit = ParameterSet.default().parameters[name].unit
        try:
            data["parsed"] = parse_value(unit, text)
        except ValidationError as error:
            self.add_error("value", error)
        return data

    def entry(self) -> dict[str, object] | None:
        """The override as a document entry, or None for an empty row."""
        data = self.cleaned_data
        if not data.get("parameter"):
            return None
        value = data["parsed"]
        unit = ParameterSet.default().parameters[data["parameter"]].unit
        return {
            "parameter": data["parameter"],
            "valid_from": data["valid_from"],
            "unit": unit,
            "value": sorted(value) if isinstance(value, frozenset) else value,
        }


OverrideFormSet = forms.formset_factory(OverrideForm, extra=0, min_num=1, max_num=40, absolute_max=40)


class ReformForm(forms.Form):
    """Who the reform is, the year and mode to run it for, and the switches; the changes are a formset."""

    name = forms.SlugField(
        label=_("Short name"),
        max_length=60,
        help_text=_("Lower-case letters, digits and _, e.g. allocation_23000."),
    )
    version = forms.IntegerField(label=_("Version"), min_value=1, initial=1)
    label_da = forms.CharField(label=_("Title in Danish"), max_length=120)
    label_en = forms.CharField(label=_("Title in English"), max_length=120)
    description_da = forms.CharField(
        label=_("Description in Danish"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    description_en = forms.CharField(
        label=_("Description in English"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    switches_from = forms.DateField(
        label=_("Rules switched off from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    year = forms.TypedChoiceField(label=_("Year the activities were held"), coerce=int)
    mode = forms.ChoiceField(
        label=_("Mode"), choices=Mode.choices, initial=Mode.ACCOUNT, widget=forms.RadioSelect
    )

    def __init__(self, *args: Any, years: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        year = self.fields["year"]
        assert isinstance(year, forms.TypedChoiceField)
        year.choices = [(y, str(y)) for y in years]
        for switch in SWITCHES.values():
            self.fields[f"off_{switch.name}"] = forms.BooleanField(
                label=_("Switch off: %(rule)s") % {"rule": switch.label(language())}, required=False
            )

    def switch_fields(self) -> list[forms.BoundField]:
        return [self[f"off_{name}"] for name in SWITCHES]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if any(data.get(f"off_{name}") for name in SWITCHES) and not data.get("switches_from"):
            self.add_error("switches_from", _("Enter the date the rules are switched off from."))
        return data

    def document(self, overrides: list[dict[str, object]]) -> dict[str, object]:
        data = self.cleaned_data
        return {
            "schema": SCHEMA,
            "name": data["name"],
            "version": data["version"],
            "label": {"da": data["label_da"], "en": data["label_en"]},
            "description": {
                "da": data["description_da"] or data["label_da"],
                "en": data["description_en"] or data["label_en"],
            },
            "overrides": overrides,
            "switches": [
                {"switch": name, "valid_from": data["switches_from"], "on": False}
                for name in SWITCHES
                if data.get(f"off_{name}")
            ],
        }


def initial_for(reform: Reform) -> tuple[dict[str, object], list[dict[str, object]]]:
    """The builder's fields and change rows filled from a reform (an example, or a saved scenario's)."""
    units = {name: p.unit for name, p in ParameterSet.default().parameters.items()}
    fields: dict[str, object] = {
        "name": reform.name,
        "version": reform.version,
        "label_da": reform.label_da,
        "label_en": reform.label_en,
        "description_da": reform.description_da,
        "description_en": reform.description_en,
    }
    for setting in reform.switches:
        if not setting.on:
            fields[f"off_{setting.switch}"] = True
            fields["switches_from"] = setting.valid_from
    rows: list[dict[str, object]] = [
        {
            "parameter": o.parameter,
            "valid_from": o.valid_from,
            "value": display_value(units[o.parameter], o.value),
        }
        for o in reform.overrides
    ]
    return fields, rows


def reform_error_field(error: ReformError) -> tuple[int | None, str | None]:
    """Where the page shows an error of the reform document: (change row, field), else the whole form."""
    found = re.fullmatch(r"overrides\[(\d+)\]\.(\w+)", error.key)
    if found:
        return int(found[1]), found[2] if found[2] in ("parameter", "valid_from", "value") else "value"
    return None, None


class UploadForm(forms.Form):
    """A reform file (`ajour.reform/1`, YAML), run as it is."""

    reform_file = forms.FileField(label=_("Reform file (YAML)"))
    year = forms.TypedChoiceField(label=_("Year the activities were held"), coerce=int)
    mode = forms.ChoiceField(
        label=_("Mode"), choices=Mode.choices, initial=Mode.ACCOUNT, widget=forms.RadioSelect
    )

    def __init__(self, *args: Any, years: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        year = self.fields["year"]
        assert isinstance(year, forms.TypedChoiceField)
        year.choices = [(y, str(y)) for y in years]

    def clean_reform_file(self) -> Reform:
        upload = self.cleaned_data["reform_file"]
        if upload.size > MAX_FILE_BYTES:
            raise ValidationError(_("The file is larger than 100 kB."))
        try:
            text = upload.read().decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ValidationError(_("The file is not UTF-8 text.")) from None
        try:
            return load_reform(text)
        except ReformError as error:
            raise ValidationError(f"{error.key or _('file')}: {error.message(language())}") from None


class RunForm(forms.Form):
    """Run a shipped example reform."""

    year = forms.TypedChoiceField(label=_("Year the activities were held"), coerce=int)
    mode = forms.ChoiceField(label=_("Mode"), choices=Mode.choices, initial=Mode.ACCOUNT)

    def __init__(self, *args: Any, years: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        year = self.fields["year"]
        assert isinstance(year, forms.TypedChoiceField)
        year.choices = [(y, str(y)) for y in years]


class CompareForm(forms.Form):
    a = forms.UUIDField(label=_("Scenario A"))
    b = forms.UUIDField(label=_("Scenario B"), required=False)

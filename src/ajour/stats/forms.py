"""The statistics filters, parsed and validated like any other input."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from ajour.accounts.models import Region
from ajour.catalogue.models import Provider, Topic
from ajour.stats.models import Form
from ajour.stats.selectors import Filters, latest_complete_year, years_with_statistics
from ajour.stats.services import FIRST_SERIES_YEAR
from ajour.stats.tables import TABLE_KEYS

FIRST_YEAR = FIRST_SERIES_YEAR - 10
LAST_YEAR = 2100


def _spans(years: list[int]) -> str:
    """2015, 2019–2026: consecutive years as one span."""
    spans: list[list[int]] = []
    for year in years:
        if spans and spans[-1][-1] == year - 1:
            spans[-1].append(year)
        else:
            spans.append([year])
    return ", ".join(str(s[0]) if len(s) == 1 else f"{s[0]}–{s[-1]}" for s in spans)


class YearForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=FIRST_YEAR, max_value=LAST_YEAR, required=False)

    def clean_year(self) -> int | None:
        """Only a year the statistics hold figures for (no chart of an empty year)."""
        year: int | None = self.cleaned_data.get("year")
        if year is None:
            return None
        years = years_with_statistics()
        if not years:
            raise forms.ValidationError(_("There are no statistics yet."))
        if year not in years:
            raise forms.ValidationError(
                _("There are no statistics for %(year)s. Years with statistics: %(years)s."),
                params={"year": year, "years": _spans(years)},
            )
        return year

    def error_text(self) -> str:
        """The first error with its field's label, for error pages and the API."""
        name, errors = next(iter(self.errors.items()))
        field = self.fields.get(name)
        return f"{field.label}: {errors[0]}" if field is not None else str(errors[0])

    def filters(self) -> Filters:
        year = self.cleaned_data.get("year") if self.is_valid() else None
        return Filters(year=year or latest_complete_year())


class FilterForm(YearForm):
    """Year, region, provider type, form and topic; an empty choice means all."""

    region = forms.ChoiceField(label=_("Region"), required=False)
    provider_type = forms.ChoiceField(
        label=_("Provider type"), required=False, choices=[("", _("All"))] + Provider.Kind.choices
    )
    form = forms.ChoiceField(label=_("Form"), required=False, choices=[("", _("All"))] + Form.choices)
    topic = forms.ChoiceField(label=_("Topic"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        region, topic = self.fields["region"], self.fields["topic"]
        assert isinstance(region, forms.ChoiceField) and isinstance(topic, forms.ChoiceField)
        region.choices = [
            ("", _("All")),
            *Region.objects.order_by("name").values_list("code", "name"),
        ]
        topic.choices = [
            ("", _("All")),
            *Topic.objects.order_by("name_da").values_list("code", "name_da"),
        ]

    def filters(self) -> Filters:
        if not self.is_valid():
            return super().filters()
        data = self.cleaned_data
        return Filters(
            year=data.get("year") or latest_complete_year(),
            region=data.get("region") or "",
            provider_kind=data.get("provider_type") or "",
            form=data.get("form") or "",
            topic=data.get("topic") or "",
        )


class ExportForm(FilterForm):
    measure = forms.ChoiceField(label=_("Measure"), choices=[(key, key) for key in TABLE_KEYS])

"""Form pieces every app shares: the status of a page with forms, errors as one line, and a choice of
rows that never asks the database about an id no row can have."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from ajour.core.bounds import ID_MAX


def render_form_page(
    request: HttpRequest, template: str, context: Mapping[str, Any], *, refused: bool = False
) -> HttpResponse:
    """The page, 400 when a form on it was sent with errors (the page shows them next to their fields;
    nothing was saved) or the service `refused` what was sent, else 200."""
    refused = refused or any(
        isinstance(value, forms.BaseForm) and value.is_bound and not value.is_valid()
        for value in context.values()
    )
    return render(request, template, context, status=400 if refused else 200)


def form_errors(form: forms.BaseForm) -> str:
    """The errors of a form as one line, each after its field's label: for a page that lists many
    objects with a small form each, where the errors cannot stand next to their fields."""
    parts = []
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else None
        text = " ".join(str(error) for error in errors)
        parts.append(f"{label}: {text}" if label else text)
    return " ".join(parts)


class RowsChoiceField(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]
    """Several rows chosen by id. A value no id can be (not a whole number from 1 to the largest id) is an
    invalid choice before the database is asked: Django would put it in an `IN (…)` query, where it
    overflows the column (a server error)."""

    def clean(self, value: Any) -> Any:
        for chosen in value if isinstance(value, list | tuple) else ():
            text = str(chosen)
            if not text.isdigit() or not 1 <= int(text) <= ID_MAX:
                raise ValidationError(
                    self.error_messages["invalid_choice"], code="invalid_choice", params={"value": text[:40]}
                )
        return super().clean(value)

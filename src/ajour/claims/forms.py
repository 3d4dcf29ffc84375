"""Claim forms: amounts typed in kroner (Danish or English decimals), turned into whole øre."""

from __future__ import annotations

import re
from collections.abc import Collection
from datetime import date
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from ajour.accounts.models import Practice, StaffMember
from ajour.accounts.uploads import LimitedFileField
from ajour.catalogue.models import ActivityInstance
from ajour.claims.models import Claim
from ajour.claims.payload import ClaimRequest
from ajour.core.bounds import MONEY_MAX_ORE, TEXT_MAX, TITLE_MAX, validate_date_in_window


class KronerField(forms.DecimalField):
    """Kroner with at most two decimals, 0 to 1,000,000 (`MONEY_MAX_ORE`); cleans to integer øre."""

    MAX_LENGTH = 20
    """Characters typed: "1.000.000,00 kr." with room for spaces."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(
            widget=forms.TextInput(attrs={"inputmode": "decimal", "maxlength": self.MAX_LENGTH}),
            min_value=Decimal(0),
            max_value=Decimal(MONEY_MAX_ORE) / 100,
            decimal_places=2,
            max_digits=9,
            required=False,
            localize=True,
            **kwargs,
        )

    # django-stubs types DecimalField.to_python as an override of IntegerField's (Django's DecimalField
    # subclasses IntegerField) and silences the clash there; this override inherits the clash.
    def to_python(self, value: object) -> Decimal | None:  # type: ignore[override]
        """Accepts 1.500,50 and 1500,50 (Danish) as well as 1500.50 and 1,500.50 (English)."""
        text = (
            str(value or "")
            .strip()
            .lower()
            .removesuffix("kr.")
            .removesuffix("kr")
            .replace(" ", "")
            .replace("\xa0", "")
        )
        if "," in text and "." in text:
            text = (
                text.replace(".", "").replace(",", ".")
                if text.rfind(",") > text.rfind(".")
                else text.replace(",", "")
            )
        elif "," in text:
            text = text.replace(",", ".")
        elif re.fullmatch(r"\d{1,3}(\.\d{3})+", text):
            text = text.replace(".", "")
        return super().to_python(text)

    def clean(self, value: object) -> int:
        amount = super().clean(value)
        return int((amount or Decimal(0)) * 100)


class ClaimForm(forms.Form):
    days = forms.MultipleChoiceField(
        label=_("Days you attended"),
        widget=forms.CheckboxSelectMultiple,
        required=True,
        error_messages={"required": _("Tick at least one day you attended.")},
    )
    course_fee = KronerField(label=_("Course fee incl. board and lodging (DKK)"))
    transport = KronerField(label=_("Transport (DKK)"))
    account = forms.ChoiceField(
        label=_("Account"),
        choices=[
            ("auto", _("Automatic: systematic days first where allowed")),
            ("self_chosen", _("Self-chosen account only")),
        ],
        initial="auto",
    )
    payee = forms.ChoiceField(label=_("Pay to"), choices=Claim.Payee.choices, initial=Claim.Payee.PRIVATE)
    staff_member = forms.ModelChoiceField(
        label=_("Staff member"),
        queryset=StaffMember.objects.none(),
        required=False,
        empty_label=None,
    )

    def __init__(
        self, *args: Any, instance: ActivityInstance, staff_practice: Practice | None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.instance = instance
        programme = list(instance.days.all())
        days, staff_member = self.fields["days"], self.fields["staff_member"]
        assert isinstance(days, forms.MultipleChoiceField)
        assert isinstance(staff_member, forms.ModelChoiceField)
        days.choices = [
            (d.date.isoformat(), f"{d.date:%d.%m.%Y} {d.starts_at:%H:%M}–{d.ends_at:%H:%M}")
            for d in programme
        ]
        days.initial = [d.date.isoformat() for d in programme]
        self.staff_practice = staff_practice
        if staff_practice is not None:
            staff_member.queryset = staff_practice.staff.filter(active=True).order_by("name")
            staff_member.required = True
            staff_member.error_messages["required"] = _("Choose the staff member from your staff list.")
            del self.fields["payee"], self.fields["account"]
        else:
            del self.fields["staff_member"]

    def claim_request(self) -> ClaimRequest:
        data = self.cleaned_data
        return ClaimRequest(
            instance=self.instance,
            attended=[date.fromisoformat(d) for d in data["days"]],
            course_fee_ore=data["course_fee"],
            transport_ore=data["transport"],
            account=data.get("account", "self_chosen"),
            payee=data.get("payee", Claim.Payee.PRACTICE),
            staff_member=data.get("staff_member"),
        )


class MaterialForm(forms.Form):
    description = forms.CharField(label=_("What did you buy?"), max_length=TITLE_MAX)
    purchased_on = forms.DateField(
        label=_("Purchase date"),
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": _("Enter the date as YYYY-MM-DD.")},
        validators=[validate_date_in_window],
    )
    amount = KronerField(label=_("Price (DKK)"))
    payee = forms.ChoiceField(label=_("Pay to"), choices=Claim.Payee.choices, initial=Claim.Payee.PRIVATE)

    def claim_request(self) -> ClaimRequest:
        data = self.cleaned_data
        return ClaimRequest(
            material_ore=data["amount"],
            purchased_on=data["purchased_on"],
            description=data["description"],
            account="self_chosen",
            payee=data["payee"],
        )


class ReceiptForm(forms.Form):
    file = LimitedFileField(label=_("Receipt (PDF, JPEG or PNG, at most 5 MB)"))


class AppealForm(forms.Form):
    text = forms.CharField(
        label=_("Why do you appeal?"),
        widget=forms.Textarea(attrs={"rows": 4}),
        min_length=10,
        max_length=TEXT_MAX,
    )


REVIEW_CHOICES = [
    ("approve", _("Approve as decided")),
    ("adjust", _("Adjust the amount")),
    ("reject", _("Reject")),
]


class ReviewForm(forms.Form):
    action = forms.ChoiceField(label=_("Decision"), choices=REVIEW_CHOICES)
    amount = KronerField(label=_("New amount to pay (DKK), when adjusting"))
    reason = forms.CharField(
        label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=TEXT_MAX
    )

    def __init__(self, *args: Any, offered: Collection[str] | None = None, **kwargs: Any) -> None:
        """`offered`: the actions the claim workflow allows on the claim now (the page offers only those)."""
        super().__init__(*args, **kwargs)
        action = self.fields["action"]
        if offered is not None and isinstance(action, forms.ChoiceField):
            action.choices = [(value, label) for value, label in REVIEW_CHOICES if value in offered]


class AppealDecisionForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Outcome"), choices=[("upheld", _("Upheld")), ("dismissed", _("Dismissed"))]
    )
    amount = KronerField(label=_("Amount to pay (DKK), when upheld"))
    text = forms.CharField(
        label=_("Reasons for the outcome"), widget=forms.Textarea(attrs={"rows": 3}), max_length=TEXT_MAX
    )


class PayoutForm(forms.Form):
    date = forms.DateField(label=_("Payout date"), widget=forms.DateInput(attrs={"type": "date"}))

"""Account forms: contract upload, confirmation decisions, corrections and pro-rating."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from ajour.accounts.banking import normalise_iban
from ajour.accounts.models import Account
from ajour.accounts.uploads import LimitedFileField
from ajour.core.bounds import MONEY_MAX_ORE, TEXT_MAX


class ContractForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    document = LimitedFileField(label=_("Employment contract or confirmation (PDF, at most 5 MB)"))


class ConfirmationDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"), choices=[("confirm", _("Confirm")), ("reject", _("Reject"))]
    )
    share_percent = forms.IntegerField(
        label=_("Share of the full allocation (%)"), min_value=1, max_value=100, initial=100
    )
    note = forms.CharField(
        label=_("Reason (required when rejecting or pro-rating)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=TEXT_MAX,
    )


class CorrectionForm(forms.Form):
    kind = forms.ChoiceField(label=_("Account"), choices=Account.Kind.choices[:2])
    amount = forms.IntegerField(
        label=_("Change (øre, or half days on the systematic account; negative to deduct)"),
        min_value=-MONEY_MAX_ORE,
        max_value=MONEY_MAX_ORE,
    )
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), max_length=TEXT_MAX)


class ProrateForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    percent = forms.IntegerField(label=_("Share of the full allocation (%)"), min_value=0, max_value=100)
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), max_length=TEXT_MAX)


class BankAccountForm(forms.Form):
    iban = forms.CharField(
        label=_("IBAN for payouts"), max_length=40, help_text=_("DK followed by 16 digits.")
    )

    def clean_iban(self) -> str:
        return normalise_iban(self.cleaned_data["iban"])

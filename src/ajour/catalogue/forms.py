"""Forms: parse and validate what people type; the services decide and write."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ajour.accounts.models import Region
from ajour.accounts.uploads import LimitedFileField
from ajour.catalogue.models import Activity, ActivityInstance, Provider, SeTheme, Topic
from ajour.catalogue.programme import DayPlan, ProgrammeError, parse_programme
from ajour.catalogue.selectors import QueueFilters, SearchFilters, individual_approval_limits
from ajour.catalogue.services import ActivityData, InstanceData
from ajour.core.bounds import (
    ID_TEXT_MAX,
    IDS_MAX,
    MONEY_MAX_ORE,
    PROGRAMME_MAX,
    TEXT_MAX,
    TITLE_MAX,
    column_range,
    validate_date_in_window,
)
from ajour.core.formats import format_half_days
from ajour.core.forms import RowsChoiceField

REQUESTABLE = [c for c in Activity.Approval.choices if c[0] != Activity.Approval.NONE]
PRICE_MAX_DKK = Decimal(MONEY_MAX_ORE) / 100
PROGRAMME_HELP = _(
    "One session per line: date, from–to and title, e.g. “2026-03-05 09:00-12:00 Diagnosis”. "
    "The time between sessions on the same day counts as a break."
)


def dkk_to_ore(value: Decimal | None) -> int | None:
    return None if value is None else int((value * 100).to_integral_value())


def valid_fields(form: forms.Form) -> dict[str, Any]:
    """The cleaned values of the fields that validated: a bad filter value drops only that filter."""
    if not form.is_bound:
        return {}
    form.is_valid()
    return form.cleaned_data


if TYPE_CHECKING:  # generic in django-stubs only, not subscriptable at run time
    _TopicChoiceField = forms.ModelChoiceField[Topic]
    _ProviderModelForm = forms.ModelForm[Provider]
else:
    _TopicChoiceField = forms.ModelChoiceField
    _ProviderModelForm = forms.ModelForm


def _programme(text: str) -> list[DayPlan]:
    """The typed-in programme, parsed; a line it cannot read is a validation error."""
    try:
        return parse_programme(text)
    except ProgrammeError as error:
        raise forms.ValidationError(
            _("Line %(line)s: %(message)s"), params={"line": error.line, "message": error.message}
        ) from None


class TopicChoice(_TopicChoiceField):
    def label_from_instance(self, obj: Topic) -> str:
        return obj.name_da


class ProviderForm(_ProviderModelForm):
    class Meta:
        model = Provider
        fields = ["name", "kind", "region", "email"]
        labels = {
            "name": _("Organisation name"),
            "kind": _("Kind of provider"),
            "region": _("Region"),
            "email": _("E-mail for decisions"),
        }


class ActivityForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=TITLE_MAX)
    description = forms.CharField(
        label=_("Description"), widget=forms.Textarea(attrs={"rows": 4}), required=False, max_length=TEXT_MAX
    )
    form = forms.ChoiceField(label=_("Form"), choices=Activity.Form.choices)
    target_group = forms.ChoiceField(label=_("Target group"), choices=Activity.TargetGroup.choices)
    topic = TopicChoice(label=_("Main topic"), queryset=Topic.objects.order_by("name_da"))
    extra_topics = RowsChoiceField(
        label=_("Further topics"), queryset=Topic.objects.order_by("name_da"), required=False
    )
    requested_approval = forms.ChoiceField(label=_("Approval applied for"), choices=REQUESTABLE)
    se_theme = forms.ModelChoiceField(
        label=_("SE theme (for systematic approval)"),
        queryset=SeTheme.objects.order_by("name_da"),
        required=False,
    )
    price_dkk = forms.DecimalField(
        label=_("Price per participant (DKK)"),
        min_value=0,
        max_value=PRICE_MAX_DKK,
        decimal_places=2,
        max_digits=9,
        initial=0,
    )
    gp_involvement = forms.CharField(
        label=_("Practising GPs in planning or teaching"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=TEXT_MAX,
    )
    curriculum_relevance = forms.CharField(
        label=_("Relevance to the specialty curriculum"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=TEXT_MAX,
    )
    funding = forms.CharField(
        label=_("Who pays, and any sponsorship"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=TEXT_MAX,
    )
    industry_involvement = forms.BooleanField(
        label=_("The pharmaceutical or medical industry is involved"), required=False
    )
    planning_independent = forms.BooleanField(
        label=_("Planning and content are independent of sponsors"), required=False, initial=True
    )

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        wants_systematic = data.get("requested_approval") in {
            Activity.Approval.SYSTEMATIC,
            Activity.Approval.BOTH,
        }
        if wants_systematic and not data.get("se_theme"):
            self.add_error("se_theme", _("Systematic approval needs an SE theme."))
        return data

    def activity_data(self) -> ActivityData:
        d = self.cleaned_data
        return ActivityData(
            title=d["title"],
            description=d["description"],
            form=d["form"],
            target_group=d["target_group"],
            topic=d["topic"],
            extra_topics=list(d["extra_topics"]),
            requested_approval=d["requested_approval"],
            se_theme=d["se_theme"],
            price_ore=dkk_to_ore(d["price_dkk"]) or 0,
            gp_involvement=d["gp_involvement"],
            curriculum_relevance=d["curriculum_relevance"],
            funding=d["funding"],
            industry_involvement=d["industry_involvement"],
            planning_independent=d["planning_independent"],
            justification=d.get("justification", ""),
            breadth_statement=d.get("breadth_statement", ""),
        )

    @staticmethod
    def initial_for(activity: Activity) -> dict[str, object]:
        return {
            "title": activity.title,
            "description": activity.description,
            "form": activity.form,
            "target_group": activity.target_group,
            "topic": activity.topic_id,
            "extra_topics": list(activity.topics.values_list("pk", flat=True)),
            "requested_approval": activity.requested_approval,
            "se_theme": activity.se_theme_id,
            "price_dkk": Decimal(activity.price_ore) / 100,
            "gp_involvement": activity.gp_involvement,
            "curriculum_relevance": activity.curriculum_relevance,
            "funding": activity.funding,
            "industry_involvement": activity.industry_involvement,
            "planning_independent": activity.planning_independent,
            "justification": activity.justification,
            "breadth_statement": activity.breadth_statement,
        }


class IndividualActivityForm(ActivityForm):
    """A GP's own application (P-04, P-05): justification always, breadth from the course days the
    rules parameters set."""

    justification = forms.CharField(
        label=_("Why this activity is especially relevant to you"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=TEXT_MAX,
    )
    breadth_statement = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=TEXT_MAX
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        breadth_from = individual_approval_limits(on=timezone.localdate()).breadth_from_half_days
        self.fields["breadth_statement"].label = _(
            "How you keep breadth in your CME (required from %(days)s course days)"
        ) % {"days": format_half_days(breadth_from)}


class InstanceForm(forms.Form):
    venue = forms.CharField(label=_("Venue"), max_length=120)
    town = forms.CharField(label=_("Town"), max_length=60)
    region = forms.ModelChoiceField(label=_("Region"), queryset=Region.objects.order_by("name"))
    places = forms.IntegerField(
        label=_("Places"), min_value=1, max_value=column_range(ActivityInstance, "places")[1], initial=30
    )
    programme = forms.CharField(
        label=_("Programme"),
        help_text=PROGRAMME_HELP,
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=PROGRAMME_MAX,
    )

    def clean_programme(self) -> list[DayPlan]:
        return _programme(self.cleaned_data["programme"])

    def instance_data(self) -> InstanceData:
        d = self.cleaned_data
        return InstanceData(
            venue=d["venue"], town=d["town"], region=d["region"], places=d["places"], days=d["programme"]
        )


class PreviewForm(forms.Form):
    """The fields of the application form that the live claim preview needs (htmx)."""

    programme = forms.CharField(required=False, max_length=PROGRAMME_MAX)
    form = forms.ChoiceField(choices=[("", ""), *Activity.Form.choices], required=False)
    requested_approval = forms.ChoiceField(choices=[("", ""), *REQUESTABLE], required=False)
    price_dkk = forms.DecimalField(
        min_value=0, max_value=PRICE_MAX_DKK, decimal_places=2, max_digits=9, required=False
    )

    def add_prefix(self, field_name: str) -> str:
        return "run-programme" if field_name == "programme" else field_name

    def clean_programme(self) -> list[DayPlan]:
        return _programme(self.cleaned_data["programme"])


class DecisionForm(forms.Form):
    ACTIONS = [
        ("approve", _("Approve")),
        ("reject", _("Reject")),
        ("request_info", _("Ask for more information")),
    ]
    action = forms.ChoiceField(label=_("Decision"), choices=ACTIONS, widget=forms.RadioSelect)
    approval = forms.ChoiceField(label=_("Approved as"), choices=REQUESTABLE, required=False)
    scope = forms.ChoiceField(label=_("Approval scope"), choices=Activity.Scope.choices, required=False)
    se_theme = forms.ModelChoiceField(
        label=_("SE theme"), queryset=SeTheme.objects.order_by("name_da"), required=False
    )
    conditions = forms.CharField(
        label=_("Conditions"), widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=TEXT_MAX
    )
    reasons = forms.CharField(
        label=_("Reasons, or the information you need"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=TEXT_MAX,
    )

    def __init__(self, *args: Any, instances: list[ActivityInstance], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instances = instances
        for instance in instances:
            available = int((instance.claimable or {}).get("qualifying_half_days", 0))
            self.fields[f"days_{instance.pk}"] = forms.DecimalField(
                label=_("Approved course days, run %(date)s in %(town)s")
                % {"date": f"{instance.starts_on:%d.%m.%Y}", "town": instance.town},
                min_value=0,
                max_value=Decimal(available) / 2,
                decimal_places=1,
                initial=Decimal(available) / 2,
                widget=forms.NumberInput(attrs={"step": "0.5"}),
                required=False,
            )

    def approved_half_days(self) -> dict[int, int]:
        halves = {}
        for instance in self.instances:
            value = self.cleaned_data.get(f"days_{instance.pk}")
            if value is not None:
                halves[instance.pk] = int(value * 2)
        return halves

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        action = data.get("action")
        if action == "approve" and not data.get("approval"):
            self.add_error("approval", _("Choose how the activity is approved."))
        if action in {"reject", "request_info"} and not (data.get("reasons") or "").strip():
            self.add_error("reasons", _("Write reasons the applicant can read."))
        for instance in self.instances:
            value = data.get(f"days_{instance.pk}")
            if value is not None and (value * 2) != int(value * 2):
                self.add_error(f"days_{instance.pk}", _("Use whole or half days."))
        return data


class ChangeApprovalForm(forms.Form):
    approval = forms.ChoiceField(
        label=_("Approval from the date"),
        choices=[*REQUESTABLE, (Activity.Approval.NONE, _("Withdraw the approval"))],
    )
    valid_from = forms.DateField(
        label=_("From date"),
        widget=forms.DateInput(attrs={"type": "date"}),
        validators=[validate_date_in_window],
    )
    reasons = forms.CharField(
        label=_("Reasons"), widget=forms.Textarea(attrs={"rows": 3}), max_length=TEXT_MAX
    )


class AppealForm(forms.Form):
    reasons = forms.CharField(
        label=_("Why the decision should be changed"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=TEXT_MAX,
    )


class AppealDecisionForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("The steering group's decision"),
        choices=[("uphold", _("Uphold the rejection")), ("overturn", _("Approve the activity"))],
        widget=forms.RadioSelect,
    )
    approval = forms.ChoiceField(label=_("Approved as"), choices=REQUESTABLE, required=False)
    se_theme = forms.ModelChoiceField(
        label=_("SE theme"), queryset=SeTheme.objects.order_by("name_da"), required=False
    )
    reasons = forms.CharField(
        label=_("Reasons"), widget=forms.Textarea(attrs={"rows": 3}), max_length=TEXT_MAX
    )


class AnswerForm(forms.Form):
    answer = forms.CharField(
        label=_("Your answer"), widget=forms.Textarea(attrs={"rows": 4}), max_length=TEXT_MAX
    )


class AttendanceForm(forms.Form):
    ids = forms.CharField(
        label=_("Participants' authorisation IDs, one per line"),
        widget=forms.Textarea(attrs={"rows": 6}),
        required=False,
        max_length=IDS_MAX * (ID_TEXT_MAX + 1),
    )
    file = LimitedFileField(label=_("…or a CSV file with one authorisation ID per row"), required=False)

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if not data.get("ids") and not data.get("file"):
            raise forms.ValidationError(_("Type the IDs or choose a CSV file."))
        return data


class BookingsForm(forms.Form):
    booked = forms.IntegerField(
        label=_("Places taken"), min_value=0, max_value=column_range(ActivityInstance, "booked")[1]
    )


class QueueFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[
            ("", _("All")),
            *[(s.value, s.label) for s in (Activity.Status.SUBMITTED, Activity.Status.INFO_REQUESTED)],
        ],
    )
    form = forms.ChoiceField(
        label=_("Form"), required=False, choices=[("", _("All")), *Activity.Form.choices]
    )
    applicant = forms.ChoiceField(
        label=_("Applicant"),
        required=False,
        choices=[("", _("All")), ("provider", _("Providers")), ("gp", _("GPs"))],
    )
    problems_only = forms.BooleanField(label=_("Only with pre-check findings"), required=False)

    def filters(self) -> QueueFilters:
        d = valid_fields(self)
        return QueueFilters(
            status=d.get("status", ""),
            form=d.get("form", ""),
            applicant=d.get("applicant", ""),
            problems_only=bool(d.get("problems_only")),
        )


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    region = forms.ChoiceField(label=_("Region"), required=False)
    date_from = forms.DateField(
        label=_("From"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        validators=[validate_date_in_window],
    )
    date_to = forms.DateField(
        label=_("To"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        validators=[validate_date_in_window],
    )
    form = forms.ChoiceField(
        label=_("Form"), required=False, choices=[("", _("All forms")), *Activity.Form.choices]
    )
    se_theme = forms.ChoiceField(label=_("SE theme"), required=False)
    topic = forms.ChoiceField(label=_("Topic"), required=False)
    max_price = forms.IntegerField(
        label=_("Max price (DKK)"),
        required=False,
        min_value=0,
        max_value=column_range(Activity, "price_ore")[1] // 100,
    )
    free_places = forms.BooleanField(label=_("Only with free places"), required=False)
    e_learning = forms.BooleanField(label=_("Only e-learning"), required=False)
    sort = forms.ChoiceField(
        label=_("Sort by"), required=False, choices=[("relevance", _("Relevance")), ("date", _("Date"))]
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        options = {
            "region": (_("All regions"), Region.objects.order_by("name").values_list("code", "name")),
            "se_theme": (_("All themes"), SeTheme.objects.order_by("name_da").values_list("code", "name_da")),
            "topic": (_("All topics"), Topic.objects.order_by("name_da").values_list("code", "name_da")),
        }
        for name, (everything, rows) in options.items():
            field = self.fields[name]
            assert isinstance(field, forms.ChoiceField)
            field.choices = [("", everything), *rows]

    def filters(self) -> SearchFilters:
        d = valid_fields(self)
        max_price = d.get("max_price")
        return SearchFilters(
            q=d.get("q", ""),
            region=d.get("region", ""),
            date_from=d.get("date_from"),
            date_to=d.get("date_to"),
            form=d.get("form", ""),
            se_theme=d.get("se_theme", ""),
            topic=d.get("topic", ""),
            free_places=bool(d.get("free_places")),
            max_price_ore=None if max_price is None else max_price * 100,
            e_learning=bool(d.get("e_learning")),
            sort=d.get("sort") or "relevance",
        )

"""Template helpers for the catalogue: engine day classes, durations and the claim hand-off link."""

from django import template
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from ajour.catalogue.models import Activity, ActivityInstance
from ajour.catalogue.selectors import approval_in_force, individual_approval_limits
from ajour.core.formats import format_half_days

register = template.Library()


@register.filter
def run_approval(instance: ActivityInstance) -> str:
    """The approval in force on the run's last day, the date its claims are judged on."""
    return approval_in_force(activity=instance.activity, on=instance.ends_on)


@register.filter
def approval_label(approval: str) -> str:
    """`self_chosen`, `systematic`, `both` or `none` in the active language."""
    return str(Activity.Approval(approval).label)


@register.filter
def claim_url(instance_pk: int) -> str:
    """The claims app's pre-filled claim form for a run (the two apps meet only through this URL)."""
    try:
        return reverse("claims:new", args=[instance_pk])
    except NoReverseMatch:
        return f"/claims/new/?instance={instance_pk}"


@register.filter
def day_class(name: str) -> str:
    """The engine's day class (`full`, `half`, `meeting`, `none`) in the active language."""
    return {
        "full": _("Full day"),
        "half": _("Half day"),
        "meeting": _("Meeting"),
        "none": _("Too short"),
    }.get(name, name)


@register.filter
def hours(minutes: int | None) -> str:
    """Minutes as hours and minutes, e.g. `6 t 30 min` in Danish."""
    whole, rest = divmod(int(minutes or 0), 60)
    return _("%(hours)s h %(minutes)02d min") % {"hours": whole, "minutes": rest}


@register.filter
def account_label(name: str) -> str:
    return {
        "systematic": _("Systematic account"),
        "self_chosen": _("Self-chosen account"),
        "staff": _("Clinic staff account"),
    }.get(name, name)


@register.simple_tag
def individual_approval_limits_today() -> dict[str, object]:
    """P-05 and R-IND-1 in force today, for the texts that name them: `breadth_days` (formatted days)
    and `similar_years`."""
    limits = individual_approval_limits(on=timezone.localdate())
    return {
        "breadth_days": format_half_days(limits.breadth_from_half_days),
        "similar_years": limits.similar_years,
    }

"""Writes in the catalogue: applications, pre-checks, approval decisions, numbers, appeals, attendance.

Every function validates first and raises `CatalogueError` (a message the user can read) before
anything is written; each runs in one transaction, so a failure leaves nothing behind.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import date

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.functional import Promise, lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ajour.accounts.models import Doctor, Region, User
from ajour.catalogue.models import (
    Activity,
    ActivityEvent,
    ActivityInstance,
    ActivityNumber,
    ApprovalAppeal,
    ApprovalDecision,
    Attendance,
    NumberSequence,
    ProgrammeDay,
    Provider,
    SeTheme,
    Topic,
)
from ajour.catalogue.programme import DayPlan, claim_preview
from ajour.catalogue.selectors import approval_in_force, individual_approval_limits
from ajour.catalogue.workflow import ACTIVITIES, APPROVAL_APPEALS, refusal
from ajour.core.bounds import ID_TEXT_MAX, IDS_MAX
from ajour.core.csvfiles import formula_error
from ajour.core.formats import format_half_days
from ajour.core.mail import send_mail_to
from ajour.rules import ParameterSet

GROUP_CONCEPTS = {Activity.Form.SGE, Activity.Form.DGE_MODULE}
AUTHORISATION_ID = re.compile(r"^[A-Za-z0-9]{5}$")


class CatalogueError(Exception):
    """A request the catalogue refuses; `message` is shown to the user, `errors` lists row errors."""

    def __init__(self, message: str, errors: list[str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.errors = errors or []


@dataclass
class ActivityData:
    """What an applicant fills in about the activity itself (not its runs)."""

    title: str
    description: str
    form: str
    target_group: str
    topic: Topic
    requested_approval: str
    price_ore: int
    extra_topics: list[Topic] | None = None
    se_theme: SeTheme | None = None
    gp_involvement: str = ""
    curriculum_relevance: str = ""
    funding: str = ""
    industry_involvement: bool = False
    planning_independent: bool = True
    justification: str = ""
    breadth_statement: str = ""


@dataclass
class InstanceData:
    venue: str
    town: str
    region: Region
    places: int
    days: list[DayPlan]


# ---------------------------------------------------------------- applicants


@transaction.atomic
def register_provider(*, user: User, name: str, kind: str, region: Region | None, email: str) -> Provider:
    """A provider organisation registers itself; the registering login becomes its user."""
    if user.role != User.Role.PROVIDER:
        raise CatalogueError(_("Only course-provider logins can register a provider."))
    if user.provider_id is not None:
        raise CatalogueError(_("Your login already belongs to a provider."))
    if Provider.objects.filter(name__iexact=name.strip()).exists():
        raise CatalogueError(_("A provider with this name is already registered."))
    provider = Provider.objects.create(name=name.strip(), kind=kind, region=region, email=email)
    user.provider = provider
    user.save(update_fields=["provider"])
    return provider


@transaction.atomic
def create_activity(
    *,
    user: User,
    data: ActivityData,
    instances: list[InstanceData],
    provider: Provider | None = None,
    applicant_doctor: Doctor | None = None,
) -> Activity:
    """A draft application with its first runs; the claim preview is computed at once."""
    if (provider is None) == (applicant_doctor is None):
        raise CatalogueError(_("An application has either a provider or a GP as applicant."))
    activity = Activity(provider=provider, applicant_doctor=applicant_doctor, created_by=user)
    _apply(activity, data)
    if applicant_doctor is not None:
        activity.scope = Activity.Scope.INDIVIDUAL
    activity.save()
    activity.topics.set(data.extra_topics or [])
    for instance in instances:
        add_instance(activity=activity, data=instance)
    _event(activity, user, "created")
    return activity


@transaction.atomic
def update_activity(*, activity: Activity, user: User, data: ActivityData) -> Activity:
    _guard(activity, "edit", activity.status)
    _apply(activity, data)
    activity.save()
    activity.topics.set(data.extra_topics or [])
    for instance in activity.instances.all():
        refresh_claimable(instance=instance)
    return activity


def _apply(activity: Activity, data: ActivityData) -> None:
    if not data.title.strip():
        raise CatalogueError(_("The activity needs a title."))
    if data.price_ore < 0:
        raise CatalogueError(_("The price cannot be negative."))
    if data.requested_approval == Activity.Approval.NONE:
        raise CatalogueError(_("Choose the approval you apply for."))
    for name in (
        "title",
        "description",
        "form",
        "target_group",
        "topic",
        "requested_approval",
        "price_ore",
        "se_theme",
        "gp_involvement",
        "curriculum_relevance",
        "funding",
        "industry_involvement",
        "planning_independent",
        "justification",
        "breadth_statement",
    ):
        setattr(activity, name, getattr(data, name))
    activity.title = activity.title.strip()


def _guard(activity: Activity, action: str, target: str) -> None:
    """Refuses the action unless the activity workflow declares it from the status to `target`."""
    if not ACTIVITIES.allows(action, activity.status, target=target):
        raise CatalogueError(refusal(action))


@transaction.atomic
def add_instance(*, activity: Activity, data: InstanceData) -> ActivityInstance:
    """A run of the activity with its programme days; its claim preview is cached at once."""
    _guard(activity, "edit", activity.status)
    if not data.days:
        raise CatalogueError(_("A run needs at least one programme day."))
    if data.places < 1:
        raise CatalogueError(_("A run needs at least one place."))
    instance = ActivityInstance.objects.create(
        activity=activity,
        venue=data.venue.strip(),
        town=data.town.strip(),
        region=data.region,
        places=data.places,
        starts_on=data.days[0].date,
        ends_on=data.days[-1].date,
    )
    ProgrammeDay.objects.bulk_create(
        ProgrammeDay(
            instance=instance,
            date=day.date,
            starts_at=day.starts_at,
            ends_at=day.ends_at,
            break_minutes=day.break_minutes,
            sessions=[session.as_json() for session in day.sessions],
        )
        for day in data.days
    )
    refresh_claimable(instance=instance)
    return instance


def refresh_claimable(*, instance: ActivityInstance) -> ActivityInstance:
    """Recomputes and stores what a GP can claim for this run, so that search stays fast.

    A decided activity is previewed with the approval in force on the run's last day (the date its
    claims are judged on); an application not yet decided with the approval it asks for."""
    activity = instance.activity
    decided = bool(activity.decisions.all())
    approval = (
        approval_in_force(activity=activity, on=instance.ends_on) if decided else activity.requested_approval
    )
    instance.claimable = claim_preview(
        days=list(instance.days.all()),
        claim_type=activity.claim_type,
        approval=approval,
        price_ore=activity.price_ore,
        laegedage=activity.laegedage,
        practice_purchase=activity.practice_purchase,
    )
    instance.save(update_fields=["claimable"])
    return instance


def refresh_missing_claimables(*, everything: bool = False, today: date | None = None) -> int:
    """Fills the preview cache of approved runs loaded in bulk (demo data, imports); returns the count.

    By default only runs the catalogue shows (starting today or later) that have no preview yet;
    `everything` recomputes all approved runs, past ones included.
    """
    instances = ActivityInstance.objects.filter(activity__status=Activity.Status.APPROVED)
    if not everything:  # SQL NULL, or JSON null from raw bulk inserts
        instances = instances.filter(starts_on__gte=today or timezone.localdate())
        instances = instances.filter(Q(claimable__isnull=True) | Q(claimable=None))
    count = 0
    for instance in (
        instances.select_related("activity")
        .prefetch_related("days", "activity__decisions")
        .iterator(chunk_size=500)
    ):
        refresh_claimable(instance=instance)
        count += 1
    return count


@transaction.atomic
def submit_activity(*, activity: Activity, user: User) -> Activity:
    """Sends a draft to the consultants, with the pre-check findings they will see first."""
    activity = Activity.objects.select_for_update().get(pk=activity.pk)
    _guard(activity, "submit", Activity.Status.SUBMITTED)
    if not activity.instances.exists():
        raise CatalogueError(_("Add at least one run with its programme before you submit."))
    if activity.applicant_doctor_id and not activity.justification.strip():
        raise CatalogueError(_("Individual approval needs a justification (P-04)."))
    breadth_from = individual_approval_limits(on=timezone.localdate()).breadth_from_half_days
    if (
        activity.applicant_doctor_id
        and course_days(activity=activity) * 2 >= breadth_from
        and not activity.breadth_statement.strip()
    ):
        raise CatalogueError(
            _("An activity of %(days)s course days or more needs a statement of how you keep breadth (P-05).")
            % {"days": format_half_days(breadth_from)}
        )
    activity.prechecks = prechecks(activity=activity)
    activity.status = Activity.Status.SUBMITTED
    activity.submitted_at = timezone.now()
    activity.save(update_fields=["prechecks", "status", "submitted_at"])
    _event(activity, user, "submitted")
    return activity


def course_days(*, activity: Activity) -> float:
    """Course days of the longest run, as the engine classes them (half days count ½)."""
    halves = [
        int((instance.claimable or {}).get("qualifying_half_days", 0))
        for instance in activity.instances.all()
    ]
    return max(halves, default=0) / 2


def prechecks(*, activity: Activity) -> list[dict[str, str]]:
    """What Ajour can check before a consultant reads: missing fields, hours, duplicates, interests."""
    findings: list[dict[str, str]] = []

    def add(code: str, detail: str = "") -> None:
        findings.append({"code": code, "detail": detail})

    for name in ("description", "gp_involvement", "curriculum_relevance", "funding"):
        if not getattr(activity, name).strip():
            add("missing_field", name)
    if activity.industry_involvement or not activity.planning_independent:
        add("industry_influence")
    wants_systematic = activity.requested_approval in {Activity.Approval.SYSTEMATIC, Activity.Approval.BOTH}
    if wants_systematic and activity.se_theme is None:
        add("se_theme_missing")
    for instance in activity.instances.prefetch_related("days"):
        preview = instance.claimable or {}
        label = f"{instance.starts_on:%d.%m.%Y} {instance.town}"
        if not preview:
            add("not_decidable", label)
            continue
        short = [day["date"] for day in preview["days"] if day["class"] == "none"]
        if short:
            add("day_too_short", ", ".join(short))
        without_breaks = [f"{day.date:%Y-%m-%d}" for day in instance.days.all() if not day.break_minutes]
        long_days = {day["date"] for day in preview["days"] if day["class"] == "full"}
        if long_days.intersection(without_breaks):
            add("no_breaks", ", ".join(sorted(long_days.intersection(without_breaks))))
        theme = activity.se_theme
        if wants_systematic and theme and not theme_applies(theme=theme, year=instance.starts_on.year):
            add("se_theme_not_in_force", label)
    duplicates = Activity.objects.filter(title__iexact=activity.title).exclude(pk=activity.pk)
    duplicates = duplicates.filter(provider=activity.provider) if activity.provider_id else duplicates
    for duplicate in duplicates.order_by("-pk")[:5]:
        add("duplicate", duplicate.number or duplicate.get_status_display())
    return findings


def theme_applies(*, theme: SeTheme, year: int) -> bool:
    return theme.first_year <= year and (theme.last_year is None or year <= theme.last_year)


# ---------------------------------------------------------------- consultants


@transaction.atomic
def request_information(*, activity: Activity, consultant: User, question: str) -> Activity:
    """Asks the applicant for more; the service-level clock pauses until they answer."""
    activity = Activity.objects.select_for_update().get(pk=activity.pk)
    _guard(activity, "request_information", Activity.Status.INFO_REQUESTED)
    if not question.strip():
        raise CatalogueError(_("Write what information you need."))
    activity.status = Activity.Status.INFO_REQUESTED
    activity.paused_since = timezone.now()
    activity.save(update_fields=["status", "paused_since"])
    _notify(activity, consultant, "info_requested", question, gettext_lazy("More information is needed"))
    return activity


@transaction.atomic
def answer_information(*, activity: Activity, user: User, answer: str) -> Activity:
    """The applicant answers; the clock runs again from where it stopped."""
    activity = Activity.objects.select_for_update().get(pk=activity.pk)
    _guard(activity, "answer", Activity.Status.SUBMITTED)
    if not answer.strip():
        raise CatalogueError(_("Write your answer."))
    now = timezone.now()
    if activity.paused_since:
        activity.paused_days += (now - activity.paused_since).days
    activity.paused_since = None
    activity.status = Activity.Status.SUBMITTED
    activity.prechecks = prechecks(activity=activity)
    activity.save(update_fields=["status", "paused_since", "paused_days", "prechecks"])
    _event(activity, user, "info_answered", answer)
    return activity


@transaction.atomic
def approve_activity(
    *,
    activity: Activity,
    decided_by: User,
    approval: str,
    scope: str,
    se_theme: SeTheme | None = None,
    approved_half_days: dict[int, int] | None = None,
    conditions: str = "",
    reasons: str = "",
    by_steering_group: bool = False,
    today: date | None = None,
) -> ApprovalDecision:
    """Approves (general or individual; self-chosen, systematic or both) and issues the number(s)."""
    today = today or timezone.localdate()
    activity = Activity.objects.select_for_update().get(pk=activity.pk)
    _guard(activity, "overturn" if by_steering_group else "approve", Activity.Status.APPROVED)
    if approval not in {Activity.Approval.SELF_CHOSEN, Activity.Approval.SYSTEMATIC, Activity.Approval.BOTH}:
        raise CatalogueError(_("Choose self-chosen, systematic or both."))
    if activity.industry_involvement or not activity.planning_independent:
        raise CatalogueError(
            _("Industry influence on planning or content blocks approval (R-IND-2). Reject the application.")
        )
    systematic = approval in {Activity.Approval.SYSTEMATIC, Activity.Approval.BOTH}
    if systematic and se_theme is None:
        raise CatalogueError(_("Systematic approval needs an SE theme (P-02)."))
    instances = list(activity.instances.all())
    if systematic and se_theme is not None:
        for instance in instances:
            if not theme_applies(theme=se_theme, year=instance.starts_on.year):
                raise CatalogueError(
                    _("The SE theme does not apply in %(year)s.") % {"year": instance.starts_on.year}
                )
    days = _approved_days(instances, approved_half_days or {})
    decision = _record(
        activity,
        kind=ApprovalDecision.Kind.APPROVE,
        approval=approval,
        scope=scope,
        se_theme=se_theme if systematic else None,
        valid_from=min((i.starts_on for i in instances), default=today),
        reasons=reasons,
        conditions=conditions,
        approved_half_days={str(pk): halves for pk, halves in days.items()},
        decided_by=decided_by,
        by_steering_group=by_steering_group,
    )
    activity.approval = approval
    activity.scope = scope
    activity.se_theme = se_theme if systematic else activity.se_theme
    activity.conditions = conditions
    activity.status = Activity.Status.APPROVED
    activity.decided_at = timezone.now()
    activity.save(update_fields=["approval", "scope", "se_theme", "conditions", "status", "decided_at"])
    for instance in instances:
        instance.approved_half_days = days[instance.pk]
        instance.save(update_fields=["approved_half_days"])
        refresh_claimable(instance=instance)
    issue_numbers(activity=activity, today=today)
    activity.refresh_from_db(fields=["number"])
    note = lazy(_approval_note, str)(activity.number, conditions)
    _notify(activity, decided_by, "approved", note, gettext_lazy("Your activity is approved"))
    return decision


def _approved_days(instances: list[ActivityInstance], requested: dict[int, int]) -> dict[int, int]:
    """Approved half days per run: as given, else the run's qualifying days; never more than those."""
    days = {}
    for instance in instances:
        available = int((instance.claimable or {}).get("qualifying_half_days", 0))
        halves = requested.get(instance.pk, available)
        if halves < 0 or halves > available:
            raise CatalogueError(
                _("Approved days for the run on %(date)s must be between 0 and %(days)s.")
                % {"date": f"{instance.starts_on:%d.%m.%Y}", "days": available / 2}
            )
        days[instance.pk] = halves
    return days


@transaction.atomic
def reject_activity(
    *, activity: Activity, decided_by: User, reasons: str, by_steering_group: bool = False
) -> ApprovalDecision:
    activity = Activity.objects.select_for_update().get(pk=activity.pk)
    _guard(activity, "uphold" if by_steering_group else "reject", Activity.Status.REJECTED)
    if not reasons.strip():
        raise CatalogueError(_("A rejection needs reasons the applicant can read."))
    decision = _record(
        activity,
        kind=ApprovalDecision.Kind.REJECT,
        approval=Activity.Approval.NONE,
        scope=activity.scope,
        valid_from=timezone.localdate(),
        reasons=reasons,
        decided_by=decided_by,
        by_steering_group=by_steering_group,
    )
    activity.status = Activity.Status.REJECTED
    activity.approval = Activity.Approval.NONE
    activity.decided_at = timezone.now()
    activity.save(update_fields=["status", "approval", "decided_at"])
    if not by_steering_group:
        _notify(activity, decided_by, "rejected", reasons, gettext_lazy("Your activity was not approved"))
    return decision


@transaction.atomic
def change_approval(
    *, activity: Activity, decided_by: User, approval: str, valid_from: date, reasons: str
) -> ApprovalDecision:
    """The steering group changes or withdraws an approval from a date (P-08); `none` withdraws."""
    activity = Activity.objects.select_for_update().get(pk=activity.pk)
    revoke = approval == Activity.Approval.NONE
    from_now = valid_from <= timezone.localdate()
    target = (
        (Activity.Status.REVOKED if revoke else Activity.Status.APPROVED) if from_now else activity.status
    )
    _guard(activity, "change_approval", target)
    if not reasons.strip():
        raise CatalogueError(_("A change needs reasons."))
    if approval in {Activity.Approval.SYSTEMATIC, Activity.Approval.BOTH} and activity.se_theme is None:
        raise CatalogueError(_("Systematic approval needs an SE theme (P-02)."))
    decision = _record(
        activity,
        kind=ApprovalDecision.Kind.REVOKE if revoke else ApprovalDecision.Kind.CHANGE,
        approval=approval,
        scope=activity.scope,
        se_theme=activity.se_theme if not revoke else None,
        valid_from=valid_from,
        reasons=reasons,
        decided_by=decided_by,
        by_steering_group=True,
    )
    if from_now:
        activity.approval = approval
        activity.status = target
        activity.save(update_fields=["approval", "status"])
    for instance in activity.instances.all():
        refresh_claimable(instance=instance)  # runs on or after `valid_from` are claimed under the change
    subject = (
        gettext_lazy("The approval of your activity was withdrawn")
        if revoke
        else gettext_lazy("The approval of your activity was changed")
    )
    note = lazy(_change_note, str)(valid_from, reasons)
    _notify(activity, decided_by, "revoked" if revoke else "changed", note, subject)
    return decision


def _approval_note(number: str | None, conditions: str) -> str:
    note = _("Activity number %(number)s.") % {"number": number}
    if conditions:
        note += " " + _("Conditions: %(conditions)s") % {"conditions": conditions}
    return note


def _change_note(valid_from: date, reasons: str) -> str:
    return _("From %(date)s: %(reasons)s") % {"date": f"{valid_from:%d.%m.%Y}", "reasons": reasons}


def _record(activity: Activity, **fields: object) -> ApprovalDecision:
    last = activity.decisions.order_by("-version").values_list("version", flat=True).first() or 0
    return ApprovalDecision.objects.create(activity=activity, version=last + 1, **fields)


# ---------------------------------------------------------------- activity numbers


def issue_numbers(*, activity: Activity, today: date) -> list[ActivityNumber]:
    """`YYYY-NNNN` on first approval; group concepts get one per year they run (P-11, R-NUM-1).

    Must run inside the approval transaction: each year's counter row is locked while the number is
    taken, so concurrent approvals neither repeat nor skip a number.
    """
    years = {today.year}
    if activity.form in GROUP_CONCEPTS:
        years = {instance.starts_on.year for instance in activity.instances.all()} or years
    have = set(activity.numbers.values_list("year", flat=True))
    issued = [_take_number(activity, year) for year in sorted(years - have)]
    first = activity.numbers.order_by("year").first()
    if first is not None and activity.number != first.number:
        Activity.objects.filter(pk=activity.pk).update(number=first.number)
    return issued


def _take_number(activity: Activity, year: int) -> ActivityNumber:
    if not NumberSequence.objects.filter(year=year).exists():
        try:
            with transaction.atomic():
                NumberSequence.objects.create(year=year)
        except IntegrityError:
            pass  # another approval created the year's row first; lock it below
    sequence = NumberSequence.objects.select_for_update().get(year=year)
    NumberSequence.objects.filter(pk=sequence.pk).update(last_issued=F("last_issued") + 1)
    sequence.refresh_from_db()
    if sequence.last_issued > 9999:
        raise CatalogueError(_("The activity numbers for %(year)s are used up.") % {"year": year})
    return ActivityNumber.objects.create(
        activity=activity, year=year, number=f"{year}-{sequence.last_issued:04d}"
    )


# ---------------------------------------------------------------- appeals


@transaction.atomic
def file_appeal(*, activity: Activity, user: User, reasons: str) -> ApprovalAppeal:
    """The applicant appeals a consultant's rejection to the steering group (P-07)."""
    activity = Activity.objects.select_for_update().get(pk=activity.pk)
    _guard(activity, "appeal", Activity.Status.APPEALED)
    if activity.appeals.exists():
        raise CatalogueError(_("This rejection has already been appealed."))
    minimum = ParameterSet.default().on(timezone.localdate()).ints["appeal.min_characters"]
    if len(reasons.strip()) < minimum:
        raise CatalogueError(
            _("Explain in at least %(count)s characters why the decision should be changed.")
            % {"count": minimum}
        )
    appeal = ApprovalAppeal.objects.create(activity=activity, reasons=reasons.strip(), filed_by=user)
    activity.status = Activity.Status.APPEALED
    activity.save(update_fields=["status"])
    _event(activity, user, "appealed", reasons)
    return appeal


@transaction.atomic
def decide_appeal(
    *,
    appeal: ApprovalAppeal,
    decided_by: User,
    overturn: bool,
    reasons: str,
    approval: str = Activity.Approval.SELF_CHOSEN,
    se_theme: SeTheme | None = None,
) -> ApprovalAppeal:
    """The steering group upholds the rejection or approves the activity; the applicant is told why."""
    appeal = ApprovalAppeal.objects.select_for_update().get(pk=appeal.pk)
    outcome = ApprovalAppeal.Outcome.OVERTURNED if overturn else ApprovalAppeal.Outcome.UPHELD
    if not APPROVAL_APPEALS.allows("decide", appeal.outcome, target=outcome):
        raise CatalogueError(_("This appeal has already been decided."))
    if not reasons.strip():
        raise CatalogueError(_("The steering group's decision needs reasons."))
    activity = appeal.activity
    if overturn:
        approve_activity(
            activity=activity,
            decided_by=decided_by,
            approval=approval,
            scope=activity.scope,
            se_theme=se_theme,
            reasons=reasons,
            by_steering_group=True,
        )
    else:
        reject_activity(activity=activity, decided_by=decided_by, reasons=reasons, by_steering_group=True)
        _notify(
            activity,
            decided_by,
            "appeal_upheld",
            reasons,
            gettext_lazy("The steering group upheld the rejection"),
        )
    appeal.outcome = outcome
    appeal.decision_reasons = reasons.strip()
    appeal.decided_by = decided_by
    appeal.decided_at = timezone.now()
    appeal.save(update_fields=["outcome", "decision_reasons", "decided_by", "decided_at"])
    return appeal


# ---------------------------------------------------------------- attendance


def read_attendance_csv(content: bytes) -> list[str]:
    """Authorisation IDs from a CSV (one per row, optional header `authorisation_id`)."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise CatalogueError(_("The file must be a UTF-8 CSV file.")) from None
    try:
        rows = list(csv.reader(io.StringIO(text), delimiter=";" if ";" in text.split("\n", 1)[0] else ","))
    except csv.Error:  # a field above the csv module's limit, or a quote never closed
        raise CatalogueError(_("The file is not a CSV file with one authorisation ID per row.")) from None
    if (
        rows
        and rows[0]
        and rows[0][0].strip().lower() in {"authorisation_id", "autorisations_id", "autorisation"}
    ):
        rows[0] = []  # header; keep it so row numbers match the file
    return [row[0] if row else "" for row in rows]  # as in the file: a leading tab is refused, not stripped


@transaction.atomic
def report_attendance(
    *, instance: ActivityInstance, user: User, authorisation_ids: list[str]
) -> list[Attendance]:
    """Records who took part, all or nothing; errors name the row (1-based) they come from."""
    if instance.activity.status != Activity.Status.APPROVED:
        raise CatalogueError(_("Attendance can only be reported for an approved activity."))
    if instance.ends_on > timezone.localdate():
        raise CatalogueError(_("Attendance can be reported when the run has ended."))
    if len(authorisation_ids) > IDS_MAX:
        raise CatalogueError(_("Report at most %(count)s participants at a time.") % {"count": IDS_MAX})
    errors = []
    seen: dict[str, int] = {}
    wanted = [
        (row, cell, cell.strip().upper())
        for row, cell in enumerate(authorisation_ids, start=1)
        if cell.strip()
    ]
    well_formed = {value for _row, _cell, value in wanted if AUTHORISATION_ID.match(value)}
    known = {
        doctor.authorisation_id.upper(): doctor
        for doctor in Doctor.objects.filter(authorisation_id__in=well_formed)
    }
    for row, cell, value in wanted:
        refused = formula_error(cell)
        if refused:
            errors.append(_("Row %(row)s: %(reason)s") % {"row": row, "reason": refused})
            continue
        if value not in well_formed:  # asked of no database: it may hold anything, a NUL character too
            shown = value.replace("\x00", "")[:ID_TEXT_MAX]
            errors.append(
                _("Row %(row)s: “%(value)s” is not an authorisation ID (5 letters or digits).")
                % {"row": row, "value": shown}
            )
        elif value in seen:
            errors.append(
                _("Row %(row)s: %(value)s is also on row %(first)s.")
                % {"row": row, "value": value, "first": seen[value]}
            )
        elif value not in known:
            errors.append(
                _("Row %(row)s: no GP has the authorisation ID %(value)s.") % {"row": row, "value": value}
            )
        seen.setdefault(value, row)
    if not wanted and not errors:
        errors.append(_("The list has no participants."))
    if errors:
        raise CatalogueError(_("Nothing was saved. Correct these rows and try again."), errors)
    created = [Attendance.objects.get_or_create(instance=instance, doctor=known[value])[0] for value in seen]
    instance.attendance_reported_at = timezone.now()
    instance.save(update_fields=["attendance_reported_at"])
    _event(instance.activity, user, "attendance_reported", str(len(created)))
    return created


@transaction.atomic
def report_bookings(*, instance: ActivityInstance, booked: int) -> ActivityInstance:
    """The provider keeps the number of places taken current, so the catalogue can show free places."""
    if booked < 0 or booked > instance.places:
        raise CatalogueError(
            _("Places taken must be between 0 and %(places)s.") % {"places": instance.places}
        )
    instance.booked = booked
    instance.save(update_fields=["booked"])
    return instance


# ---------------------------------------------------------------- notifications


def _event(
    activity: Activity, actor: User | None, action: str, note: str = "", for_applicant: bool = False
) -> ActivityEvent:
    return ActivityEvent.objects.create(
        activity=activity, actor=actor, action=action, note=note, for_applicant=for_applicant
    )


def applicant_recipient(activity: Activity) -> Provider | Doctor | User | None:
    """Where decisions go: the provider's address, else the GP's, else the login that applied."""
    for holder in (activity.provider, activity.applicant_doctor, activity.created_by):
        if holder is not None and holder.email:
            return holder
    return None


def _notify(
    activity: Activity, actor: User, action: str, note: str | Promise, subject: str | Promise
) -> None:
    """An on-page notification for the applicant, and an e-mail in the applicant's language sent after
    commit. `note` and `subject` are lazy where Ajour writes them, so the e-mail translates them."""
    _event(activity, actor, action, str(note), for_applicant=True)
    recipient = applicant_recipient(activity)
    if recipient is not None:
        send_mail_to(
            recipient,
            "catalogue/email/applicant_notice.txt",
            {"subject": subject, "title": activity.title, "note": note},
        )

"""Catalogue pages: public search and detail, applications, the consultants' queue, appeals, attendance.

Thin views: parse with a form, authorise through `permissions`, call one service or selector, render.
"""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ajour.accounts.http import request_user
from ajour.accounts.models import User
from ajour.catalogue import forms, permissions, selectors, services
from ajour.catalogue.ical import calendar
from ajour.catalogue.models import Activity
from ajour.catalogue.programme import claim_preview
from ajour.catalogue.workflow import ACTIVITIES, APPROVAL_APPEALS
from ajour.core.forms import form_errors, render_form_page
from ajour.core.permissions import require

PAGE_SIZE = 20
FEED_LIMIT = 500


def _can(request: HttpRequest, activity: Activity) -> frozenset[str]:
    """What the user's role may do with the activity now, by the approval workflow (the pages' flags)."""
    return ACTIVITIES.actions(activity.status, getattr(request.user, "role", None))


# ---------------------------------------------------------------- public


@require_GET
def search(request: HttpRequest) -> HttpResponse:
    form = forms.SearchForm(request.GET or None)
    filters = form.filters()
    page = Paginator(selectors.search_catalogue(filters=filters), PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "page": page, "query": query.urlencode(), "filters": filters}
    if not page.paginator.count:
        suggestion = selectors.did_you_mean(filters=filters)
        if suggestion:
            query["q"] = suggestion
            context |= {"suggestion": suggestion, "suggestion_query": query.urlencode()}
    template = "catalogue/_results.html" if getattr(request, "htmx", False) else "catalogue/search.html"
    return render(request, template, context)


@require_GET
def feed(request: HttpRequest) -> HttpResponse:
    """The current search as an iCalendar feed (subscribe in any calendar program)."""
    filters = forms.SearchForm(request.GET or None).filters()
    instances = selectors.search_catalogue(filters=filters).prefetch_related("days")[:FEED_LIMIT]
    text = calendar(
        instances,
        url_for=lambda activity: request.build_absolute_uri(reverse("catalogue:detail", args=[activity.pk])),
        host=request.get_host().split(":")[0],
    )
    response = HttpResponse(text, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="ajour-kurser.ics"'
    return response


@require_GET
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    activity = selectors.public_activity(pk=pk)
    if activity is None:
        raise Http404
    return render(
        request,
        "catalogue/detail.html",
        {
            "activity": activity,
            "approval": selectors.approval_shown(activity=activity, today=timezone.localdate()),
            "instances": selectors.instances_with_days(activity=activity),
            "can": _can(request, activity),
        },
    )


# ---------------------------------------------------------------- applicants


@login_required
@require_http_methods(["GET", "POST"])
def provider_register(request: HttpRequest) -> HttpResponse:
    form = forms.ProviderForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.register_provider(user=request_user(request), **form.cleaned_data)
        except services.CatalogueError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Your organisation is registered. You can now submit activities."))
            return redirect("web:home")
    return render_form_page(request, "catalogue/provider_register.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def activity_new(request: HttpRequest) -> HttpResponse:
    """A provider's new application, or a GP's application for individual (advance) approval."""
    as_gp = request_user(request).role == User.Role.GP
    permission = (
        permissions.can_apply_as_gp(request_user(request))
        if as_gp
        else permissions.can_apply_as_provider(request_user(request))
    )
    require(permission)
    form_class = forms.IndividualActivityForm if as_gp else forms.ActivityForm
    form = form_class(request.POST or None)
    run = forms.InstanceForm(request.POST or None, prefix="run")
    if request.method == "POST" and form.is_valid() and run.is_valid():
        owner = (
            {"applicant_doctor": request_user(request).doctor}
            if as_gp
            else {"provider": request_user(request).provider}
        )
        try:
            activity = services.create_activity(
                user=request_user(request),
                data=form.activity_data(),
                instances=[run.instance_data()],
                **owner,
            )
        except services.CatalogueError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Saved as a draft. Check what participants can claim, then submit."))
            return redirect("catalogue:application", pk=activity.pk)
    return render_form_page(
        request, "catalogue/activity_form.html", {"form": form, "run": run, "as_gp": as_gp}
    )


@login_required
@require_http_methods(["GET", "POST"])
def activity_edit(request: HttpRequest, pk: int) -> HttpResponse:
    activity = permissions.activity_for_user(request_user(request), pk)
    if not permissions.is_applicant(request_user(request), activity):
        raise Http404
    form_class = forms.IndividualActivityForm if activity.applicant_doctor_id else forms.ActivityForm
    form = form_class(request.POST or None, initial=forms.ActivityForm.initial_for(activity))
    if request.method == "POST" and form.is_valid():
        try:
            services.update_activity(activity=activity, user=request_user(request), data=form.activity_data())
        except services.CatalogueError as error:
            form.add_error(None, error.message)
        else:
            return redirect("catalogue:application", pk=activity.pk)
    return render_form_page(
        request,
        "catalogue/activity_form.html",
        {"form": form, "activity": activity, "as_gp": bool(activity.applicant_doctor_id)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def instance_new(request: HttpRequest, pk: int) -> HttpResponse:
    activity = permissions.activity_for_user(request_user(request), pk)
    if not permissions.is_applicant(request_user(request), activity):
        raise Http404
    run = forms.InstanceForm(request.POST or None, prefix="run")
    if request.method == "POST" and run.is_valid():
        try:
            services.add_instance(activity=activity, data=run.instance_data())
        except services.CatalogueError as error:
            run.add_error(None, error.message)
        else:
            return redirect("catalogue:application", pk=activity.pk)
    return render_form_page(request, "catalogue/instance_form.html", {"activity": activity, "run": run})


@login_required
@require_GET
def application(request: HttpRequest, pk: int) -> HttpResponse:
    """The applicant's page: status, what participants can claim, notifications and next steps."""
    return _application_page(request, _own_application(request, pk))


def _own_application(request: HttpRequest, pk: int) -> Activity:
    """The applicant's own application; anyone else gets the 404 of a missing one."""
    activity = permissions.activity_for_user(request_user(request), pk)
    if not permissions.is_applicant(request_user(request), activity):
        raise Http404
    return activity


def _application_page(
    request: HttpRequest,
    activity: Activity,
    *,
    answer_form: forms.AnswerForm | None = None,
    appeal_form: forms.AppealForm | None = None,
    refused: bool = False,
) -> HttpResponse:
    """The applicant's page; with a form sent with errors, or input `refused`, it shows why (400)."""
    today = timezone.localdate()
    return render_form_page(
        request,
        "catalogue/application.html",
        {
            "activity": activity,
            "instances": selectors.instances_with_days(activity=activity),
            "events": activity.events.filter(for_applicant=True),
            "decisions": activity.decisions.order_by("-version"),
            "appeal": activity.appeals.order_by("-pk").first(),
            "can": _can(request, activity),
            "answer_form": answer_form or forms.AnswerForm(),
            "appeal_form": appeal_form or forms.AppealForm(),
            "today": today,
            "similar": _similar(activity, today),
        },
        refused=refused,
    )


def _similar(activity: Activity, today: date) -> list[Activity]:
    """For a GP's own application: their activities on the same topic in the last 5 years (R-IND-1)."""
    if activity.applicant_doctor is None:
        return []
    return selectors.similar_activities(doctor=activity.applicant_doctor, topic=activity.topic, today=today)


def _applicant_post(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    activity = _own_application(request, pk)
    answer_form = forms.AnswerForm(request.POST) if action == "answer" else None
    appeal_form = forms.AppealForm(request.POST) if action == "appeal" else None
    sent = answer_form or appeal_form
    if sent is not None and not sent.is_valid():
        return _application_page(request, activity, answer_form=answer_form, appeal_form=appeal_form)
    try:
        if answer_form is not None:
            answer = answer_form.cleaned_data["answer"]
            services.answer_information(activity=activity, user=request_user(request), answer=answer)
            messages.success(request, _("Your answer was sent to the consultant."))
        elif appeal_form is not None:
            reasons = appeal_form.cleaned_data["reasons"]
            services.file_appeal(activity=activity, user=request_user(request), reasons=reasons)
            messages.success(request, _("Your appeal was sent to the steering group."))
        else:
            services.submit_activity(activity=activity, user=request_user(request))
            messages.success(request, _("Submitted. A medical consultant will assess the application."))
    except services.CatalogueError as error:
        messages.error(request, error.message)
    return redirect("catalogue:application", pk=activity.pk)


@login_required
@require_POST
def submit(request: HttpRequest, pk: int) -> HttpResponse:
    return _applicant_post(request, pk, "submit")


@login_required
@require_POST
def answer(request: HttpRequest, pk: int) -> HttpResponse:
    return _applicant_post(request, pk, "answer")


@login_required
@require_POST
def appeal(request: HttpRequest, pk: int) -> HttpResponse:
    return _applicant_post(request, pk, "appeal")


@login_required
@require_http_methods(["POST"])
def programme_preview(request: HttpRequest) -> HttpResponse:
    """htmx: what a participant could claim for the programme being typed (nothing is saved)."""
    form = forms.PreviewForm(request.POST)
    preview = None
    if form.is_valid():
        d = form.cleaned_data
        preview = claim_preview(
            days=d["programme"],
            claim_type=Activity(form=d["form"] or Activity.Form.COURSE).claim_type,
            approval=d["requested_approval"] or Activity.Approval.SELF_CHOSEN,
            price_ore=forms.dkk_to_ore(d["price_dkk"]) or 0,
        )
    return render(
        request, "catalogue/_preview.html", {"preview": preview, "errors": form.errors.get("programme")}
    )


@login_required
@require_http_methods(["GET", "POST"])
def attendance(request: HttpRequest, pk: int) -> HttpResponse:
    """The provider reports who took part: typed IDs or a CSV upload; all rows or nothing."""
    instance = permissions.instance_for_applicant(request_user(request), pk)
    form = forms.AttendanceForm(request.POST or None, request.FILES or None)
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            upload = form.cleaned_data.get("file")
            ids = (
                services.read_attendance_csv(upload.read())
                if upload
                else form.cleaned_data["ids"].splitlines()
            )
            created = services.report_attendance(
                instance=instance, user=request_user(request), authorisation_ids=ids
            )
        except services.CatalogueError as error:
            form.add_error(None, error.message)
            errors = error.errors
        else:
            messages.success(
                request,
                _("%(count)s participants recorded. They can now claim in one click.")
                % {"count": len(created)},
            )
            return redirect("catalogue:application", pk=instance.activity_id)
    return render_form_page(
        request,
        "catalogue/attendance.html",
        {
            "instance": instance,
            "form": form,
            "errors": errors,
            "reported": instance.attendances.select_related("doctor"),
        },
    )


@login_required
@require_POST
def bookings(request: HttpRequest, pk: int) -> HttpResponse:
    instance = permissions.instance_for_applicant(request_user(request), pk)
    form = forms.BookingsForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_errors(form))
        return _application_page(request, instance.activity, refused=True)
    try:
        services.report_bookings(instance=instance, booked=form.cleaned_data["booked"])
        messages.success(request, _("Places taken are updated."))
    except services.CatalogueError as error:
        messages.error(request, error.message)
    return redirect("catalogue:application", pk=instance.activity_id)


# ---------------------------------------------------------------- consultants and the steering group


@login_required
@require_GET
def review_queue(request: HttpRequest) -> HttpResponse:
    require(permissions.can_review(request_user(request)))
    form = forms.QueueFilterForm(request.GET or None)
    return render(
        request,
        "catalogue/review_queue.html",
        {"form": form, "rows": selectors.review_queue(filters=form.filters())},
    )


@login_required
@require_http_methods(["GET", "POST"])
def review(request: HttpRequest, pk: int) -> HttpResponse:
    activity = permissions.activity_for_user(request_user(request), pk)
    require(permissions.can_review(request_user(request)))
    instances = list(selectors.instances_with_days(activity=activity))
    form = forms.DecisionForm(
        request.POST or None,
        instances=instances,
        initial={
            "approval": activity.requested_approval,
            "scope": activity.scope,
            "se_theme": activity.se_theme_id,
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if data["action"] == "approve":
                services.approve_activity(
                    activity=activity,
                    decided_by=request_user(request),
                    approval=data["approval"],
                    scope=data["scope"] or activity.scope,
                    se_theme=data["se_theme"],
                    approved_half_days=form.approved_half_days(),
                    conditions=data["conditions"],
                    reasons=data["reasons"],
                )
                messages.success(request, _("Approved."))
            elif data["action"] == "reject":
                services.reject_activity(
                    activity=activity, decided_by=request_user(request), reasons=data["reasons"]
                )
                messages.success(request, _("Rejected. The applicant has been told why."))
            else:
                services.request_information(
                    activity=activity, consultant=request_user(request), question=data["reasons"]
                )
                messages.success(request, _("The applicant has been asked. The clock is paused."))
        except services.CatalogueError as error:
            form.add_error(None, error.message)
        else:
            return redirect("catalogue:review_queue")
    similar = _similar(activity, timezone.localdate())
    return render_form_page(
        request,
        "catalogue/review.html",
        {
            "activity": activity,
            "instances": instances,
            "form": form,
            "can": _can(request, activity),
            "findings": selectors.precheck_messages(activity.prechecks),
            "waiting_days": selectors.waiting_days(activity=activity),
            "events": activity.events.all(),
            "decisions": activity.decisions.order_by("-version"),
            "similar": similar,
        },
    )


@login_required
@require_GET
def appeals(request: HttpRequest) -> HttpResponse:
    require(permissions.can_steer(request_user(request)))
    return render(request, "catalogue/appeals.html", {"appeals": selectors.pending_appeals()})


@login_required
@require_http_methods(["GET", "POST"])
def appeal_decide(request: HttpRequest, pk: int) -> HttpResponse:
    appeal_ = permissions.appeal_for_steering(request_user(request), pk)
    activity = appeal_.activity
    form = forms.AppealDecisionForm(
        request.POST or None,
        initial={"approval": activity.requested_approval, "se_theme": activity.se_theme_id},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.decide_appeal(
                appeal=appeal_,
                decided_by=request_user(request),
                overturn=data["outcome"] == "overturn",
                reasons=data["reasons"],
                approval=data["approval"] or activity.requested_approval,
                se_theme=data["se_theme"],
            )
        except services.CatalogueError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("The decision is recorded and the applicant has been told."))
            return redirect("catalogue:appeals")
    return render_form_page(
        request,
        "catalogue/appeal.html",
        {
            "appeal": appeal_,
            "can_decide": APPROVAL_APPEALS.allows("decide", appeal_.outcome, role=request_user(request).role),
            "activity": activity,
            "form": form,
            "instances": selectors.instances_with_days(activity=activity),
            "decisions": activity.decisions.order_by("-version"),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def change(request: HttpRequest, pk: int) -> HttpResponse:
    """The steering group changes or withdraws an approval from a date (P-08)."""
    require(permissions.can_steer(request_user(request)))
    activity = permissions.activity_for_user(request_user(request), pk)
    form = forms.ChangeApprovalForm(
        request.POST or None, initial={"approval": activity.approval, "valid_from": timezone.localdate()}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.change_approval(activity=activity, decided_by=request_user(request), **form.cleaned_data)
        except services.CatalogueError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("The approval is changed from the date given."))
            return redirect("catalogue:change", pk=activity.pk)
    return render_form_page(
        request,
        "catalogue/change.html",
        {
            "activity": activity,
            "can": _can(request, activity),
            "form": form,
            "decisions": activity.decisions.order_by("-version"),
        },
    )

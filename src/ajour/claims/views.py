"""Thin claim views: find an activity, claim with a live quote, follow the claim; the secretariat's
queue, sample control and payouts; the steering group's appeals."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import formats, timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ajour.accounts.http import request_user
from ajour.accounts.models import Doctor, User
from ajour.catalogue.models import ActivityInstance
from ajour.claims import permissions, selectors, services
from ajour.claims.display import decision_for_display, labelled, timeline
from ajour.claims.forms import (
    AppealDecisionForm,
    AppealForm,
    ClaimForm,
    MaterialForm,
    PayoutForm,
    ReceiptForm,
    ReviewForm,
)
from ajour.claims.models import Appeal, Claim, PayoutBatch
from ajour.claims.payload import ClaimInputError
from ajour.claims.payouts import PayoutError, PayoutFiles, run_payouts
from ajour.claims.workflow import CLAIMS, REVIEW_ACTIONS
from ajour.core.bounds import date_window_message, in_date_window
from ajour.core.forms import form_errors, render_form_page
from ajour.core.permissions import Refused, require


def _lang() -> str:
    return "en" if (get_language() or "da").startswith("en") else "da"


def _claimant_or_403(request: HttpRequest) -> Doctor:
    user = request_user(request)
    permission = permissions.can_claim(user)
    require(permission)
    claimant = permissions.claimant_for(user)
    if claimant is None:  # can_claim has just found one
        raise Refused(permission.reason)
    return claimant


def _claim_of_claimants_side(request: HttpRequest, public_id: UUID) -> tuple[User, Claim]:
    """The claim, for the GP or clinic who filed it; anyone else gets the 404 of a missing claim."""
    user = request_user(request)
    claim = permissions.claim_for_user(user, public_id)
    if not permissions.is_claimants_side(user, claim):
        raise Http404
    return user, claim


@login_required
@require_GET
def find(request: HttpRequest) -> HttpResponse:
    """Step 1: find the activity by number, title or date."""
    claimant = _claimant_or_403(request)
    query = request.GET.get("q", "")[:200]
    on_text = request.GET.get("on", "")
    on, error = None, ""
    if on_text:
        try:
            on = date.fromisoformat(on_text)
        except ValueError:
            error = _("Enter the date as YYYY-MM-DD.")
        else:
            if not in_date_window(on):
                on, error = None, date_window_message()
    searched = bool(query or on)
    results = (
        selectors.claimable_instances(
            query=query,
            on=on,
            today=timezone.localdate(),
            doctor=claimant,
            mark_own_claims=request_user(request).role == User.Role.GP,
        )
        if searched and not error
        else []
    )
    return render(
        request,
        "claims/find.html",
        {"q": query, "on": on_text, "results": results, "searched": searched, "error": error},
        status=400 if error else 200,
    )


def _claim_form(request: HttpRequest, instance: ActivityInstance) -> ClaimForm:
    user = request_user(request)
    staff_practice = user.practice if user.role == User.Role.CLINIC else None
    data = request.POST if request.method == "POST" else None
    return ClaimForm(data, instance=instance, staff_practice=staff_practice)


def _quote_or_error(claimant: Doctor, form: ClaimForm) -> tuple[dict[str, object] | None, str]:
    if not form.is_valid():
        return None, ""
    try:
        decision = services.quote(
            claimant=claimant, request=form.claim_request(), filed_on=timezone.localdate(), lang=_lang()
        )
        return labelled(decision), ""
    except ClaimInputError as error:
        return None, error.message


@login_required
@require_http_methods(["GET", "POST"])
def new_claim(request: HttpRequest, instance_id: int) -> HttpResponse:
    """Step 2: the claim form with programme days pre-filled and the live quote; submit books the claim."""
    claimant = _claimant_or_403(request)
    instance = permissions.instance_for_claimant(claimant, instance_id)
    form = _claim_form(request, instance)
    decision, error = (None, "")
    if request.method == "POST":
        decision, error = _quote_or_error(claimant, form)
        if decision is not None and request.POST.get("action") == "submit":
            return _submit(request, claimant, form)
    claimed = selectors.claims_shown_on_the_form(
        claimant=claimant,
        instance_id=instance.pk,
        staff_practice_id=form.staff_practice.pk if form.staff_practice is not None else None,
    )
    return render_form_page(
        request,
        "claims/claim_form.html",
        {
            "form": form,
            "instance": instance,
            "decision": decision,
            "error": error,
            "claimant": claimant,
            "claimed": claimed,
        },
        refused=bool(error),
    )


def _submit(request: HttpRequest, claimant: Doctor, form: ClaimForm) -> HttpResponse:
    try:
        submission = services.submit_claim(
            claimant=claimant,
            request=form.claim_request(),
            filed_on=timezone.localdate(),
            by=request_user(request),
            lang=_lang(),
        )
    except ClaimInputError as error:
        messages.error(request, error.message)
        return redirect(request.path)
    except services.DuplicateClaim as duplicate:
        messages.info(request, str(duplicate))
        return redirect("claims:detail", public_id=duplicate.existing.public_id)
    messages.success(request, _("Your claim has been decided. You can follow it here."))
    return redirect("claims:detail", public_id=submission.claim.public_id)


@login_required
@require_POST
def quote_partial(request: HttpRequest, instance_id: int) -> HttpResponse:
    """The live quote (htmx): re-decided on every change, nothing stored."""
    claimant = _claimant_or_403(request)
    form = _claim_form(request, permissions.instance_for_claimant(claimant, instance_id))
    decision, error = _quote_or_error(claimant, form)
    return render(request, "claims/_quote.html", {"form": form, "decision": decision, "error": error})


@login_required
@require_http_methods(["GET", "POST"])
def new_material(request: HttpRequest) -> HttpResponse:
    """A study-material claim (R-MAT): up to 25 % of the year's allocation."""
    claimant = _claimant_or_403(request)
    if request_user(request).role != User.Role.GP:
        raise Refused(_("Study material is claimed by the GP personally."))
    form = MaterialForm(request.POST or None)
    decision, error = None, ""
    if request.method == "POST" and form.is_valid():
        try:
            if request.POST.get("action") == "submit":
                submission = services.submit_claim(
                    claimant=claimant,
                    request=form.claim_request(),
                    filed_on=timezone.localdate(),
                    by=request_user(request),
                    lang=_lang(),
                )
                messages.success(request, _("Your claim has been decided. You can follow it here."))
                return redirect("claims:detail", public_id=submission.claim.public_id)
            decision = labelled(
                services.quote(
                    claimant=claimant,
                    request=form.claim_request(),
                    filed_on=timezone.localdate(),
                    lang=_lang(),
                )
            )
        except ClaimInputError as failure:
            error = failure.message
    return render_form_page(
        request,
        "claims/material_form.html",
        {"form": form, "decision": decision, "error": error},
        refused=bool(error),
    )


@login_required
@require_GET
def detail(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """The claim, its decision in plain language, receipts, appeal and the status timeline."""
    user = request_user(request)
    return _detail_page(request, user, permissions.claim_for_user(user, public_id))


def _detail_page(
    request: HttpRequest,
    user: User,
    claim: Claim,
    *,
    receipt_form: ReceiptForm | None = None,
    appeal_form: AppealForm | None = None,
    review_form: ReviewForm | None = None,
) -> HttpResponse:
    """The claim's page; with a form that was sent with errors, the page shows them (400)."""
    claimants_side = permissions.is_claimants_side(user, claim)
    can = CLAIMS.actions(claim.status, user.role)
    return render_form_page(
        request,
        "claims/detail.html",
        {
            "claim": claim,
            "decision": decision_for_display(claim, _lang()),
            "events": timeline(claim),
            "receipts": claim.receipts.all() if permissions.can_see_receipts(user, claim) else [],
            "appeals": claim.appeals.all(),
            "can_upload": claimants_side and "upload_receipt" in can,
            "can_appeal": claimants_side and "appeal" in can,
            "can_review": bool(can & REVIEW_ACTIONS),
            "receipt_form": receipt_form or ReceiptForm(),
            "appeal_form": appeal_form or AppealForm(),
            "review_form": review_form or ReviewForm(offered=can),
        },
    )


def _back(request: HttpRequest, claim: Claim) -> HttpResponse:
    return redirect("claims:detail", public_id=claim.public_id)


@login_required
@require_POST
def upload_receipt(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """A receipt from the claimant's side; a refused file is named next to the field on the claim page."""
    user, claim = _claim_of_claimants_side(request, public_id)
    form = ReceiptForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.upload_receipt(claim=claim, upload=form.cleaned_data["file"], by=user)
        except services.ClaimError as error:
            if "upload_receipt" not in CLAIMS.actions(claim.status, user.role):  # no upload form to show
                messages.error(request, str(error))
                return _back(request, claim)
            form.add_error("file", str(error))
        else:
            messages.success(request, _("Thank you. The receipt has been uploaded."))
            return _back(request, claim)
    return _detail_page(request, user, claim, receipt_form=form)


@login_required
@require_GET
def download_receipt(request: HttpRequest, public_id: UUID, receipt_id: int) -> FileResponse:
    """Receipts are served only through this view, to the claimant's side and the secretariat."""
    receipt = permissions.receipt_for_user(request_user(request), public_id, receipt_id)
    response = FileResponse(receipt.file.open("rb"), content_type=receipt.content_type)
    response["Content-Disposition"] = f'attachment; filename="receipt-{receipt.pk}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_POST
def appeal(request: HttpRequest, public_id: UUID) -> HttpResponse:
    user, claim = _claim_of_claimants_side(request, public_id)
    form = AppealForm(request.POST)
    if not form.is_valid():
        return _detail_page(request, user, claim, appeal_form=form)
    try:
        services.file_appeal(claim=claim, text=form.cleaned_data["text"], by=user)
        messages.success(request, _("Your appeal has been sent to the steering group."))
    except services.ClaimError as error:
        messages.error(request, str(error))
    return _back(request, claim)


@login_required
@require_POST
def review(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """Sample control and corrections: approve, adjust (reversal + new draw) or reject, with a reason."""
    user = request_user(request)
    require(permissions.can_review(user))
    claim = permissions.claim_for_user(user, public_id)
    form = ReviewForm(request.POST, offered=CLAIMS.actions(claim.status, user.role))
    if not form.is_valid():
        return _detail_page(request, user, claim, review_form=form)
    data = form.cleaned_data
    try:
        if data["action"] == "approve":
            services.approve_claim(claim=claim, by=user, note=data["reason"])
        elif data["action"] == "adjust":
            services.adjust_claim(claim=claim, payable_ore=data["amount"], reason=data["reason"], by=user)
        else:
            services.reject_claim(claim=claim, reason=data["reason"], by=user)
        messages.success(request, _("The claim has been updated."))
    except services.ClaimError as error:
        messages.error(request, str(error))
    return _back(request, claim)


@login_required
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    """The secretariat's queue with filters."""
    require(permissions.can_review(request_user(request)))
    status = request.GET.get("status", "")
    status = status if status in Claim.Status.values else ""
    min_text = request.GET.get("min", "").strip()
    min_ore = int(min_text) * 100 if min_text.isdigit() else None
    query = request.GET.get("q", "")[:100]
    same_day_only = request.GET.get("overlap") == "1"
    return render(
        request,
        "claims/queue.html",
        {
            "claims": selectors.filtered_queue(
                status=status, query=query, min_ore=min_ore, same_day_only=same_day_only
            ),
            "same_day_only": same_day_only,
            "statuses": Claim.Status.choices,
            "status": status,
            "q": query,
            "min": min_text if min_ore is not None else "",
        },
    )


@login_required
@require_GET
def appeals(request: HttpRequest) -> HttpResponse:
    require(permissions.can_decide_appeals(request_user(request)))
    return render(
        request, "claims/appeals.html", {"appeals": selectors.pending_appeals(), "form": AppealDecisionForm()}
    )


@login_required
@require_POST
def decide_appeal(request: HttpRequest, appeal_id: int) -> HttpResponse:
    user = request_user(request)
    require(permissions.can_decide_appeals(user))
    appeal_obj = get_object_or_404(Appeal, pk=appeal_id)
    form = AppealDecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_errors(form))
        return render(
            request,
            "claims/appeals.html",
            {"appeals": selectors.pending_appeals(), "form": AppealDecisionForm()},
            status=400,
        )
    data = form.cleaned_data
    upheld = data["outcome"] == "upheld"
    try:
        services.decide_appeal(
            appeal=appeal_obj,
            upheld=upheld,
            payable_ore=data["amount"] if upheld else None,
            text=data["text"],
            by=user,
        )
        messages.success(request, _("The appeal has been decided."))
    except services.ClaimError as error:
        messages.error(request, str(error))
    return redirect("claims:appeals")


@login_required
@require_http_methods(["GET", "POST"])
def payouts(request: HttpRequest) -> HttpResponse:
    """The caseworker's payout page: run (or re-issue) a day's batch and download its files."""
    user = request_user(request)
    require(permissions.can_review(user))
    form = PayoutForm(request.POST or None, initial={"date": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            files = run_payouts(on=form.cleaned_data["date"], by=user)
        except PayoutError as error:
            form.add_error("date", str(error))
        else:
            _report_run(request, files)
            return redirect("claims:payouts")
    return render(request, "claims/payouts.html", {"form": form, "batches": selectors.recent_batches()})


def _report_run(request: HttpRequest, files: PayoutFiles | None) -> None:
    if files is None:
        messages.info(request, _("There is nothing to pay."))
        return
    batch = files.batch
    if files.reissued:
        messages.info(
            request,
            _(
                "A payout run for %(date)s already exists: batch %(id)s, %(count)d transfers. "
                "Nothing more was paid; its files are listed below."
            )
            % {
                "date": formats.date_format(batch.date, "SHORT_DATE_FORMAT"),
                "id": batch.message_id,
                "count": batch.transactions,
            },
        )
        return
    messages.success(
        request,
        _("Batch %(id)s: %(count)d transfers.") % {"id": batch.message_id, "count": batch.transactions},
    )
    if files.held:
        messages.warning(
            request,
            _("%(count)d claims are held because no bank account is known.") % {"count": files.held},
        )


@login_required
@require_GET
def payout_file(request: HttpRequest, on: str, kind: str) -> HttpResponse:
    require(permissions.can_review(request_user(request)))
    if kind not in ("xml", "csv"):
        raise Http404
    try:
        day = date.fromisoformat(on)
    except ValueError as error:
        raise Http404 from error
    get_object_or_404(PayoutBatch, date=day)
    files = run_payouts(on=day)
    assert files is not None  # the batch exists
    body, content_type = (files.xml, "application/xml") if kind == "xml" else (files.csv, "text/csv")
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="ajour-payouts-{day.isoformat()}.{kind}"'
    return response

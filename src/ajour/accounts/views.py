"""Account views: employed GPs' contracts, the secretariat's confirmations, ledgers and corrections."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ajour.accounts import permissions, selectors, services
from ajour.accounts.forms import (
    BankAccountForm,
    ConfirmationDecisionForm,
    ContractForm,
    CorrectionForm,
    ProrateForm,
)
from ajour.accounts.http import request_user
from ajour.accounts.models import User
from ajour.core.forms import form_errors, render_form_page
from ajour.core.permissions import require


@login_required
@require_http_methods(["GET", "POST"])
def employment(request: HttpRequest) -> HttpResponse:
    """An employed GP's contracts per year and their status; upload this year's contract."""
    user = request_user(request)
    require(permissions.can_confirm_employment(user))
    assert user.doctor is not None
    form = ContractForm(
        request.POST or None, request.FILES or None, initial={"year": timezone.localdate().year}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.upload_employment_contract(
                doctor=user.doctor, year=form.cleaned_data["year"], document=form.cleaned_data["document"]
            )
            messages.success(request, _("Thank you. The secretariat will confirm your contract."))
            return redirect("accounts:employment")
        except services.AccountError as error:
            form.add_error("document", str(error))
    return render_form_page(
        request,
        "accounts/employment.html",
        {"form": form, "confirmations": selectors.employment_for_doctor(doctor=user.doctor)},
    )


@login_required
@require_GET
def contract(request: HttpRequest, pk: int) -> FileResponse:
    """The uploaded contract, only for its doctor and the secretariat."""
    confirmation = permissions.confirmation_for_user(request_user(request), pk)
    if not confirmation.document:
        raise Http404
    response = FileResponse(confirmation.document.open("rb"), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="contract-{confirmation.year}.pdf"'
    return response


@login_required
@require_GET
def confirmations(request: HttpRequest) -> HttpResponse:
    """The secretariat's list of contracts waiting for confirmation."""
    require(permissions.can_manage_accounts(request_user(request)))
    return _confirmations_page(request)


def _confirmations_page(request: HttpRequest, *, status: int = 200) -> HttpResponse:
    return render(
        request,
        "accounts/confirmations.html",
        {"pending": selectors.pending_confirmations(), "form": ConfirmationDecisionForm()},
        status=status,
    )


@login_required
@require_POST
def decide_confirmation(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    require(permissions.can_manage_accounts(user))
    confirmation = permissions.confirmation_for_user(user, pk)
    form = ConfirmationDecisionForm(request.POST)
    if form.is_valid():
        try:
            services.decide_employment(
                confirmation=confirmation,
                confirm=form.cleaned_data["decision"] == "confirm",
                share_percent=form.cleaned_data["share_percent"],
                note=form.cleaned_data["note"],
                by=user,
            )
            messages.success(request, _("The decision has been saved."))
        except services.AccountError as error:
            messages.error(request, str(error))
    else:
        messages.error(request, form_errors(form))
        return _confirmations_page(request, status=400)
    return redirect("accounts:confirmations")


@login_required
@require_GET
def my_ledger(request: HttpRequest) -> HttpResponse:
    """Every entry behind the GP's balances."""
    user = request_user(request)
    if user.doctor is None:
        raise Http404
    return render(
        request,
        "accounts/ledger.html",
        {"doctor": user.doctor, "entries": selectors.ledger_for_doctor(doctor=user.doctor)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def doctor_account(request: HttpRequest, pk: int) -> HttpResponse:
    """The secretariat's view of one doctor's ledger, with manual correction and pro-rating."""
    user = request_user(request)
    doctor = permissions.doctor_for_secretariat(user, pk)
    action = request.POST.get("form")
    correction = CorrectionForm(request.POST if action == "correct" else None, prefix="correct")
    prorate = ProrateForm(
        request.POST if action == "prorate" else None,
        prefix="prorate",
        initial={"year": timezone.localdate().year},
    )
    try:
        if action == "correct" and correction.is_valid():
            account = services.doctor_account(doctor=doctor, kind=correction.cleaned_data["kind"])
            services.correct_balance(
                account=account,
                amount=correction.cleaned_data["amount"],
                reason=correction.cleaned_data["reason"],
                by=user,
            )
            messages.success(request, _("The correction has been booked."))
            return redirect("accounts:doctor", pk=doctor.pk)
        if action == "prorate" and prorate.is_valid():
            services.prorate_allocation(
                doctor=doctor,
                year=prorate.cleaned_data["year"],
                percent=prorate.cleaned_data["percent"],
                reason=prorate.cleaned_data["reason"],
                by=user,
            )
            messages.success(request, _("The allocation has been pro-rated."))
            return redirect("accounts:doctor", pk=doctor.pk)
    except services.AccountError as error:
        messages.error(request, str(error))
    return render_form_page(
        request,
        "accounts/doctor.html",
        {
            "doctor": doctor,
            "balances": selectors.doctor_balances(doctor=doctor),
            "entries": selectors.ledger_for_doctor(doctor=doctor, limit=200),
            "correction": correction,
            "prorate": prorate,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def bank_account(request: HttpRequest) -> HttpResponse:
    """Where payouts go: the GP's private account, or the practice account for a clinic login."""
    user = request_user(request)
    holder = user.practice if user.role == User.Role.CLINIC else user.doctor
    if holder is None:
        raise Http404
    form = BankAccountForm(request.POST or None, initial={"iban": holder.payout_iban})
    if request.method == "POST" and form.is_valid():
        services.set_payout_account(user=user, iban=form.cleaned_data["iban"])
        messages.success(request, _("The payout account has been saved."))
        return redirect("accounts:bank")
    return render_form_page(request, "accounts/bank.html", {"form": form, "holder": holder})

"""Thin views: parse, authorise, call one selector or service, render."""

from __future__ import annotations

import logging

from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LoginView
from django.core.exceptions import RequestDataTooBig
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import i18n
from django.views.decorators.http import require_GET, require_POST

from ajour import __version__
from ajour.accounts import services as accounts_services
from ajour.accounts.http import request_user
from ajour.accounts.models import User
from ajour.core.permissions import Refused
from ajour.demo.roles import DEMO_ROLE_SLUGS, DEMO_ROLES
from ajour.web import selectors
from ajour.web.permissions import can_use_demo_login

logger = logging.getLogger(__name__)


@require_GET
def front(request: HttpRequest) -> HttpResponse:
    """The public front page: what Ajour is, and (in the demo) one login per role."""
    return render(
        request,
        "web/front.html",
        {"demo_roles": DEMO_ROLES if can_use_demo_login() else [], "facts": selectors.front_page_facts()},
    )


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """The header's language switch; a logged-in user's choice is also kept for the e-mails Ajour
    sends them."""
    if isinstance(request.user, User):
        accounts_services.set_language(user=request.user, language=request.POST.get("language", ""))
    return i18n.set_language(request)


@require_POST
def demo_login(request: HttpRequest, slug: str) -> HttpResponse:
    permission = can_use_demo_login()
    if not permission:
        return render(request, "web/error.html", {"message": permission.reason}, status=403)
    user = selectors.demo_user(slug) if slug in DEMO_ROLE_SLUGS else None
    if user is None:
        message = _("This demo login does not exist yet. Load the demo data with `ajour demo load`.")
        return render(request, "web/error.html", {"message": message}, status=404)
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    return redirect("web:home")


class AjourLoginView(LoginView):
    template_name = "web/login.html"


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """Each role lands on its own home page with its own overview or queue."""
    page = selectors.home_page(user=request_user(request))
    return render(request, page.template, page.context)


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness and database check for load balancers and monitoring."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # any driver error means the database is not usable
        logger.exception("health check: database unreachable")
        return JsonResponse(
            {"status": "error", "database": "unreachable", "version": __version__}, status=503
        )
    return JsonResponse({"status": "ok", "database": "ok", "version": __version__})


def _error(request: HttpRequest, status: int, message: str) -> HttpResponse:
    return render(request, "web/error.html", {"message": message, "status": status}, status=status)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """Also a body above the size limit, which Django refuses as a suspicious request: 413."""
    if isinstance(exception, RequestDataTooBig):
        return _error(request, 413, _("What you sent is too large (at most 5 MB)."))
    return _error(request, 400, _("The request could not be understood."))


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """The reason of a Refused (written for people); the general wording for any other refusal."""
    if isinstance(exception, Refused) and exception.reason:
        return _error(request, 403, exception.reason)
    return _error(request, 403, _("You do not have access to this page."))


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(request, 404, _("The page was not found."))


def server_error(request: HttpRequest) -> HttpResponse:
    """Never "nothing was saved": the failing page may follow a change that was (a decision, then the list
    it redirects to), and a service may have committed before the failure."""
    return _error(
        request,
        500,
        _("Something went wrong on our side. Check whether your last change was saved before you try again."),
    )

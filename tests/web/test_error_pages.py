"""The error pages through HTTP: a refusal says why in plain words; nothing internal ever shows.

This module is also the URL map for its tests (the portal's, plus two views that fail on purpose).
"""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.test import Client
from django.urls import path

from ajour import urls as portal
from ajour.accounts.models import User
from tests import factories
from tests.claims import factories as cf

pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]


def _refused_with_internals(request: HttpRequest) -> HttpResponse:
    raise PermissionDenied("row 42 of table accounts_doctor is locked")


def _broken(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("database exploded")


urlpatterns = [
    path("test/refused/", _refused_with_internals),
    path("test/broken/", _broken),
    *portal.urlpatterns,
]
handler403 = portal.handler403
handler500 = portal.handler500


def _logged_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_refusal_gives_its_reason_in_danish_and_in_english() -> None:
    gp = cf.gp(year=2025)
    client = _logged_in(cf.login_of(gp))

    refused = client.get("/claims/payouts/")

    assert refused.status_code == 403
    assert "Kun sekretariatet behandler ansøgninger." in refused.content.decode()
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert "Only the secretariat reviews claims." in client.get("/claims/queue/").content.decode()


def test_every_refusing_app_shows_the_reason() -> None:
    analyst = _logged_in(factories.user(role=User.Role.ANALYST))
    for url, reason in (
        ("/claims/appeals/", "Kun styregruppen afgør klager."),
        ("/catalogue/review/", "Kun lægefaglige konsulenter afgør ansøgninger."),
        ("/accounts/confirmations/", "Kun sekretariatet kan administrere konti."),
    ):
        refused = analyst.get(url)
        assert refused.status_code == 403, url
        assert reason in refused.content.decode(), url


def test_a_refusal_without_a_reason_for_people_shows_no_internals() -> None:
    refused = _logged_in(factories.user(role=User.Role.ANALYST)).get("/test/refused/")
    body = refused.content.decode()
    assert refused.status_code == 403
    assert "Du har ikke adgang til denne side." in body
    assert "accounts_doctor" not in body


def test_a_server_error_does_not_claim_that_nothing_was_saved() -> None:
    """A failing page may follow a change that was saved (a decision, then the list it redirects to)."""
    client = Client(raise_request_exception=False)
    broken = client.get("/test/broken/")
    body = broken.content.decode()
    assert broken.status_code == 500
    assert "Intet blev gemt" not in body and "exploded" not in body
    assert "Tjek" in body

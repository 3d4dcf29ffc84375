"""E-mail from every sender: in the recipient's language, only after commit, retried, never breaking
the request that caused it, and logged without personal data when it cannot be delivered."""

from __future__ import annotations

import logging
import smtplib
import stat
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager
from datetime import date
from pathlib import Path
from typing import Any, ClassVar

import pytest
from django.core import mail
from django.core.mail import EmailMessage
from django.core.mail.backends.locmem import EmailBackend
from django.db import transaction
from django.test import Client
from django.utils import translation

from ajour.accounts import services as accounts
from ajour.accounts.models import Doctor, User
from ajour.claims import services as claims
from ajour.claims.models import ControlPolicy
from ajour.settings import base as base_settings
from tests import factories
from tests.catalogue import factories as cf
from tests.claims import factories as claim_factories

pytestmark = pytest.mark.django_db

OnCommit = Callable[..., AbstractContextManager[list[Callable[[], None]]]]


class FlakyBackend(EmailBackend):
    """The test outbox behind a mail server that raises the queued failures first, one per message."""

    failures: ClassVar[list[Exception]] = []

    def send_messages(self, messages: Sequence[EmailMessage]) -> int:
        if FlakyBackend.failures:
            raise FlakyBackend.failures.pop(0)
        return super().send_messages(messages)


@pytest.fixture
def smtp(settings: Any) -> Iterator[list[Exception]]:
    """The failures the mail server will raise, in order; then it delivers."""
    settings.EMAIL_BACKEND = f"{__name__}.FlakyBackend"
    FlakyBackend.failures = []
    yield FlakyBackend.failures
    FlakyBackend.failures = []


@pytest.fixture(autouse=True)
def danish_actor() -> Iterator[None]:
    """Whoever acts in these tests uses the portal in Danish."""
    with translation.override("da"):
        yield


def logged_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def employed_gp(
    *, email: str = "ansat@example.invalid", language: str = "da", first_name: str = "Karen"
) -> Doctor:
    doctor = factories.doctor(role=Doctor.Role.GP_EMPLOYED, first_name=first_name)
    doctor.email = email
    doctor.save(update_fields=["email"])
    factories.user(role=User.Role.GP, doctor=doctor, language=language)
    return doctor


# ---------------------------------------------------------------- after commit


def test_a_reminder_rolled_back_with_its_notice_sends_nothing(
    django_capture_on_commit_callbacks: OnCommit,
) -> None:
    employed_gp()
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        with transaction.atomic():
            accounts.remind_employment(year=2026)
            raise RuntimeError("the run fails after the reminders were written")
    assert mail.outbox == []

    with django_capture_on_commit_callbacks(execute=True):
        assert accounts.remind_employment(year=2026) == 1
    assert len(mail.outbox) == 1


# ---------------------------------------------------------------- the recipient's language


def test_an_applicant_who_chose_english_gets_english_though_the_consultant_works_in_danish(
    django_capture_on_commit_callbacks: OnCommit,
) -> None:
    applicant = cf.provider_user(email="")
    applicant.email = "kursus@example.invalid"
    applicant.save(update_fields=["email"])
    logged_in(applicant).post("/i18n/setlang/", {"language": "en", "next": "/home/"})
    activity = cf.submitted(user=applicant, title="Astma & KOL")

    with django_capture_on_commit_callbacks(execute=True):
        response = logged_in(cf.consultant()).post(
            f"/catalogue/review/{activity.pk}/", {"action": "reject", "reasons": 'Emnet er for "snævert".'}
        )

    assert response.status_code == 302
    [message] = mail.outbox
    assert message.to == ["kursus@example.invalid"]
    assert message.subject == "Ajour: Your activity was not approved"
    assert "Astma & KOL" in message.body and 'Emnet er for "snævert".' in message.body
    assert "See the application in Ajour." in message.body


def test_a_gp_who_chose_english_is_asked_for_receipts_in_english(
    django_capture_on_commit_callbacks: OnCommit,
) -> None:
    ControlPolicy.objects.create(year=2025, share_basis_points=10_000, seed="s")
    gp = claim_factories.gp(year=2025, email="karen@example.invalid")
    logged_in(claim_factories.login_of(gp)).post("/i18n/setlang/", {"language": "en", "next": "/home/"})
    gp.refresh_from_db()
    instance = claim_factories.activity(days=[date(2025, 3, 6)])

    with django_capture_on_commit_callbacks(execute=True):
        claims.submit_claim(
            claimant=gp, request=claim_factories.request_for(instance), filed_on=date(2025, 3, 10), by=None
        )

    [message] = mail.outbox
    assert message.subject == "Ajour: please upload receipts for your claim"
    assert f"Dear {gp.full_name}," in message.body


def test_reminders_go_out_in_each_gps_own_language(django_capture_on_commit_callbacks: OnCommit) -> None:
    employed_gp(email="dansk@example.invalid")
    english = employed_gp(email="english@example.invalid", language="en", first_name="Mary O'Neill")
    with django_capture_on_commit_callbacks(execute=True):
        accounts.remind_employment(year=2026)
    subjects = {message.to[0]: message.subject for message in mail.outbox}
    assert subjects == {
        "dansk@example.invalid": "Ajour: bekræft din ansættelse for 2026",
        "english@example.invalid": "Ajour: confirm your employment for 2026",
    }
    [english_body] = [message.body for message in mail.outbox if message.to == [english.email]]
    assert f"Dear {english.full_name}," in english_body  # plain text: no &#x27; for the apostrophe


# ---------------------------------------------------------------- retries and failures


def test_a_dropped_connection_is_retried_after_a_pause_and_then_delivered(
    smtp: list[Exception],
    settings: Any,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    django_capture_on_commit_callbacks: OnCommit,
) -> None:
    settings.AJOUR_MAIL_RETRY_SECONDS = (2, 8)
    pauses: list[float] = []
    monkeypatch.setattr("ajour.core.mail.time.sleep", pauses.append)
    smtp.append(smtplib.SMTPServerDisconnected("Connection unexpectedly closed"))
    employed_gp()

    with django_capture_on_commit_callbacks(execute=True):
        accounts.remind_employment(year=2026)

    assert [message.to for message in mail.outbox] == [["ansat@example.invalid"]]
    assert pauses == [2]
    assert not [record for record in caplog.records if record.levelname == "ERROR"]


def test_a_refused_message_is_logged_without_personal_data_and_the_page_still_answers(
    smtp: list[Exception], caplog: pytest.LogCaptureFixture, django_capture_on_commit_callbacks: OnCommit
) -> None:
    applicant = cf.provider_user(email="kurser@example.invalid")
    activity = cf.submitted(user=applicant)
    smtp.append(
        smtplib.SMTPRecipientsRefused(
            {"kurser@example.invalid": (550, b"5.1.1 kurser@example.invalid unknown")}
        )
    )

    with django_capture_on_commit_callbacks(execute=True):
        response = logged_in(cf.consultant()).post(
            f"/catalogue/review/{activity.pk}/", {"action": "reject", "reasons": "For snævert."}
        )

    assert response.status_code == 302
    activity.refresh_from_db()
    assert activity.status == activity.Status.REJECTED
    assert mail.outbox == []
    [record] = [record for record in caplog.records if record.levelname == "ERROR"]
    assert "catalogue/email/applicant_notice.txt" in record.getMessage()
    assert "example.invalid" not in caplog.text and "kurser" not in caplog.text
    assert smtp == []  # refused for good: not tried again


def test_a_server_that_stays_down_is_given_up_after_the_last_attempt_and_logged(
    smtp: list[Exception], caplog: pytest.LogCaptureFixture, django_capture_on_commit_callbacks: OnCommit
) -> None:
    gp = employed_gp(email="karen@example.invalid")
    smtp.extend(smtplib.SMTPServerDisconnected("down") for _attempt in range(5))

    with django_capture_on_commit_callbacks(execute=True):
        assert accounts.remind_employment(year=2026) == 1

    assert mail.outbox == []
    [record] = [record for record in caplog.records if record.levelname == "ERROR"]
    assert "after 3 attempts" in record.getMessage()
    for personal in (gp.email, gp.cpr, gp.last_name):
        assert personal not in caplog.text


# ---------------------------------------------------------------- demo mail


def test_demo_mail_is_kept_for_the_server_account_and_never_written_to_the_log(
    settings: Any,
    tmp_path: Path,
    capfd: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
    django_capture_on_commit_callbacks: OnCommit,
) -> None:
    assert base_settings.AJOUR_DEMO  # the test settings run in demo mode: this is the demo's mail setup
    assert base_settings.EMAIL_FILE_PATH == base_settings.DATA_DIR / "mail"
    settings.EMAIL_BACKEND = base_settings.EMAIL_BACKEND
    settings.EMAIL_FILE_PATH = tmp_path / "mail"
    doctor = employed_gp(email="karen.testesen@example.invalid", first_name="Karenlise")

    with caplog.at_level(logging.DEBUG), django_capture_on_commit_callbacks(execute=True):
        assert accounts.remind_employment(year=2026) == 1

    out, err = capfd.readouterr()
    for personal in (doctor.email, doctor.first_name, doctor.last_name):
        assert personal not in out + err + caplog.text
    [kept] = (tmp_path / "mail").iterdir()
    assert doctor.email in kept.read_text() and doctor.first_name in kept.read_text()
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "mail").stat().st_mode) == 0o700

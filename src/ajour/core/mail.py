"""The one way Ajour sends e-mail: rendered in the recipient's language, sent after commit, retried.

A message is rendered when the action happens (so it shows the data as it was) and handed to the mail
server only once the transaction commits, so a rolled-back action sends nothing. A failed delivery is
retried a few times with growing pauses; what still fails is logged by template and error type only
(no address, no name, no CPR) and never reaches the user's request.
"""

from __future__ import annotations

import logging
import os
import smtplib
import time
from collections.abc import Iterable, Mapping
from contextlib import suppress
from dataclasses import dataclass
from typing import Any, Protocol

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.core.mail.backends import filebased
from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation

logger = logging.getLogger(__name__)


class Recipient(Protocol):
    """Anyone Ajour writes to: an address (may be empty) and the language they read."""

    @property
    def email(self) -> str: ...

    @property
    def language(self) -> str: ...


@dataclass(frozen=True)
class Mail:
    """A rendered message and the template it came from (the template names it in logs)."""

    template: str
    message: EmailMessage


def compose(recipient: Recipient, template: str, context: Mapping[str, object]) -> Mail | None:
    """Renders `template` in the recipient's language: its first line is the subject, the rest the
    body. None when the recipient has no address."""
    if not recipient.email:
        return None
    with translation.override(recipient.language or settings.LANGUAGE_CODE):
        text = render_to_string(template, dict(context))
    subject, _sep, body = text.partition("\n")
    return Mail(
        template, EmailMessage(subject=subject.strip(), body=body.strip() + "\n", to=[recipient.email])
    )


def send_mail_to(recipient: Recipient, template: str, context: Mapping[str, object]) -> None:
    """Renders one message now and sends it after the current transaction commits."""
    send_after_commit([compose(recipient, template, context)])


def send_after_commit(mails: Iterable[Mail | None]) -> None:
    """Sends the messages over one connection once the current transaction commits."""
    pending = [mail for mail in mails if mail is not None]
    if pending:
        transaction.on_commit(lambda: deliver(pending))


def deliver(mails: list[Mail]) -> None:
    """Delivers now: each round sends what is still pending; a temporary failure waits for the next
    round (`AJOUR_MAIL_RETRY_SECONDS` are the pauses between rounds), a permanent one is given up."""
    pending = mails
    pauses = list(settings.AJOUR_MAIL_RETRY_SECONDS)
    attempt = 1
    while True:
        pending, error = _send_round(pending, attempt)
        if not pending:
            return
        if not pauses:
            for mail in pending:
                logger.error("Mail %s not delivered after %d attempts (%s)", mail.template, attempt, error)
            return
        time.sleep(pauses.pop(0))
        attempt += 1


def _send_round(mails: list[Mail], attempt: int) -> tuple[list[Mail], str]:
    """One pass over one connection; returns the messages to try again and the last error seen."""
    try:
        connection = get_connection()
    except Exception as failure:  # whatever the mail setup raises stays out of the request
        return mails, _describe(failure)
    retry: list[Mail] = []
    error = ""
    try:
        for index, mail in enumerate(mails):
            try:
                connection.open()
            except Exception as failure:
                return retry + mails[index:], _describe(failure)  # no server: the rest waits too
            try:
                connection.send_messages([mail.message])
            except Exception as failure:
                error = _describe(failure)
                if _permanent(failure):
                    logger.error("Mail %s refused on attempt %d (%s)", mail.template, attempt, error)
                else:
                    retry.append(mail)
                _close(connection)
    finally:
        _close(connection)
    return retry, error


def _permanent(failure: Exception) -> bool:
    """A refused recipient, a 5xx reply or an error that is not about the connection will not change
    by trying again."""
    if isinstance(failure, smtplib.SMTPRecipientsRefused):
        return True
    if isinstance(failure, smtplib.SMTPResponseException):
        return failure.smtp_code >= 500
    return not isinstance(failure, (smtplib.SMTPException, OSError))


def _describe(failure: Exception) -> str:
    """The error's type and SMTP code: the server's text can quote the address, so it is left out."""
    code = getattr(failure, "smtp_code", None)
    return type(failure).__name__ + (f" {code}" if code else "")


def _close(connection: BaseEmailBackend) -> None:
    """Drops a connection that may already be broken; the next send opens a fresh one."""
    with suppress(smtplib.SMTPException, OSError):
        connection.close()


class PrivateFileBackend(filebased.EmailBackend):
    """Demo and debug mail as files that only the server's account can read (folder 0700, files 0600),
    for whoever runs the server; never the console, whose output is the server log."""

    def __init__(self, file_path: str | None = None, **kwargs: Any) -> None:
        super().__init__(file_path=file_path, **kwargs)
        os.chmod(self.file_path, 0o700)

    def open(self) -> bool:
        if self.stream is not None:
            return False
        descriptor = os.open(self._get_filename(), os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        self.stream = os.fdopen(descriptor, "ab")
        return True

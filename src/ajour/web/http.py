"""Typed access to who is making a request, for portal views and the JSON API."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from ajour.accounts.models import User


def request_user(request: HttpRequest) -> User:
    """The logged-in user of a portal request (the view is behind `login_required`).

    An anonymous visitor never gets this far; should a view forget `login_required`, the
    request is refused rather than served with an `AnonymousUser`.
    """
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied
    return user


def api_user(request: HttpRequest) -> User:
    """The user a django-ninja authenticator (API token or session) put on `request.auth`."""
    user = getattr(request, "auth", None)
    if not isinstance(user, User):
        raise PermissionDenied
    return user

"""Who is making a request: the logged-in user of a portal view, or the holder of an API token."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from ninja.security import HttpBearer

from ajour.accounts.models import User
from ajour.accounts.services import user_for_token


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


class TokenAuth(HttpBearer):
    """`Authorization: Bearer ajr_…` tokens of clinic and provider systems (`ajour accounts create-token`)."""

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        return user_for_token(token)


token_auth = TokenAuth()

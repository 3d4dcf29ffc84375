"""The answer every permission function gives: allowed plus a reason a person can read, and the 403 it
becomes when a view requires it."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied


@dataclass(frozen=True)
class Permission:
    """The answer to "may this user do this?": a denial always explains itself."""

    allowed: bool
    reason: str = ""

    def __bool__(self) -> bool:
        return self.allowed


ALLOWED = Permission(True)


class Refused(PermissionDenied):
    """A 403 whose reason is written for the person refused; the 403 page shows it.

    Any other PermissionDenied gets the page's general wording, so nothing internal reaches the page.
    """

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def require(permission: Permission) -> None:
    """Refuses the request (403, with the permission's reason) unless the permission is granted."""
    if not permission:
        raise Refused(permission.reason)

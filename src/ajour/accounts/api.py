"""JSON API endpoints of the accounts app (mounted under /api/v1/ by ajour.api)."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Schema, Status

from ajour.accounts.http import api_user, token_auth
from ajour.accounts.models import User
from ajour.accounts.selectors import doctor_balances, practice_staff_balance
from ajour.core.schemas import ErrorOut

router = Router(tags=["accounts"])


class AccountOut(Schema):
    """Balances derived from the ledger: øre, and systematic days (0.5 steps)."""

    year: int
    self_chosen_ore: int | None = None
    systematic_days: float | None = None
    allocated_self_chosen_ore: int | None = None
    staff_ore: int | None = None


@router.get("/account", auth=token_auth, response={200: AccountOut, 401: ErrorOut}, summary="Your balances")
def account(request: HttpRequest) -> Status[object]:
    user = api_user(request)
    year = timezone.localdate().year
    out: dict[str, object] = {"year": year}
    if user.doctor is not None:
        balances = doctor_balances(doctor=user.doctor, year=year)
        out |= {
            "self_chosen_ore": balances.self_chosen_ore,
            "systematic_days": balances.systematic_days,
            "allocated_self_chosen_ore": balances.allocated_self_chosen_ore,
        }
    if user.practice_id is not None and user.role == User.Role.CLINIC:
        out["staff_ore"] = practice_staff_balance(practice_id=user.practice_id)
    return Status(200, out)

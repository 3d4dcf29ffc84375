"""Builds the `ajour.claim/1` document from what is stored: the approved activity instance, the approval in
force on the activity date, and the claimant's real balances. The rules engine decides; nothing here does."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Q, Sum
from django.utils.translation import gettext as _

from ajour.accounts.models import Account, Doctor, LedgerEntry, StaffMember
from ajour.accounts.selectors import employment_confirmed
from ajour.catalogue.models import Activity, ActivityInstance
from ajour.catalogue.selectors import activity_number_for, approval_in_force
from ajour.claims.models import Claim

STUDY_MATERIAL_ID = "study-material"
ACCOUNT_CHOICES = ("auto", "self_chosen")


class ClaimInputError(ValueError):
    """The claim form or API body is invalid; `field` names the input, `message` is for the user."""

    def __init__(self, field_name: str, message: str) -> None:
        super().__init__(message)
        self.field = field_name
        self.message = message


@dataclass
class ClaimRequest:
    """What a claimant enters: which days they attended, their costs, account and payee choice."""

    instance: ActivityInstance | None = None
    attended: list[date] | None = None
    """Programme days attended; None means all of them."""
    course_fee_ore: int = 0
    transport_ore: int = 0
    material_ore: int = 0
    purchased_on: date | None = None
    description: str = ""
    account: str = "auto"
    payee: str = Claim.Payee.PRIVATE
    staff_member: StaffMember | None = None
    extra: dict[str, object] = field(default_factory=dict)

    @property
    def is_material(self) -> bool:
        return self.instance is None


@dataclass(frozen=True)
class Position:
    """What the ledger says about a claimant, read in one query: balances and allocations per year."""

    self_chosen_ore: int
    systematic_half_days: int
    staff_ore: int
    self_chosen_allocations: dict[int, int]

    @property
    def has_allocation(self) -> bool:
        return bool(self.self_chosen_allocations)


def position_of(claimant: Doctor, staff_practice_id: int | None) -> Position:
    """Balances of the claimant's sub-accounts (and the clinic's staff account) and allocations by year."""
    rows = (
        LedgerEntry.objects.filter(
            Q(account__doctor=claimant)
            | Q(account__practice_id=staff_practice_id, account__kind=Account.Kind.STAFF)
        )
        .values_list("account__kind", "kind", "year")
        .annotate(t=Sum("amount"))
    )
    totals: dict[str, int] = {}
    allocations: dict[int, int] = {}
    for account_kind, entry_kind, year, amount in rows:
        totals[account_kind] = totals.get(account_kind, 0) + int(amount)
        if account_kind == Account.Kind.SELF_CHOSEN and entry_kind == LedgerEntry.Kind.ALLOCATION:
            allocations[year] = allocations.get(year, 0) + int(amount)
    return Position(
        self_chosen_ore=totals.get(Account.Kind.SELF_CHOSEN, 0),
        systematic_half_days=totals.get(Account.Kind.SYSTEMATIC, 0),
        staff_ore=totals.get(Account.Kind.STAFF, 0) if staff_practice_id is not None else 0,
        self_chosen_allocations=allocations,
    )


def _has_account(claimant: Doctor, position: Position, year: int) -> bool:
    """R-ELIG-1: an allocation has been booked; employed GPs also need a confirmed contract (A-01)."""
    if claimant.role == Doctor.Role.GP_EMPLOYED and not employment_confirmed(
        doctor=claimant, years=[year, year - 1]
    ):
        return False
    return position.has_allocation


def _material_used(claimant: Doctor, year: int) -> int:
    total = (
        Claim.objects.filter(claimant=claimant, activity_type="study_material", activity_date__year=year)
        .exclude(status=Claim.Status.REJECTED)
        .aggregate(t=Sum("payable_ore"))["t"]
    )
    return int(total or 0)


def _days(request: ClaimRequest) -> list[dict[str, object]]:
    assert request.instance is not None
    programme = list(request.instance.days.all())
    if not programme:
        raise ClaimInputError("days", _("This activity has no programme days to claim for."))
    known = {d.date for d in programme}
    if request.attended is not None:
        unknown = [d for d in request.attended if d not in known]
        if unknown:
            raise ClaimInputError(
                "days", _("%(date)s is not a programme day of this activity.") % {"date": unknown[0]}
            )
    attended = known if request.attended is None else set(request.attended)
    return [
        {
            "date": d.date.isoformat(),
            "from": d.starts_at.strftime("%H:%M"),
            "to": d.ends_at.strftime("%H:%M"),
            "break_minutes": d.break_minutes,
            "attended": d.date in attended,
        }
        for d in programme
    ]


def _claim_type(activity: Activity, staff_claim: bool) -> str:
    """Staff attend a GP course as a staff course; PGE modules stay PGE modules."""
    if not staff_claim:
        return activity.claim_type
    return "pge_module" if activity.form == Activity.Form.PGE else "staff_course"


def activity_date(request: ClaimRequest, days: list[dict[str, object]]) -> date:
    """The last attended day (study material: the purchase date); the first day if none is attended."""
    if request.is_material:
        assert request.purchased_on is not None
        return request.purchased_on
    attended = [str(d["date"]) for d in days if d["attended"]] or [str(days[-1]["date"])]
    return date.fromisoformat(max(attended))


def build_payload(
    *, claimant: Doctor, request: ClaimRequest, filed_on: date, position: Position | None = None
) -> dict[str, object]:
    """The `ajour.claim/1` document for this claimant and request, from stored data only."""
    staff_claim = request.staff_member is not None
    if request.account not in ACCOUNT_CHOICES:
        raise ClaimInputError("account", _("Choose the automatic account choice or the self-chosen account."))
    if request.is_material:
        if request.purchased_on is None:
            raise ClaimInputError("purchased_on", _("Enter the purchase date."))
        days: list[dict[str, object]] = []
        on = request.purchased_on
        activity: dict[str, object] = {
            "id": STUDY_MATERIAL_ID,
            "type": "study_material",
            "approval": Activity.Approval.SELF_CHOSEN,
            "purchased_on": request.purchased_on.isoformat(),
        }
    else:
        assert request.instance is not None
        source = request.instance.activity
        days = _days(request)
        on = activity_date(request, days)
        activity = {
            "id": activity_number_for(activity=source, year=on.year) or f"instance-{request.instance.pk}",
            "type": _claim_type(source, staff_claim),
            "approval": approval_in_force(activity=source, on=on),
            "laegedage": source.laegedage,
            "practice_purchase": source.practice_purchase,
            "days": days,
        }
    if position is None:
        staff_practice = request.staff_member.practice_id if request.staff_member is not None else None
        position = position_of(claimant, staff_practice)
    payload: dict[str, object] = {
        "schema": "ajour.claim/1",
        "filed_on": filed_on.isoformat(),
        "claimant": {
            "role": claimant.role,
            "has_account": _has_account(claimant, position, filed_on.year),
            "annual_allocation_ore": position.self_chosen_allocations.get(on.year),
        },
        "balances": {
            "self_chosen_ore": position.self_chosen_ore,
            "systematic_days": position.systematic_half_days / 2,
            "staff_ore": position.staff_ore,
            "material_used_ore": _material_used(claimant, on.year) if request.is_material else 0,
        },
        "activity": activity,
        "account": "self_chosen" if staff_claim else request.account,
        "expenses": {
            "course_fee_ore": request.course_fee_ore,
            "transport_ore": request.transport_ore,
            "material_ore": request.material_ore,
        },
        "staff": None,
    }
    if staff_claim:
        assert request.staff_member is not None
        payload["staff"] = {
            "profession": request.staff_member.profession,
            "weekly_hours": request.staff_member.weekly_hours,
        }
    return payload

"""Builds the `ajour.claim/1` document from what is stored: the approved activity instance, the approval in
force on the activity date, and the claimant's real balances. The rules engine decides; nothing here does."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Sum
from django.utils.translation import gettext as _

from ajour.accounts.models import Account, Doctor, LedgerEntry, StaffMember
from ajour.accounts.selectors import confirmed_employment_years
from ajour.catalogue.models import Activity, ActivityInstance
from ajour.catalogue.selectors import activity_number_for, approval_in_force
from ajour.claims.models import LIVE, Claim

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
    """What the records say about a claimant when a claim is filed: balances, allocations per year,
    confirmed employment years and study material already paid per year."""

    self_chosen_ore: int
    systematic_half_days: int
    staff_ore: int
    self_chosen_allocations: dict[int, int]
    confirmed_years: frozenset[int] = frozenset()
    material_used_ore: dict[int, int] = field(default_factory=dict)

    @property
    def has_allocation(self) -> bool:
        return bool(self.self_chosen_allocations)


CHUNK = 2000
"""Holders per query when positions are read for a batch."""


class Positions:
    """The positions of many claimants, read in a few queries and kept current in memory as claims are
    recorded, so that a batch of claims decides each one on the balances the ones before it left."""

    def __init__(
        self, *, doctor_ids: Iterable[int], staff_practice_ids: Iterable[int] = (), with_material: bool = True
    ) -> None:
        """`with_material=False` skips reading study material already paid, which only a study-material
        claim needs (one query fewer on every course claim)."""
        self._with_material = with_material
        self._balances: dict[tuple[str, int, str], int] = defaultdict(int)
        self._allocations: dict[int, dict[int, int]] = defaultdict(dict)
        self._confirmed: dict[int, set[int]] = defaultdict(set)
        self._material: dict[int, dict[int, int]] = defaultdict(dict)
        doctors, practices = sorted(set(doctor_ids)), sorted(set(staff_practice_ids))
        for start in range(0, len(doctors), CHUNK):
            self._read_doctors(doctors[start : start + CHUNK])
        for start in range(0, len(practices), CHUNK):
            rows = (
                LedgerEntry.objects.filter(
                    account__practice_id__in=practices[start : start + CHUNK],
                    account__kind=Account.Kind.STAFF,
                )
                .values_list("account__practice_id")
                .annotate(t=Sum("amount"))
            )
            for practice_id, amount in rows:
                self._balances[("practice", practice_id, Account.Kind.STAFF)] = int(amount)

    def _read_doctors(self, ids: list[int]) -> None:
        entries = LedgerEntry.objects.filter(account__doctor_id__in=ids)
        balances = entries.values_list("account__doctor_id", "account__kind").annotate(t=Sum("amount"))
        for doctor_id, account_kind, amount in balances:
            self._balances[("doctor", doctor_id, account_kind)] = int(amount)
        allocations = (
            entries.filter(account__kind=Account.Kind.SELF_CHOSEN, kind=LedgerEntry.Kind.ALLOCATION)
            .values_list("account__doctor_id", "year")
            .annotate(t=Sum("amount"))
        )
        for doctor_id, year, amount in allocations:
            self._allocations[doctor_id][year] = int(amount)
        self._confirmed.update(confirmed_employment_years(doctor_ids=ids))
        if not self._with_material:
            return
        material = (
            Claim.objects.filter(LIVE, claimant_id__in=ids, activity_type="study_material")
            .values_list("claimant_id", "activity_date__year")
            .annotate(t=Sum("payable_ore"))
        )
        for doctor_id, year, amount in material:
            self._material[doctor_id][year] = int(amount or 0)

    def of(self, claimant: Doctor, staff_practice_id: int | None) -> Position:
        """The claimant's position (with the clinic's staff account for a staff claim)."""
        balance = self._balances
        return Position(
            self_chosen_ore=balance[("doctor", claimant.pk, Account.Kind.SELF_CHOSEN)],
            systematic_half_days=balance[("doctor", claimant.pk, Account.Kind.SYSTEMATIC)],
            staff_ore=0
            if staff_practice_id is None
            else balance[("practice", staff_practice_id, Account.Kind.STAFF)],
            self_chosen_allocations=dict(self._allocations[claimant.pk]),
            confirmed_years=frozenset(self._confirmed[claimant.pk]),
            material_used_ore=dict(self._material[claimant.pk]),
        )

    def record(self, claim: Claim) -> None:
        """Applies a recorded claim's draws (and study material paid) to the positions."""
        balance, doctor_id = self._balances, claim.claimant_id
        balance[("doctor", doctor_id, Account.Kind.SELF_CHOSEN)] -= claim.drawn_self_chosen_ore
        balance[("doctor", doctor_id, Account.Kind.SYSTEMATIC)] -= claim.drawn_systematic_half_days
        if claim.drawn_staff_ore:
            assert claim.practice_id is not None  # a staff draw is a claim with its practice
            balance[("practice", claim.practice_id, Account.Kind.STAFF)] -= claim.drawn_staff_ore
        if claim.activity_type == "study_material" and claim.status != Claim.Status.REJECTED:
            used = self._material[doctor_id]
            used[claim.activity_date.year] = used.get(claim.activity_date.year, 0) + claim.payable_ore


def position_of(claimant: Doctor, staff_practice_id: int | None, *, with_material: bool) -> Position:
    """The claimant's position now: balances (with the clinic's staff account for a staff claim),
    allocations and confirmed employment years, and study material by year `with_material`."""
    staff = [] if staff_practice_id is None else [staff_practice_id]
    positions = Positions(doctor_ids=[claimant.pk], staff_practice_ids=staff, with_material=with_material)
    return positions.of(claimant, staff_practice_id)


def _has_account(claimant: Doctor, position: Position, year: int) -> bool:
    """R-ELIG-1: an allocation has been booked; employed GPs also need a confirmed contract (A-01)."""
    if claimant.role == Doctor.Role.GP_EMPLOYED and not position.confirmed_years & {year, year - 1}:
        return False
    return position.has_allocation


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
        position = position_of(claimant, staff_practice, with_material=request.is_material)
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
            "material_used_ore": position.material_used_ore.get(on.year, 0) if request.is_material else 0,
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

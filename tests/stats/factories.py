"""Small worlds with known answers: claims are created directly with chosen course-day halves."""

from __future__ import annotations

import itertools
from datetime import date

from ajour.accounts.models import Doctor, Practice, StaffMember
from ajour.catalogue.models import Activity, ActivityInstance, Provider, Topic
from ajour.claims.models import Claim
from tests import factories

_serial = itertools.count(1)


def topic(code: str, *, category: str = Topic.Category.MEDICAL, parent: Topic | None = None) -> Topic:
    found, _created = Topic.objects.get_or_create(
        code=code,
        defaults={
            "name_da": code.replace("_", " ").capitalize(),
            "name_en": code,
            "category": category,
            "parent": parent,
        },
    )
    return found


def provider(kind: str = Provider.Kind.PLO_E) -> Provider:
    found, _created = Provider.objects.get_or_create(name=f"Udbyder {kind}", defaults={"kind": kind})
    return found


def instance(
    *, on: date, topic_code: str = "diabetes", kind: str | None = Provider.Kind.PLO_E, form: str = "course"
) -> ActivityInstance:
    activity = Activity.objects.create(
        provider=provider(kind) if kind else None,
        title=f"Aktivitet {next(_serial)}",
        form=form,
        topic=topic(topic_code) if "/" not in topic_code else _sub_topic(topic_code),
        requested_approval=Activity.Approval.SELF_CHOSEN,
        approval=Activity.Approval.SELF_CHOSEN,
        status=Activity.Status.APPROVED,
    )
    return ActivityInstance.objects.create(
        activity=activity,
        venue="Kursuscenter",
        town="Odense",
        region=factories.region(),
        starts_on=on,
        ends_on=on,
    )


def _sub_topic(path: str) -> Topic:
    parent_code, code = path.split("/")
    return topic(code, parent=topic(parent_code))


def gp(*, active_from: date = date(2015, 1, 1), active_to: date | None = None, **kwargs: object) -> Doctor:
    doctor = factories.doctor(**kwargs)  # type: ignore[arg-type]
    doctor.active_from, doctor.active_to = active_from, active_to
    doctor.save()
    return doctor


def claim(
    doctor: Doctor,
    *,
    on: date,
    halves: int = 2,
    at: ActivityInstance | None = None,
    activity_type: str = "course",
    outcome: str = "approved",
    payable_ore: int = 400_000,
    systematic_half_days: int = 0,
    staff: bool = False,
) -> Claim:
    """A decided claim as the claims app stores it; the stats only read the stored fields."""
    practice: Practice | None = doctor.practice if staff else None
    staff_member = (
        StaffMember.objects.create(practice=practice, name="Sekretær", profession="sekretær", weekly_hours=37)
        if staff and practice
        else None
    )
    return Claim.objects.create(
        claimant=doctor,
        practice=practice,
        staff_member=staff_member,
        instance=at if at is not None else instance(on=on),
        activity_type=activity_type,
        activity_date=on,
        filed_on=on,
        inputs={},
        decision={"outcome": outcome},
        rules_version="test",
        outcome=outcome,
        payable_ore=0 if outcome == "rejected" else payable_ore,
        drawn_systematic_half_days=systematic_half_days,
        course_day_halves=0 if outcome == "rejected" else halves,
        payee=Claim.Payee.PRIVATE,
    )

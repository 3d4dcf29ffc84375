"""Builders for claim tests: an approved activity with programme days, a GP with money, a clinic."""

from __future__ import annotations

import itertools
from datetime import date, time, timedelta

from ajour.accounts.banking import synthetic_iban
from ajour.accounts.models import Doctor, Practice, StaffMember, User
from ajour.catalogue.models import Activity, ActivityInstance, ApprovalDecision, ProgrammeDay, Topic
from ajour.claims.payload import ClaimRequest
from tests import factories

_serial = itertools.count(1)


def topic() -> Topic:
    found, _created = Topic.objects.get_or_create(
        code="general-medicine",
        defaults={"name_da": "Almen medicin", "name_en": "General medicine", "category": "medical"},
    )
    return found


def activity(
    *,
    days: list[date],
    approval: str = Activity.Approval.SELF_CHOSEN,
    form: str = Activity.Form.COURSE,
    title: str = "Hjertesvigt i almen praksis",
    starts: time = time(9, 0),
    ends: time = time(16, 30),
    break_minutes: int = 60,
    places: int = 30,
) -> ActivityInstance:
    """An activity approved from its first day (decision version 1), with one instance on `days`."""
    n = next(_serial)
    act = Activity.objects.create(
        number=f"{days[0].year}-{n:04d}",
        title=title,
        form=form,
        topic=topic(),
        requested_approval=approval,
        approval=approval,
        status=Activity.Status.APPROVED,
        target_group=Activity.TargetGroup.BOTH,
    )
    ApprovalDecision.objects.create(
        activity=act, version=1, kind=ApprovalDecision.Kind.APPROVE, approval=approval, valid_from=min(days)
    )
    instance = ActivityInstance.objects.create(
        activity=act,
        venue="Kursuscentret",
        town="Testrup",
        region=factories.region(),
        places=places,
        starts_on=min(days),
        ends_on=max(days),
    )
    for day in days:
        ProgrammeDay.objects.create(
            instance=instance, date=day, starts_at=starts, ends_at=ends, break_minutes=break_minutes
        )
    return instance


def approval_change(
    instance: ActivityInstance, *, approval: str, valid_from: date, kind: str = "change"
) -> None:
    version = ApprovalDecision.objects.filter(activity=instance.activity).count() + 1
    ApprovalDecision.objects.create(
        activity=instance.activity, version=version, kind=kind, approval=approval, valid_from=valid_from
    )


def gp(
    *,
    year: int,
    self_chosen_ore: int = 2_140_000,
    half_days: int = 6,
    role: str = Doctor.Role.GP_OWNER,
    practice: Practice | None = None,
    email: str = "",
) -> Doctor:
    """A GP with a year's allocation and a (synthetic) private bank account, plus a login."""
    doctor = factories.with_allocation(
        factories.doctor(role=role, at=practice),
        year=year,
        self_chosen_ore=self_chosen_ore,
        half_days=half_days,
    )
    doctor.payout_iban = synthetic_iban(doctor.pk)
    doctor.email = email
    doctor.save(update_fields=["payout_iban", "email"])
    factories.user(role=User.Role.GP, doctor=doctor)
    return doctor


def login_of(doctor: Doctor) -> User:
    return User.objects.get(doctor=doctor)


def staff_member(practice: Practice, *, profession: str = "nurse", weekly_hours: int = 37) -> StaffMember:
    return StaffMember.objects.create(
        practice=practice,
        name=f"Sygeplejerske {next(_serial)}",
        profession=profession,
        weekly_hours=weekly_hours,
    )


def weekdays(start: date, count: int) -> list[date]:
    """`count` consecutive Monday–Friday dates from `start`."""
    found, day = [], start
    while len(found) < count:
        if day.weekday() < 5:
            found.append(day)
        day += timedelta(days=1)
    return found


def request_for(instance: ActivityInstance, **overrides: object) -> ClaimRequest:
    return ClaimRequest(instance=instance, **overrides)  # type: ignore[arg-type]

"""Builders for claim tests: an approved activity with programme days, a GP with money, a clinic."""

from __future__ import annotations

import itertools
from datetime import date, time, timedelta
from typing import Any

from ajour.accounts.banking import synthetic_iban
from ajour.accounts.models import Doctor, Practice, StaffMember, User
from ajour.catalogue import services as catalogue
from ajour.catalogue.models import Activity, ActivityInstance, Provider, Topic
from ajour.catalogue.programme import DayPlan
from ajour.claims.payload import ClaimRequest
from ajour.groups.models import DgeGroup
from tests import factories
from tests.catalogue import factories as catalogue_factories

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
    """An activity applied for by a provider and approved by a consultant (from its first day, as
    the product approves it), with one run whose programme days are `days`."""
    applicant = provider_user()
    systematic = approval in {Activity.Approval.SYSTEMATIC, Activity.Approval.BOTH}
    theme = catalogue_factories.se_theme(first_year=min(days).year) if systematic else None
    data = catalogue_factories.activity_data(
        title=title,
        form=form,
        target_group=Activity.TargetGroup.BOTH,
        topic=topic(),
        requested_approval=approval,
    )
    data.se_theme = theme
    run = catalogue.InstanceData(
        venue="Kursuscentret",
        town="Testrup",
        region=factories.region(),
        places=places,
        days=[DayPlan(day, starts, ends, break_minutes) for day in sorted(days)],
    )
    act = catalogue.create_activity(user=applicant, data=data, instances=[run], provider=applicant.provider)
    catalogue.submit_activity(activity=act, user=applicant)
    catalogue.approve_activity(
        activity=act,
        decided_by=factories.user(role=User.Role.CONSULTANT),
        approval=approval,
        scope=Activity.Scope.GENERAL,
        se_theme=theme,
        today=min(days),
    )
    return act.instances.select_related("activity").get()


def group_meeting(
    *, days: list[date], members: list[Doctor], title: str = "Gruppemøde", **times: Any
) -> ActivityInstance:
    """A DGE group's own meeting, approved like any activity; only the group's members may claim it.
    (Groups have no registration service yet, so the group row is written here.)"""
    group = DgeGroup.objects.create(
        name=f"Gruppe {next(_serial)}",
        region=factories.region(),
        leader=members[0],
        founded_year=min(days).year,
    )
    group.members.add(*members)
    meeting = activity(days=days, form=Activity.Form.DGE_MEETING, title=title, **times)
    Activity.objects.filter(pk=meeting.activity_id).update(dge_group=group)
    meeting.activity.dge_group = group
    return meeting


def provider_user() -> User:
    """A provider login that registered its organisation (no address: decisions are not e-mailed)."""
    applicant = factories.user(role=User.Role.PROVIDER)
    catalogue.register_provider(
        user=applicant,
        name=f"Kursusudbyder {next(_serial)}",
        kind=Provider.Kind.PRIVATE,
        region=None,
        email="",
    )
    return applicant


def approval_change(instance: ActivityInstance, *, approval: str, valid_from: date) -> None:
    """The steering group changes the approval from `valid_from`; `none` withdraws it."""
    catalogue.change_approval(
        activity=instance.activity,
        decided_by=factories.user(role=User.Role.STEERING),
        approval=approval,
        valid_from=valid_from,
        reasons="Styregruppens beslutning.",
    )


def gp(
    *,
    year: int,
    self_chosen_ore: int | None = None,
    half_days: int | None = None,
    role: str = Doctor.Role.GP_OWNER,
    practice: Practice | None = None,
    email: str = "",
) -> Doctor:
    """A GP with a year's allocation (the product's amounts unless given) and a (synthetic) private bank
    account, plus a login."""
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


def recent_weekday() -> date:
    """A Monday–Friday at least three days ago: a run held then can be claimed today."""
    day = date.today() - timedelta(days=3)
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    return day

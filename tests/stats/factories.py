"""Small worlds with known answers, built through the product: activities are applied for and
approved in the catalogue, GPs are allocated their year, and claims are submitted (on the day of the
activity) and decided by the rules engine. A claim's course-day halves come from the days attended."""

from __future__ import annotations

import itertools
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import time_machine

from ajour.accounts.models import Doctor, User
from ajour.catalogue import services as catalogue
from ajour.catalogue.models import Activity, ActivityInstance, Provider, Topic
from ajour.catalogue.programme import DayPlan
from ajour.claims.models import Claim
from ajour.claims.payload import ClaimRequest
from ajour.claims.services import submit_claim
from ajour.groups.models import DgeGroup
from tests import factories
from tests.catalogue import factories as catalogue_factories
from tests.claims import factories as claim_factories

_serial = itertools.count(1)
COPENHAGEN = ZoneInfo("Europe/Copenhagen")
HALF_DAY = (time(9), time(12, 30), 0)  # 3.5 hours: a half course day
FULL_DAY = (time(9), time(16, 30), 60)  # 6.5 hours: a full course day
MEETING = (time(17), time(19), 0)  # a DGE group meeting


def topic(code: str, *, category: str = Topic.Category.MEDICAL, parent: Topic | None = None) -> Topic:
    """Topics are the administrators' vocabulary (edited in the admin, no service)."""
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
    """One provider of each kind, registered by its own login."""
    name = f"Udbyder {kind}"
    found = Provider.objects.filter(name=name).first()
    if found is not None:
        return found
    login = factories.user(role=User.Role.PROVIDER)
    return catalogue.register_provider(user=login, name=name, kind=kind, region=None, email="")


def instance(
    *,
    on: date,
    topic_code: str = "diabetes",
    kind: str | None = Provider.Kind.PLO_E,
    form: str = "course",
    approval: str = Activity.Approval.SELF_CHOSEN,
    applicant: Doctor | None = None,
) -> ActivityInstance:
    """An approved run ending on `on`: three full days, then two half days (weekdays), so that a claim
    can attend any 1–8 course-day halves ending on `on`, its activity date. A DGE meeting is one
    evening. Without a provider (`kind=None`) a GP applied for it: `applicant`, else a new GP."""
    if form == Activity.Form.DGE_MEETING:
        days = [DayPlan(on, *MEETING)]
    else:
        *full, half = _weekdays_before(on, 4)
        days = [DayPlan(day, *FULL_DAY) for day in full] + [DayPlan(half, *HALF_DAY), DayPlan(on, *HALF_DAY)]
    systematic = approval in {Activity.Approval.SYSTEMATIC, Activity.Approval.BOTH}
    theme = catalogue_factories.se_theme(first_year=on.year) if systematic else None
    data = catalogue_factories.activity_data(
        title=f"Aktivitet {next(_serial)}",
        form=form,
        target_group=Activity.TargetGroup.STAFF if form == "staff_course" else Activity.TargetGroup.GPS,
        topic=topic(topic_code) if "/" not in topic_code else _sub_topic(topic_code),
        requested_approval=approval,
        se_theme=theme,
        justification="Relevant for min praksis.",
    )
    run = catalogue.InstanceData(
        venue="Kursuscenter", town="Odense", region=factories.region(), places=30, days=days
    )
    if kind is None:
        submitter = factories.user(role=User.Role.GP, doctor=applicant or factories.doctor())
        activity = catalogue.create_activity(
            user=submitter, data=data, instances=[run], applicant_doctor=submitter.doctor
        )
    else:
        submitter = provider(kind).users.get()
        activity = catalogue.create_activity(
            user=submitter, data=data, instances=[run], provider=submitter.provider
        )
    catalogue.submit_activity(activity=activity, user=submitter)
    catalogue.approve_activity(
        activity=activity,
        decided_by=factories.user(role=User.Role.CONSULTANT),
        approval=approval,
        scope=activity.scope,
        se_theme=theme,
        today=on,
    )
    return activity.instances.select_related("activity").get()


def _sub_topic(path: str) -> Topic:
    parent_code, code = path.split("/")
    return topic(code, parent=topic(parent_code))


def gp(*, active_from: date = date(2015, 1, 1), active_to: date | None = None, **kwargs: object) -> Doctor:
    """A doctor as the registry knows them; the claim they make brings that year's allocation."""
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
    staff: bool = False,
    course_fee_ore: int = 0,
    rejected: bool = False,
) -> Claim:
    """The doctor's claim for `halves` course-day halves of a run ending `on`, filed that day.

    With `staff`, the claim is for a nurse of the doctor's clinic on a staff course. `rejected`
    claims a run whose approval the steering group withdrew before it began."""
    factories.with_allocation(doctor, year=on.year)
    if at is not None and at.activity.form == Activity.Form.DGE_MEETING:
        _group_of(at).members.add(doctor)  # only a group's members may claim its meetings
    if at is None:
        at = instance(on=on, form="staff_course" if staff else "course")
    if rejected:
        claim_factories.approval_change(at, approval=Activity.Approval.NONE, valid_from=at.starts_on)
    nurse = claim_factories.staff_member(doctor.practice) if staff and doctor.practice else None
    request = ClaimRequest(
        instance=at, attended=_attended(at, halves), staff_member=nurse, course_fee_ore=course_fee_ore
    )
    with time_machine.travel(datetime.combine(on, time(12), COPENHAGEN), tick=False):
        made = submit_claim(claimant=doctor, request=request, filed_on=on, by=None).claim
    if (made.outcome == "rejected") != rejected:  # the world would not be the one the test describes
        raise AssertionError(f"The rules decided {made.outcome}: {made.decision['reasons']}")
    return made


def _group_of(meeting: ActivityInstance) -> DgeGroup:
    """The meeting's DGE group, formed on first use (groups have no registration service yet)."""
    activity = meeting.activity
    if activity.dge_group is None:
        leader = factories.doctor()
        activity.dge_group = DgeGroup.objects.create(
            name=activity.title, region=meeting.region, leader=leader, founded_year=meeting.starts_on.year
        )
        Activity.objects.filter(pk=activity.pk).update(dge_group=activity.dge_group)
    return activity.dge_group


def _weekdays_before(day: date, count: int) -> list[date]:
    found: list[date] = []
    while len(found) < count:
        day -= timedelta(days=1)
        if day.weekday() < 5:
            found.insert(0, day)
    return found


def _attended(run: ActivityInstance, halves: int) -> list[date]:
    """Days of the run adding up to `halves`: full days, a half day if needed, and the last day."""
    *earlier, last = sorted(run.days.values_list("date", flat=True))
    if not earlier:  # a one-evening DGE meeting
        return [last]
    *full, half = earlier
    return full[: (halves - 1) // 2] + ([half] if (halves - 1) % 2 else []) + [last]

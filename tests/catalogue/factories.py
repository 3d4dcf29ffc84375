"""Catalogue test builders: applications made and decided through the same services users trigger."""

from __future__ import annotations

import itertools
from datetime import date, time, timedelta

from ajour.accounts.models import Doctor, User
from ajour.catalogue import services
from ajour.catalogue.models import Activity, Provider, SeTheme, Topic
from ajour.catalogue.programme import DayPlan, Session
from tests import factories

_serial = itertools.count(1)


def topic(
    code: str = "diabetes", name: str = "Diabetes", name_en: str | None = None, parent: Topic | None = None
) -> Topic:
    found, _created = Topic.objects.get_or_create(
        code=code,
        defaults={
            "name_da": name,
            "name_en": name_en or name,
            "category": Topic.Category.MEDICAL,
            "parent": parent,
        },
    )
    return found


def se_theme(code: str = "diagnostik", first_year: int = 2015, last_year: int | None = None) -> SeTheme:
    found, _created = SeTheme.objects.get_or_create(
        code=code,
        defaults={
            "name_da": "Den diagnostiske udfordring i almen praksis",
            "name_en": "The diagnostic challenge",
            "days": 3,
            "first_year": first_year,
            "last_year": last_year,
        },
    )
    return found


def provider_user(*, name: str | None = None, email: str = "kurser@example.org") -> User:
    provider = Provider.objects.create(
        name=name or f"Kursusudbyder {next(_serial)}", kind=Provider.Kind.PRIVATE, email=email
    )
    return factories.user(role=User.Role.PROVIDER, provider=provider)


def consultant() -> User:
    return factories.user(role=User.Role.CONSULTANT)


def steering_member() -> User:
    return factories.user(role=User.Role.STEERING)


def gp_user(doctor: Doctor | None = None) -> User:
    return factories.user(role=User.Role.GP, doctor=doctor or factories.doctor())


def weekday_after(days: int = 14) -> date:
    """A Tuesday at least `days` ahead (never a weekend or a Monday holiday)."""
    start = date.today() + timedelta(days=days)
    return start + timedelta(days=(1 - start.weekday()) % 7)


def course_days(first: date, count: int = 2) -> list[DayPlan]:
    """Days of 09:00–12:00 and 13:00–16:30: 6 h 30 min effective, a one-hour break."""
    return [
        DayPlan.from_sessions(
            first + timedelta(days=offset),
            [Session(time(9), time(12), "Oplæg"), Session(time(13), time(16, 30), "Cases")],
        )
        for offset in range(count)
    ]


def activity_data(**overrides: object) -> services.ActivityData:
    values: dict[str, object] = {
        "title": f"Diabetes i almen praksis {next(_serial)}",
        "description": "Opdatering om type 2-diabetes: behandling, kontrol og komplikationer.",
        "form": Activity.Form.COURSE,
        "target_group": Activity.TargetGroup.GPS,
        "topic": topic(),
        "requested_approval": Activity.Approval.SELF_CHOSEN,
        "price_ore": 600_000,
        "gp_involvement": "To praktiserende læger i planlægningsgruppen.",
        "curriculum_relevance": "Kronisk sygdom, målbeskrivelsens kompetencer 3 og 5.",
        "funding": "Deltagerbetaling; ingen sponsorer.",
    }
    values.update(overrides)
    return services.ActivityData(**values)  # type: ignore[arg-type]


def instance_data(*, first: date | None = None, count: int = 2, places: int = 30) -> services.InstanceData:
    return services.InstanceData(
        venue="Kursuscenter Nord",
        town="Aalborg",
        region=factories.region(),
        places=places,
        days=course_days(first or weekday_after(), count),
    )


def draft(
    *,
    user: User | None = None,
    runs: int = 1,
    first: date | None = None,
    run_dates: list[date] | None = None,
    **overrides: object,
) -> Activity:
    """A draft with `runs` weekly runs from `first`, or one run starting on each of `run_dates` (a date
    given twice makes two identical runs)."""
    user = user or provider_user()
    first = first or weekday_after()
    return services.create_activity(
        user=user,
        data=activity_data(**overrides),
        instances=[
            instance_data(first=day)
            for day in run_dates or [first + timedelta(days=7 * n) for n in range(runs)]
        ],
        provider=user.provider,
    )


def submitted(**kwargs: object) -> Activity:
    activity = draft(**kwargs)  # type: ignore[arg-type]
    return services.submit_activity(activity=activity, user=activity.created_by)  # type: ignore[arg-type]


def approved(
    *, approval: str = Activity.Approval.SELF_CHOSEN, theme: SeTheme | None = None, **kwargs: object
) -> Activity:
    activity = submitted(**kwargs)
    services.approve_activity(
        activity=activity,
        decided_by=consultant(),
        approval=approval,
        scope=Activity.Scope.GENERAL,
        se_theme=theme,
    )
    activity.refresh_from_db()
    return activity

"""JSON API of the catalogue (mounted at /api/v1/catalogue/): search, detail, submission, attendance.

Search and detail are public. Submission and attendance need a provider: an API token
(`Authorization: Bearer ajr_…`, made with `ajour accounts create-token`) or the portal session.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, TypeVar

from django.core.paginator import Paginator
from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, P, PathEx, Query, Router, Schema, Status
from ninja.security import django_auth

from ajour.accounts.http import request_user, token_auth
from ajour.accounts.models import Region, User
from ajour.catalogue import permissions, selectors, services
from ajour.catalogue.models import Activity, ActivityInstance, SeTheme, Topic
from ajour.catalogue.programme import DayPlan, Session
from ajour.core.api_errors import ApiError
from ajour.core.bounds import ID_MAX, ID_TEXT_MAX, IDS_MAX, MONEY_MAX_ORE, TEXT_MAX, TITLE_MAX, column_range
from ajour.core.schemas import TEXT_PATTERN, ClockTime, ClockTimeOut, ErrorOut, IsoDate, JsonInt

router = Router(tags=["catalogue"])
PAGE_SIZE = 20


PROVIDER_AUTH = [token_auth, django_auth]


def _caller(request: HttpRequest) -> User:
    """The token's user, or the session's."""
    auth = getattr(request, "auth", None)
    return auth if isinstance(auth, User) else request_user(request)


CODE_PATTERN = "^[-a-z0-9_]{1,50}$"
"""Region, topic and SE theme codes: they must name one that exists (else a 400 naming the field)."""
PLACES_MIN, PLACES_MAX = 1, column_range(ActivityInstance, "places")[1]
PRICE_MAX_ORE = min(MONEY_MAX_ORE, column_range(Activity, "price_ore")[1])

Code = Annotated[str, Field(pattern=CODE_PATTERN, max_length=50)]
Text = Annotated[str, Field(max_length=TEXT_MAX, pattern=TEXT_PATTERN)]


class SearchParams(Schema):
    q: str = Field(
        "",
        max_length=200,
        description="Free text (Danish and English; forgives typos, word forms, compounds and abbreviations; "
        "`-word` excludes a word), or an activity number",
    )
    region: str = Field("", max_length=50, description="Region code, e.g. `hovedstaden`")
    date_from: IsoDate | None = None
    date_to: IsoDate | None = None
    form: str = Field("", max_length=50, description="Activity form, e.g. `course`, `e_learning`")
    se_theme: str = Field("", max_length=50, description="SE theme code")
    topic: str = Field("", max_length=50, description="Topic code")
    free_places: bool = False
    max_price_ore: int | None = Field(None, ge=0, le=column_range(Activity, "price_ore")[1])
    e_learning: bool = False
    sort: str = Field("relevance", pattern="^(relevance|date)$")
    page: int = Field(1, ge=1, le=10_000)


class ClaimOption(Schema):
    account: str
    payable_ore: int
    fee_ore: int
    course_fee_ore: int
    systematic_half_days: int


class InstanceOut(Schema):
    id: int
    activity_id: int
    number: str | None
    title: str
    provider: str | None
    form: str
    approval: str
    starts_on: date
    ends_on: date
    town: str
    region: str
    price_ore: int
    free_places: int
    claimable: list[ClaimOption]


class SearchOut(Schema):
    count: int
    page: int
    pages: int
    results: list[InstanceOut]
    did_you_mean: str | None = Field(
        None, description="When nothing is found: a nearby query that finds something with the same filters"
    )


class DayOut(Schema):
    date: date
    starts_at: ClockTimeOut
    ends_at: ClockTimeOut
    break_minutes: int
    effective_minutes: int | None
    day_class: str | None


class RunOut(InstanceOut):
    venue: str
    places: int
    approved_half_days: int | None
    days: list[DayOut]


class ActivityOut(Schema):
    id: int
    number: str | None
    numbers: list[str]
    title: str
    description: str
    provider: str | None
    form: str
    target_group: str
    topic: str
    approval: str
    scope: str
    se_theme: str | None
    price_ore: int
    runs: list[RunOut]


class SessionIn(Schema):
    model_config = {"extra": "forbid"}

    starts_at: ClockTime = Field(alias="from", examples=["09:00"])
    ends_at: ClockTime = Field(alias="to", description="After `from`", examples=["12:00"])
    title: str = Field("", max_length=TITLE_MAX, pattern=TEXT_PATTERN, examples=["Diagnostik og behandling"])


class DayIn(Schema):
    model_config = {"extra": "forbid"}

    date: IsoDate = Field(examples=["2026-03-05"])
    sessions: list[SessionIn] = Field(min_length=1, max_length=20)


class RunIn(Schema):
    model_config = {"extra": "forbid"}

    venue: str = Field(min_length=1, max_length=120, pattern=TEXT_PATTERN, examples=["Lægehuset"])
    town: str = Field(min_length=1, max_length=60, pattern=TEXT_PATTERN, examples=["Odense"])
    region: Code = Field(description="Region code", examples=["hovedstaden"])
    places: JsonInt = Field(ge=PLACES_MIN, le=PLACES_MAX, examples=[30])
    days: list[DayIn] = Field(min_length=1, max_length=60, description="No date twice")


class ActivityIn(Schema):
    model_config = {"extra": "forbid"}

    title: str = Field(
        min_length=1, max_length=TITLE_MAX, pattern=TEXT_PATTERN, examples=["Astma og KOL i almen praksis"]
    )
    description: Text = Field("", examples=["Spirometri, inhalationsteknik og forværringer."])
    form: Activity.Form
    target_group: Activity.TargetGroup = Activity.TargetGroup.GPS
    topic: Code = Field(description="Topic code", examples=["psychiatry"])
    extra_topics: list[Code] = Field(
        [], max_length=20, description="Further topic codes", examples=[["adhd"]]
    )
    requested_approval: str = Field(pattern="^(self_chosen|systematic|both)$", examples=["self_chosen"])
    se_theme: Code | None = Field(None, description="SE theme code (for systematic approval)")
    price_ore: JsonInt = Field(0, ge=0, le=PRICE_MAX_ORE, examples=[300_000])
    gp_involvement: Text = ""
    curriculum_relevance: Text = ""
    funding: Text = ""
    industry_involvement: bool = Field(False, strict=True)
    planning_independent: bool = Field(True, strict=True)
    runs: list[RunIn] = Field(min_length=1, max_length=50)
    submit: bool = Field(False, strict=True, description="Submit at once instead of keeping a draft")


class CreatedOut(Schema):
    id: int
    status: str
    prechecks: list[str]
    runs: list[RunOut]


class AttendanceIn(Schema):
    model_config = {"extra": "forbid"}

    authorisation_ids: list[Annotated[str, Field(max_length=ID_TEXT_MAX, pattern=TEXT_PATTERN)]] = Field(
        min_length=1, max_length=IDS_MAX, examples=[["A1B2C"]]
    )


class AttendanceOut(Schema):
    recorded: int


def _options(instance: ActivityInstance) -> list[dict[str, object]]:
    return list((getattr(instance, "claimable", None) or {}).get("options", []))


def _instance(instance: ActivityInstance) -> dict[str, object]:
    activity = instance.activity
    return {
        "id": instance.pk,
        "activity_id": activity.pk,
        "number": activity.number,
        "title": activity.title,
        "provider": str(activity.provider) if activity.provider_id else None,
        "form": activity.form,
        "approval": selectors.approval_in_force(activity=activity, on=instance.ends_on),
        "starts_on": instance.starts_on,
        "ends_on": instance.ends_on,
        "town": instance.town,
        "region": instance.region.code,
        "price_ore": activity.price_ore,
        # A search row stands for identical runs (same activity, dates and place): their free places together.
        "free_places": getattr(instance, "seats", instance.free_places),
        "claimable": _options(instance),
    }


def _run(instance: ActivityInstance) -> dict[str, object]:
    engine_days = {d["date"]: d for d in (getattr(instance, "claimable", None) or {}).get("days", [])}
    days = []
    for day in instance.days.all():
        found = engine_days.get(f"{day.date:%Y-%m-%d}", {})
        days.append(
            {
                "date": day.date,
                "starts_at": day.starts_at,
                "ends_at": day.ends_at,
                "break_minutes": day.break_minutes,
                "effective_minutes": found.get("effective_minutes"),
                "day_class": found.get("class"),
            }
        )
    return {
        **_instance(instance),
        "venue": instance.venue,
        "places": instance.places,
        "approved_half_days": instance.approved_half_days,
        "days": days,
    }


@router.get("/search", response={200: SearchOut}, auth=None, summary="Search the catalogue")
def search(request: HttpRequest, params: Query[SearchParams]) -> dict[str, object]:
    """Approved runs, filtered and sorted like the public catalogue page, 20 per page."""
    filters = selectors.SearchFilters(**params.dict(exclude={"page"}))
    page = Paginator(selectors.search_catalogue(filters=filters), PAGE_SIZE).get_page(params.page)
    return {
        "count": page.paginator.count,
        "page": page.number,
        "pages": page.paginator.num_pages,
        "results": [_instance(instance) for instance in page.object_list],
        "did_you_mean": None if page.paginator.count else selectors.did_you_mean(filters=filters),
    }


@router.get(
    "/activities/{activity_id}",
    response={200: ActivityOut, 404: ErrorOut},
    auth=None,
    summary="One approved activity",
)
def activity_detail(request: HttpRequest, activity_id: PathEx[int, P(ge=1, le=ID_MAX)]) -> Status[object]:
    activity = selectors.public_activity(pk=activity_id)
    if activity is None:
        raise ApiError(404)
    return Status(
        200,
        {
            "id": activity.pk,
            "number": activity.number,
            "numbers": list(activity.numbers.values_list("number", flat=True)),
            "title": activity.title,
            "description": activity.description,
            "provider": str(activity.provider) if activity.provider_id else None,
            "form": activity.form,
            "target_group": activity.target_group,
            "topic": activity.topic.code,
            "approval": selectors.approval_shown(activity=activity, today=timezone.localdate()),
            "scope": activity.scope,
            "se_theme": activity.se_theme.code if activity.se_theme else None,
            "price_ore": activity.price_ore,
            "runs": [_run(instance) for instance in selectors.instances_with_days(activity=activity)],
        },
    )


@router.post(
    "/activities",
    response={201: CreatedOut, 400: ErrorOut, 403: ErrorOut},
    auth=PROVIDER_AUTH,
    summary="Submit an activity (provider)",
)
def submit_activity(request: HttpRequest, body: ActivityIn) -> Status[object]:
    """Creates the application with its runs; the claim preview and pre-checks come back at once.
    A code that names no region, topic or SE theme is a 400 naming the field."""
    user = _caller(request)
    permission = permissions.can_apply_as_provider(user)
    if not permission:
        raise ApiError(403, permission.reason)
    data, runs = _activity_data(body)
    try:
        activity = services.create_activity(user=user, data=data, instances=runs, provider=user.provider)
        if body.submit:
            activity = services.submit_activity(activity=activity, user=user)
    except services.CatalogueError as error:
        raise ApiError(400, error.message, errors=error.errors) from None
    return Status(
        201,
        {
            "id": activity.pk,
            "status": activity.status,
            "prechecks": selectors.precheck_messages(activity.prechecks),
            "runs": [_run(instance) for instance in selectors.instances_with_days(activity=activity)],
        },
    )


_Coded = TypeVar("_Coded", Topic, SeTheme, Region)


def _lookup(model: type[_Coded], code: str, field: str) -> _Coded:
    found = model.objects.filter(code=code).first()
    if found is None:
        raise ApiError(400, f"Unknown {model._meta.verbose_name}: {code}", field=field)
    return found


def _activity_data(body: ActivityIn) -> tuple[services.ActivityData, list[services.InstanceData]]:
    """The service's input, or a 400 naming the field: a code that names nothing, a session that ends
    before it starts, a date given twice."""
    topic = _lookup(Topic, body.topic, "topic")
    data = services.ActivityData(
        title=body.title,
        description=body.description,
        form=body.form,
        target_group=body.target_group,
        topic=topic,
        extra_topics=[
            _lookup(Topic, code, f"extra_topics[{index}]") for index, code in enumerate(body.extra_topics)
        ],
        requested_approval=body.requested_approval,
        se_theme=_lookup(SeTheme, body.se_theme, "se_theme") if body.se_theme else None,
        price_ore=body.price_ore,
        gp_involvement=body.gp_involvement,
        curriculum_relevance=body.curriculum_relevance,
        funding=body.funding,
        industry_involvement=body.industry_involvement,
        planning_independent=body.planning_independent,
    )
    runs = []
    for number, run in enumerate(body.runs):
        days: list[DayPlan] = []
        for index, day in enumerate(run.days):
            sessions = [Session(s.starts_at, s.ends_at, s.title) for s in day.sessions]
            for at, session in enumerate(sessions):
                if session.ends_at <= session.starts_at:
                    where = f"runs[{number}].days[{index}].sessions[{at}].to"
                    raise ApiError(400, "A session must end after it starts.", field=where)
            if day.date in {d.date for d in days}:
                raise ApiError(400, "Each date may appear once.", field=f"runs[{number}].days[{index}].date")
            days.append(DayPlan.from_sessions(day.date, sessions))
        runs.append(
            services.InstanceData(
                venue=run.venue,
                town=run.town,
                region=_lookup(Region, run.region, f"runs[{number}].region"),
                places=run.places,
                days=sorted(days, key=lambda d: d.date),
            )
        )
    return data, runs


@router.post(
    "/runs/{run_id}/attendance",
    response={200: AttendanceOut, 400: ErrorOut, 404: ErrorOut},
    auth=PROVIDER_AUTH,
    summary="Report attendance for a run (provider)",
)
def report_attendance(
    request: HttpRequest, run_id: PathEx[int, P(ge=1, le=ID_MAX)], body: AttendanceIn
) -> Status[object]:
    """All or nothing: any unknown, malformed or repeated ID refuses the whole list, naming its row
    in `errors`."""
    user = _caller(request)
    # the chokepoint answers 404 (Http404) without revealing whether the run exists
    instance = permissions.instance_for_applicant(user, run_id)
    try:
        created = services.report_attendance(
            instance=instance, user=user, authorisation_ids=body.authorisation_ids
        )
    except services.CatalogueError as error:
        raise ApiError(400, error.message, field="authorisation_ids", errors=error.errors) from None
    return Status(200, {"recorded": len(created)})

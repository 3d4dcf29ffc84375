"""Every page and API route, as every demo role and anonymously, on the demo data and after each main action.

Pages no test opened as their role crashed in production. This crawl opens all of them:

- every URL pattern (a walk of the URL resolver) and every API operation (the OpenAPI document), as each
  of the eleven demo roles and anonymously: never a 5xx;
- patterns with parameters are filled from the data, one object per type: the role's own object where it
  has one (else any object of the type). Where a role owns such objects (GPs their claims, contracts and
  individual applications, a clinic its staff claims, a provider its applications and runs), the same
  pattern is also requested with an object of ANOTHER user of the same role, and must answer 403/404
  (or 405 for a POST-only page, which is then also POSTed to): never another user's object. Receipts
  are refused to every role but the claimant's side and the secretariat (the steering group decides
  appeals on the claim, not on the claimant's documents), and the claim form refuses a claimant a run
  of a provider's application that was never approved. Anonymous requests of anything private must be
  sent to the login (or answer 401/403/404/405);
- every same-host link (`<a href>` and GET forms) on every page reached is followed once (deduplicated by
  path, at most `PER_PATTERN` paths per URL pattern; logout, language switch and demo logins skipped):
  never a 5xx, and never a refusal or a missing page for the reader the link was offered to;
- all of it on the small demo data set, then again after each main action: a claim submitted, an
  activity approved, an appeal filed and decided, a payout run. The states are cumulative; pages that
  no action changes (the administration's, the static ones, the yearly report) are requested once.

Patterns that cannot be filled meaningfully, and why:
- `admin/r/<content_type_id>/<object_id>/` (view on site): no admin model has a public page; it is
  requested with a real content type and object and must simply not fail;
- the admin's catch-all `admin/(?P<url>.*)$` has no object behind it; requested with an unknown path;
- `stats/export.<file_type>` needs a measure in its query; the bare pattern is requested (400), and the
  export links on the statistics pages, which carry a measure, are followed by the link crawl. The same
  holds for a simulator scenario's `export.<file_type>` (a table) and `claims/` (a table and a row).

The world also holds one saved simulator scenario (a shipped example reform run per claim by the analyst),
so the simulator's pages have an object to show.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.models import Session
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import transaction
from django.db.models import Model, QuerySet
from django.http import HttpResponse
from django.test import Client
from django.urls import Resolver404, URLPattern, URLResolver, get_resolver, resolve

from ajour.accounts.banking import synthetic_iban
from ajour.accounts.models import Doctor, EmploymentConfirmation, Practice, User
from ajour.accounts.services import create_api_token, set_payout_account, upload_employment_contract
from ajour.api import api
from ajour.catalogue import services as catalogue_services
from ajour.catalogue.models import Activity, ActivityInstance, ApprovalAppeal, Provider
from ajour.catalogue.permissions import CLAIMABLE_STATUSES
from ajour.claims import selectors as claim_selectors
from ajour.claims import services as claim_services
from ajour.claims.models import Appeal, Claim, PayoutBatch, Receipt
from ajour.claims.payload import ClaimInputError, ClaimRequest
from ajour.claims.payouts import run_payouts
from ajour.demo.roles import DEMO_ROLES, demo_username
from ajour.demo.services import _wipe
from ajour.rules.reforms import shipped_reforms
from ajour.simulator.models import Scenario
from ajour.simulator.services import save_scenario
from tests import pdfs
from tests.catalogue import factories as catalogue_factories

pytestmark = pytest.mark.django_db

TODAY = date(2026, 6, 15)
ANONYMOUS = "anonymous"
ROLES = [slug for slug, _label in DEMO_ROLES] + [ANONYMOUS]
PER_PATTERN = 3
"""The link crawl follows at most this many distinct paths of one URL pattern (a queue lists hundreds)."""
PDF = pdfs.plain()

KNOWN_DEFECTS: dict[tuple[str, str], str] = {}
"""(role, pattern) pairs that fail today, marked xfail(strict=True) so the mark must go when they are fixed;
the link crawl does not follow them meanwhile."""


# ---------------------------------------------------------------- the routes


@dataclass(frozen=True)
class Route:
    pattern: str
    """The route as Django writes it, e.g. `claims/<uuid:public_id>/` (regular expressions for a few)."""
    model: type[Model] | None = None
    """The model behind an admin page, if any."""


def _walk(resolver: URLResolver, prefix: str = "") -> Iterator[Route]:
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            yield from _walk(entry, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            if entry.callback.__module__.startswith("ninja."):
                continue  # an API operation: requested from the OpenAPI document below
            admin = getattr(entry.callback, "model_admin", None)
            yield Route(prefix + str(entry.pattern), admin.model if admin is not None else None)


WEB_ROUTES = list(_walk(get_resolver()))
NOT_CRAWLED = {"logout/", "i18n/setlang/", "admin/logout/"}
"""Logging out and switching language change the session, not the data; they are not crawled."""
UNCHANGED_BY_ACTIONS = {
    "healthz",
    "login/",
    "demo-login/<slug:slug>/",
    "api/",
    "api/openapi.json",
    "api/docs",
    "stats/report.pdf",  # reads the statistics roll-up tables, which no action refreshes
    "simulator/<uuid:public_id>/brief.pdf",  # reads the scenario's saved figures, which no action changes
}
"""Pages requested on the demo data only (as are the administration's): no action changes what they show."""


OPENAPI = api.get_openapi_schema(path_prefix="/api")
"""The document served at /api/openapi.json."""
API_OPERATIONS = [
    (method.upper(), path, operation)
    for path, methods in OPENAPI["paths"].items()
    for method, operation in methods.items()
]


# ---------------------------------------------------------------- the demo world and its states


@dataclass
class World:
    """The small demo data set, a second user of each owning role, API tokens, and the actions done so far."""

    users: dict[str, User]
    """The demo users by role slug."""
    others: dict[str, list[User]]
    """By user role: other users of that role who own objects (claims, receipts, contracts, applications)."""
    tokens: dict[str, str]
    sessions: dict[str, str]
    """Session keys by role slug."""
    done: list[str] = field(default_factory=list)
    claim: Claim | None = None
    """The claim the GP owner submitted in the first action."""

    def user(self, role: str) -> User | None:
        return self.users.get(role)

    def others_like(self, user: User) -> list[User]:
        return self.others.get(user.role, [])


def _login_for(username: str, role: str, **links: object) -> User:
    user = User.objects.create_user(username=username, role=role, **links)
    user.set_unusable_password()
    user.save()
    return user


def _other_gp_with_receipt_and_appeal(demo_doctors: set[int]) -> User:
    claim = (
        Claim.objects.filter(status=Claim.Status.CONTROL_REQUESTED, staff_member__isnull=True)
        .exclude(claimant_id__in=demo_doctors)
        .order_by("pk")
        .first()
    )
    assert claim is not None, "the demo puts claims under sample control"
    user = _login_for("crawl-other-gp", User.Role.GP, doctor=claim.claimant)
    upload = SimpleUploadedFile("kvittering.pdf", PDF, content_type="application/pdf")
    claim_services.upload_receipt(claim=claim, upload=upload, by=user)
    claim_services.file_appeal(claim=claim, text="Kurset lå langt fra klinikken; jeg klager.", by=user)
    catalogue_services.create_activity(
        user=user,
        data=catalogue_factories.activity_data(),
        instances=[catalogue_factories.instance_data()],
        applicant_doctor=claim.claimant,
    )
    return user


def _other_employed_with_contract(demo_doctors: set[int]) -> User:
    doctor = (
        Doctor.objects.filter(role=Doctor.Role.GP_EMPLOYED, active_to__isnull=True)
        .exclude(pk__in=demo_doctors)
        .order_by("pk")
        .first()
    )
    assert doctor is not None
    user = _login_for("crawl-other-employed", User.Role.GP, doctor=doctor)
    _contract(doctor)
    return user


def _contract(doctor: Doctor) -> EmploymentConfirmation:
    upload = SimpleUploadedFile("kontrakt.pdf", PDF, content_type="application/pdf")
    # next year's: this year's contract may be confirmed already, and a confirmed one cannot be replaced
    return upload_employment_contract(doctor=doctor, year=TODAY.year + 1, document=upload)


def _build_world() -> World:
    call_command("demo", "load", "--scale", "small", "--seed", "7", "--today", TODAY.isoformat(), verbosity=0)
    users = {slug: User.objects.get(username=demo_username(slug)) for slug, _label in DEMO_ROLES}
    Group.objects.create(name="crawl-group")  # the administration's one table the demo leaves empty
    save_scenario(
        author=users["analyst"], reform=shipped_reforms()["dsam_3x2h"], year=TODAY.year - 1, mode="claim"
    )
    demo_doctors = {u.doctor_id for u in users.values() if u.doctor_id is not None}
    owner = users["gp-owner"]
    assert owner.doctor is not None and users["gp-employed"].doctor is not None
    _contract(users["gp-employed"].doctor)
    catalogue_services.create_activity(
        user=owner,
        data=catalogue_factories.activity_data(),
        instances=[catalogue_factories.instance_data()],
        applicant_doctor=owner.doctor,
    )
    clinic_practice = users["clinic"].practice_id
    other_practice = (
        Practice.objects.filter(staff_claims__staff_member__isnull=False)
        .exclude(pk=clinic_practice)
        .order_by("pk")
        .first()
    )
    other_provider = (
        Provider.objects.filter(activities__appeals__isnull=False)
        .exclude(pk=users["provider"].provider_id)
        .order_by("pk")
        .first()
    )
    others = {
        User.Role.GP: [
            _other_gp_with_receipt_and_appeal(demo_doctors),
            _other_employed_with_contract(demo_doctors),
        ],
        User.Role.CLINIC: [_login_for("crawl-other-clinic", User.Role.CLINIC, practice=other_practice)],
        User.Role.PROVIDER: [_login_for("crawl-other-provider", User.Role.PROVIDER, provider=other_provider)],
    }
    return World(
        users=users,
        others={str(role): found for role, found in others.items()},
        tokens={slug: create_api_token(user=user, name="crawl") for slug, user in users.items()},
        sessions={slug: _session_of(user) for slug, user in users.items()},
    )


def _session_of(user: User) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def _submit_claim(world: World) -> None:
    """The GP owner claims for the most recent course held that they have not claimed yet."""
    owner = world.users["gp-owner"]
    assert owner.doctor is not None
    for instance in claim_selectors.claimable_instances(query="", on=None, today=TODAY, doctor=owner.doctor):
        if instance.claims.filter(claimant=owner.doctor).exists():
            continue
        try:
            submission = claim_services.submit_claim(
                claimant=owner.doctor, request=ClaimRequest(instance=instance), filed_on=TODAY, by=owner
            )
        except ClaimInputError:
            continue
        world.claim = submission.claim
        return
    raise AssertionError("the GP owner has nothing left to claim for")


def _approve_activity(world: World) -> None:
    """A medical consultant approves the demo provider's oldest application in review."""
    activity = (
        Activity.objects.filter(
            provider_id=world.users["provider"].provider_id,
            status=Activity.Status.SUBMITTED,
            industry_involvement=False,
        )
        .order_by("pk")
        .first()
    )
    assert activity is not None
    catalogue_services.approve_activity(
        activity=activity,
        decided_by=world.users["consultant"],
        approval=Activity.Approval.SELF_CHOSEN,
        scope=activity.scope,
        reasons="Programmet opfylder kriterierne.",
    )


def _appeal_and_decide(world: World) -> None:
    """The GP owner appeals the new claim's decision; the steering group dismisses the appeal."""
    assert world.claim is not None
    appeal = claim_services.file_appeal(
        claim=world.claim, text="Transporten burde dækkes fuldt ud.", by=world.users["gp-owner"]
    )
    claim_services.decide_appeal(
        appeal=appeal,
        upheld=False,
        payable_ore=None,
        text="Afgørelsen står ved magt.",
        by=world.users["steering"],
    )


def _run_payouts(world: World) -> None:
    """The demo has no bank accounts: the claimants give theirs, then the caseworker runs the payouts."""
    for slug in ("gp-owner", "gp-employed", "trainee", "clinic"):
        user = world.users[slug]
        set_payout_account(user=user, iban=synthetic_iban(user.doctor_id or user.practice_id or 0))
    assert run_payouts(on=TODAY, by=world.users["caseworker"]) is not None


ACTIONS: list[tuple[str, Callable[[World], None]]] = [
    ("demo-data", lambda world: None),
    ("claim-submitted", _submit_claim),
    ("activity-approved", _approve_activity),
    ("appeal-decided", _appeal_and_decide),
    ("payout-run", _run_payouts),
]
STATES = [name for name, _action in ACTIONS]


@pytest.fixture(scope="module")
def world(django_db_setup: None, django_db_blocker: Any) -> Iterator[World]:
    """Loaded once for the module (on a fixed day), removed again afterwards."""
    with time_machine.travel(datetime.combine(TODAY, time(9), tzinfo=ZoneInfo("Europe/Copenhagen"))):
        with django_db_blocker.unblock():
            built = _build_world()
            yield built
            with transaction.atomic():
                _wipe()
                User.objects.filter(username__startswith="crawl-").delete()
                Group.objects.filter(name="crawl-group").delete()
                Session.objects.filter(session_key__in=built.sessions.values()).delete()


@pytest.fixture(autouse=True)
def no_constraint_check(db: None) -> Iterator[None]:
    """Marks each test's transaction for rollback before pytest-django rolls it back, which skips its
    closing constraint check: on SQLite that re-reads all the demo data (45 ms a test, thousands of tests).
    """
    yield
    transaction.set_rollback(True)


@pytest.fixture(scope="module", params=STATES)
def state(request: pytest.FixtureRequest, world: World, django_db_blocker: Any) -> World:
    """The world after every action up to this one (each action is done once, in order)."""
    wanted = STATES.index(request.param)
    with django_db_blocker.unblock():
        for name, action in ACTIONS[: wanted + 1]:
            if name not in world.done:
                action(world)
                world.done.append(name)
    return world


# ---------------------------------------------------------------- objects to fill the patterns with


@dataclass(frozen=True)
class Kind:
    """One type of object a pattern names, and who owns such objects."""

    everything: Callable[[], QuerySet[Any]]
    values: Callable[[Any], dict[str, object]]
    owned_by: Callable[[User], QuerySet[Any]] | None = None
    owners: frozenset[str] = frozenset()
    """The user roles that own objects of this kind (and may see only their own)."""
    readers: frozenset[str] | None = None
    """If set, the only other roles that may open objects of this kind; every other role (and anonymous)
    is refused any object of it."""


def _claims_of(user: User) -> QuerySet[Claim]:
    if user.role == User.Role.CLINIC:
        return Claim.objects.filter(practice_id=user.practice_id, staff_member__isnull=False)
    return Claim.objects.filter(claimant_id=user.doctor_id, staff_member__isnull=True)


def _applications_of(user: User) -> QuerySet[Activity]:
    if user.role == User.Role.PROVIDER:
        return Activity.objects.filter(provider_id=user.provider_id)
    return Activity.objects.filter(applicant_doctor_id=user.doctor_id)


CLAIMANTS = frozenset({User.Role.GP, User.Role.CLINIC})
APPLICANTS = frozenset({User.Role.GP, User.Role.PROVIDER})

CLAIM = Kind(
    everything=Claim.objects.all,
    values=lambda c: {"public_id": c.public_id},
    owned_by=_claims_of,
    owners=CLAIMANTS,
)
RECEIPT = Kind(
    everything=Receipt.objects.select_related("claim").all,
    values=lambda r: {"public_id": r.claim.public_id, "receipt_id": r.pk},
    owned_by=lambda u: Receipt.objects.select_related("claim").filter(claim__in=_claims_of(u)),
    owners=CLAIMANTS,
    readers=frozenset({User.Role.CASEWORKER, User.Role.ADMIN}),  # not the steering group: the claim only
)
CLAIM_APPEAL = Kind(
    everything=Appeal.objects.all,
    values=lambda a: {"appeal_id": a.pk},
    owned_by=lambda u: Appeal.objects.filter(claim__in=_claims_of(u)),
    owners=CLAIMANTS,
)
CONTRACT = Kind(
    everything=EmploymentConfirmation.objects.exclude(document="").all,
    values=lambda c: {"pk": c.pk},
    owned_by=lambda u: EmploymentConfirmation.objects.exclude(document="").filter(doctor_id=u.doctor_id),
    owners=frozenset({User.Role.GP}),
)
DOCTOR = Kind(
    everything=Doctor.objects.all,
    values=lambda d: {"pk": d.pk},
    owned_by=lambda u: Doctor.objects.filter(pk=u.doctor_id),
    owners=frozenset({User.Role.GP}),
)
APPLICATION = Kind(
    everything=Activity.objects.exclude(status=Activity.Status.APPROVED).all,
    values=lambda a: {"pk": a.pk},
    owned_by=_applications_of,
    owners=APPLICANTS,
)
RUN = Kind(
    everything=ActivityInstance.objects.all,
    values=lambda r: {"pk": r.pk},
    owned_by=lambda u: ActivityInstance.objects.filter(activity__in=_applications_of(u)),
    owners=APPLICANTS,
)
APPROVAL_APPEAL = Kind(
    everything=ApprovalAppeal.objects.all,
    values=lambda a: {"pk": a.pk},
    owned_by=lambda u: ApprovalAppeal.objects.filter(activity__in=_applications_of(u)),
    owners=APPLICANTS,
)
PUBLIC_ACTIVITY = Kind(
    everything=Activity.objects.filter(status=Activity.Status.APPROVED).all, values=lambda a: {"pk": a.pk}
)
PAYOUT_BATCH = Kind(everything=PayoutBatch.objects.all, values=lambda b: {"on": b.date.isoformat()})
SCENARIO = Kind(everything=Scenario.objects.all, values=lambda s: {"public_id": s.public_id})


@dataclass(frozen=True)
class Fill:
    """A pattern's parameters: the role's own (or any) object, and another user's where it owns some."""

    own: dict[str, object]
    other: dict[str, object] | None = None


def _latest(queryset: QuerySet[Any]) -> Any:
    return queryset.order_by("-pk").first()


def fill_kind(kind: Kind, world: World, role: str) -> Fill:
    """The role's newest own object (else the newest of all), plus the newest of another user's."""
    user = world.user(role)
    anything = _latest(kind.everything())
    assert anything is not None, f"the data has no {kind.everything().model.__name__}"
    if kind.readers is not None and (user is None or user.role not in kind.owners | kind.readers):
        return Fill(kind.values(anything), kind.values(anything))  # nobody's object is theirs to open
    if user is None or kind.owned_by is None or user.role not in kind.owners:
        return Fill(kind.values(anything))
    own = _latest(kind.owned_by(user)) or anything
    others = [_latest(kind.owned_by(other)) for other in world.others_like(user)]
    other = next((found for found in others if found is not None), None)
    return Fill(kind.values(own), kind.values(other) if other is not None else None)


def _claimable_run(world: World, role: str) -> Fill:
    """A run the role may claim, and for claimants a run of a provider's application never approved
    (a draft, one in review or a rejection): no claim form, no title, no programme."""
    user = world.user(role)
    doctor = user.doctor if user is not None else None
    runs = claim_selectors.claimable_instances(query="", on=None, today=TODAY, doctor=doctor)
    if user is None or user.role not in CLAIMANTS:
        return Fill({"instance_id": runs[0].pk})
    never_approved = _latest(
        ActivityInstance.objects.filter(activity__provider__isnull=False).exclude(
            activity__status__in=CLAIMABLE_STATUSES
        )
    )
    assert never_approved is not None, "the demo has applications in review"
    return Fill({"instance_id": runs[0].pk}, {"instance_id": never_approved.pk})


def _payout_file(world: World, role: str) -> Fill:
    batch = _latest(PayoutBatch.objects.all())
    return Fill({"on": (batch.date if batch else TODAY).isoformat(), "kind": "xml"})


def _of(kind: Kind, *renamed: tuple[str, str]) -> Callable[[World, str], Fill]:
    """Fills with `kind`, renaming its values to the pattern's parameter names."""

    def rename(values: dict[str, object] | None) -> dict[str, object] | None:
        if values is None:
            return None
        names = dict(renamed)
        return {names.get(key, key): value for key, value in values.items()}

    def filler(world: World, role: str) -> Fill:
        found = fill_kind(kind, world, role)
        own = rename(found.own)
        assert own is not None
        return Fill(own, rename(found.other))

    return filler


FILLERS: dict[str, Callable[[World, str], Fill]] = {
    "demo-login/<slug:slug>/": lambda world, role: Fill({"slug": "analyst"}),
    "claims/new/<int:instance_id>/": _claimable_run,
    "claims/new/<int:instance_id>/quote/": _claimable_run,
    "claims/appeals/<int:appeal_id>/decide/": _of(CLAIM_APPEAL),
    "claims/payouts/<str:on>/<str:kind>/": _payout_file,
    "claims/<uuid:public_id>/": _of(CLAIM),
    "claims/<uuid:public_id>/receipts/": _of(CLAIM),
    "claims/<uuid:public_id>/receipts/<int:receipt_id>/": _of(RECEIPT),
    "claims/<uuid:public_id>/appeal/": _of(CLAIM),
    "claims/<uuid:public_id>/review/": _of(CLAIM),
    "accounts/employment/<int:pk>/contract/": _of(CONTRACT),
    "accounts/confirmations/<int:pk>/": _of(CONTRACT),
    "accounts/doctors/<int:pk>/": _of(DOCTOR),
    "catalogue/activity/<int:pk>/": _of(PUBLIC_ACTIVITY),
    "catalogue/applications/<int:pk>/": _of(APPLICATION),
    "catalogue/applications/<int:pk>/edit/": _of(APPLICATION),
    "catalogue/applications/<int:pk>/runs/new/": _of(APPLICATION),
    "catalogue/applications/<int:pk>/submit/": _of(APPLICATION),
    "catalogue/applications/<int:pk>/answer/": _of(APPLICATION),
    "catalogue/applications/<int:pk>/appeal/": _of(APPLICATION),
    "catalogue/runs/<int:pk>/attendance/": _of(RUN),
    "catalogue/runs/<int:pk>/bookings/": _of(RUN),
    "catalogue/review/<int:pk>/": _of(APPLICATION),
    "catalogue/review/<int:pk>/change/": _of(APPLICATION),
    "catalogue/appeals/<int:pk>/": _of(APPROVAL_APPEAL),
    "stats/export.<str:file_type>": lambda world, role: Fill({"file_type": "csv"}),
    "simulator/examples/<slug:name>/run/": lambda world, role: Fill({"name": "dsam_3x2h"}),
    "simulator/<uuid:public_id>/": _of(SCENARIO),
    "simulator/<uuid:public_id>/rerun/": _of(SCENARIO),
    "simulator/<uuid:public_id>/claims/": _of(SCENARIO),
    "simulator/<uuid:public_id>/export.<str:file_type>": lambda world, role: Fill(
        {**fill_kind(SCENARIO, world, role).own, "file_type": "csv"}
    ),
    "simulator/<uuid:public_id>/brief.pdf": _of(SCENARIO),
    "simulator/<uuid:public_id>/reform.yaml": _of(SCENARIO),
}
MEASURES = OPENAPI["paths"]["/api/v1/stats/tables/{measure}"]["get"]["parameters"][0]["schema"]["enum"]
API_FILLERS: dict[str, Callable[[World, str], Fill]] = {
    "/api/v1/claims/{public_id}": _of(CLAIM),
    "/api/v1/catalogue/activities/{activity_id}": _of(PUBLIC_ACTIVITY, ("pk", "activity_id")),
    "/api/v1/catalogue/runs/{run_id}/attendance": _of(RUN, ("pk", "run_id")),
    "/api/v1/stats/tables/{measure}": lambda world, role: Fill({"measure": MEASURES[0]}),
    "/api/v1/simulations/{scenario_id}": _of(SCENARIO, ("public_id", "scenario_id")),
}
PUBLIC = {
    "",
    "healthz",
    "login/",
    "demo-login/<slug:slug>/",
    "catalogue/",
    "catalogue/feed.ics",
    "catalogue/activity/<int:pk>/",
    "stats/",
    "stats/export.<str:file_type>",
    "api/",
    "api/openapi.json",
    "api/docs",
    "admin/login/",
    "admin/r/<path:content_type_id>/<path:object_id>/",
}
"""Pages anyone may open; every other page must send an anonymous visitor to the login (or refuse)."""


def _admin_fill(route: Route) -> Fill:
    if route.model is not None:
        return Fill({"object_id": _latest(route.model._default_manager.all()).pk})
    if "content_type_id" in route.pattern:
        provider_type = ContentType.objects.get_for_model(Provider)
        return Fill({"content_type_id": provider_type.pk, "object_id": _latest(Provider.objects.all()).pk})
    return Fill({"app_label": "catalogue", "url": "no-such-page/"})


def fill(route: Route, world: World, role: str) -> Fill:
    if route.pattern.startswith("admin/"):
        return _admin_fill(route)
    return FILLERS.get(route.pattern, lambda world, role: Fill({}))(world, role)


PARAMETER = re.compile(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>[^)]*\)|\{(\w+)\}")


def url_for(pattern: str, values: dict[str, object]) -> str:
    """Puts the values into a Django route, an admin regular expression or an OpenAPI path."""
    path = PARAMETER.sub(lambda m: str(values[m[1] or m[2] or m[3]]), pattern)
    return path if path.startswith("/") else "/" + path.lstrip("^").rstrip("$")


def test_every_pattern_with_parameters_can_be_filled() -> None:
    """A new page with a path parameter needs a filler here, or the crawl could not open it."""
    unfilled = [
        r.pattern
        for r in WEB_ROUTES
        if PARAMETER.search(r.pattern) and not r.pattern.startswith("admin/") and r.pattern not in FILLERS
    ]
    unfilled += [path for _m, path, _o in API_OPERATIONS if "{" in path and path not in API_FILLERS]
    assert unfilled == []


# ---------------------------------------------------------------- requests and expectations


def _client(world: World, role: str) -> Client:
    """A client in the role's session (logged in once for the module: thousands of requests share it)."""
    client = Client(raise_request_exception=False)
    if role in world.sessions:
        client.cookies[settings.SESSION_COOKIE_NAME] = world.sessions[role]
    return client


def _refused(response: HttpResponse) -> bool:
    """Refused without showing anything: a denial, or (anonymously) the way to the login."""
    if response.status_code in (401, 403, 404, 405):
        return True
    return response.status_code == 302 and "login/" in response.headers.get("Location", "")


def _once(route: Route) -> bool:
    return route.pattern.startswith("admin/") or route.pattern in UNCHANGED_BY_ACTIONS


def _cases(*, once: bool) -> Iterator[Any]:
    for role in ROLES:
        for route in WEB_ROUTES:
            if route.pattern in NOT_CRAWLED or _once(route) != once:
                continue
            defect = KNOWN_DEFECTS.get((role, route.pattern))
            marks = [pytest.mark.xfail(strict=True, reason=defect)] if defect else []
            yield pytest.param(role, route, id=f"{role}:{route.pattern}", marks=marks)


@pytest.mark.parametrize(("role", "route"), _cases(once=False))
def test_page(state: World, role: str, route: Route) -> None:
    """The pattern answers without a server error, and never with another user's object."""
    _check_page(state, role, route)


@pytest.mark.parametrize(("role", "route"), _cases(once=True))
def test_page_no_action_changes(world: World, role: str, route: Route) -> None:
    """The administration's pages (themes, topics, providers) and the static ones, on the demo data."""
    _check_page(world, role, route)


def _check_page(world: World, role: str, route: Route) -> None:
    client = _client(world, role)
    values = fill(route, world, role)
    url = url_for(route.pattern, values.own)
    response = client.get(url)
    assert response.status_code < 500, f"{role} GET {url} answered {response.status_code}"
    if role == ANONYMOUS and route.pattern not in PUBLIC:
        assert _refused(response), f"anonymous GET {url} answered {response.status_code}"
    if values.other is not None:
        other = url_for(route.pattern, values.other)
        response = client.get(other)
        if response.status_code == 405:
            response = client.post(other)
        assert _refused(response), f"{role} opened another user's {other}: {response.status_code}"


def _api_cases() -> Iterator[Any]:
    for role in ROLES:
        for method, path, operation in API_OPERATIONS:
            yield pytest.param(role, method, path, operation, id=f"{role}:{method} {path}")


def _call(client: Client, method: str, url: str, token: str, body: object) -> HttpResponse:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    if method == "GET":
        return client.get(url, headers=headers)
    return client.generic(
        method, url, data=json.dumps(body), content_type="application/json", headers=headers
    )


@pytest.mark.parametrize(("role", "method", "path", "operation"), _api_cases())
def test_api(state: World, role: str, method: str, path: str, operation: dict[str, Any]) -> None:
    """Each operation with the role's API token: no server error, another user's object refused.

    A POST carries an empty body (refused as invalid); with another user's object it carries a valid
    body, so that only the ownership check can refuse it.
    """
    client = Client(raise_request_exception=False)
    token = state.tokens.get(role, "")
    values = API_FILLERS.get(path, lambda world, role: Fill({}))(state, role)
    url = url_for(path, values.own)
    response = _call(client, method, url, token, {})
    assert response.status_code < 500, f"{role} {method} {url} answered {response.status_code}"
    if role == ANONYMOUS and operation.get("security"):
        assert response.status_code == 401, f"anonymous {method} {url} answered {response.status_code}"
    if values.other is not None:
        other = url_for(path, values.other)
        body = {"authorisation_ids": [_any_authorisation_id()]} if method == "POST" else {}
        response = _call(client, method, other, token, body)
        assert _refused(response), f"{role} {method} another user's {other}: {response.status_code}"


def _any_authorisation_id() -> str:
    found = Doctor.objects.order_by("pk").values_list("authorisation_id", flat=True).first()
    assert found is not None
    return found


# ---------------------------------------------------------------- following the links


class _Links(HTMLParser):
    """The targets of `<a href>` and of GET forms (a form without a method is a GET form)."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "a" and values.get("href"):
            self.found.append(values["href"] or "")
        if tag == "form" and (values.get("method") or "get").lower() == "get" and values.get("action"):
            self.found.append(values["action"] or "")


SKIPPED_LINKS = re.compile(r"^/(logout/|i18n/|demo-login/|admin/logout/|static/)")


def _same_host_links(html: str) -> list[str]:
    parser = _Links()
    parser.feed(html)
    links = []
    for link in parser.found:
        parts = urlsplit(link)
        if parts.scheme not in ("", "http", "https") or parts.netloc not in ("", "testserver"):
            continue
        if not parts.path.startswith("/") or SKIPPED_LINKS.match(parts.path):
            continue
        links.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return links


def _pattern_of(path: str) -> str:
    try:
        return str(resolve(path).route)
    except Resolver404:
        return path


@pytest.mark.parametrize("role", ROLES)
def test_links(state: World, role: str) -> None:
    """Breadth first from the front and home pages: every same-host link once. None answers 5xx, and
    none a refusal or a missing page: a page offers its reader only links the reader can follow."""
    client = _client(state, role)
    starts = ["/", "/home/"] if role != ANONYMOUS else ["/", "/catalogue/", "/stats/"]
    queue = [(url, "") for url in starts]
    seen = {urlsplit(url).path for url in starts}
    per_pattern: dict[str, int] = {}
    failures = []
    while queue:
        url, linked_from = queue.pop(0)
        response = client.get(url)
        if response.status_code >= 400:
            failures.append(f"{role} GET {url} (a link on {linked_from}) answered {response.status_code}")
            continue
        if "text/html" not in response.headers.get("Content-Type", ""):
            continue
        for link in _same_host_links(response.content.decode()):
            path = urlsplit(link).path
            pattern = _pattern_of(path)
            if path in seen or (role, pattern) in KNOWN_DEFECTS or per_pattern.get(pattern, 0) >= PER_PATTERN:
                continue
            seen.add(path)
            per_pattern[pattern] = per_pattern.get(pattern, 0) + 1
            queue.append((link, url))
    assert failures == []


def test_a_counsellor_sees_the_own_regions_list_only(world: World) -> None:
    client = _client(world, "counsellor")
    assert client.get("/stats/under-participation/?region=midtjylland").status_code == 200
    assert client.get("/stats/under-participation/?region=hovedstaden").status_code == 403

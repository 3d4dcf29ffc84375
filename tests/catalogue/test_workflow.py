"""The approval workflow tables and the services agree: every declared transition is reachable through its
service, every undeclared one is refused and leaves the activity as it was; the pages offer what the
tables allow."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.utils import timezone

from ajour.accounts.models import User
from ajour.catalogue import services
from ajour.catalogue.models import Activity, ApprovalAppeal
from ajour.catalogue.workflow import ACTIVITIES, APPROVAL_APPEALS
from tests.catalogue import factories as cf

pytestmark = pytest.mark.django_db

S = Activity.Status


def _user(role: str) -> User:
    found = User.objects.filter(role=role).first()
    if found is not None:
        return found
    return cf.consultant() if role == User.Role.CONSULTANT else cf.steering_member()


def _applicant(activity: Activity) -> User:
    assert activity.created_by is not None
    return activity.created_by


def _approve(activity: Activity, *, by_steering_group: bool = False) -> object:
    return services.approve_activity(
        activity=activity,
        decided_by=_user(User.Role.STEERING if by_steering_group else User.Role.CONSULTANT),
        approval=Activity.Approval.SELF_CHOSEN,
        scope=Activity.Scope.GENERAL,
        by_steering_group=by_steering_group,
    )


def _reject(activity: Activity, *, by_steering_group: bool = False) -> object:
    return services.reject_activity(
        activity=activity,
        decided_by=_user(User.Role.STEERING if by_steering_group else User.Role.CONSULTANT),
        reasons="For snævert.",
        by_steering_group=by_steering_group,
    )


def _change(activity: Activity, target: str) -> object:
    return services.change_approval(
        activity=activity,
        decided_by=_user(User.Role.STEERING),
        approval=Activity.Approval.NONE if target == S.REVOKED else Activity.Approval.SELF_CHOSEN,
        valid_from=timezone.localdate(),
        reasons="Styregruppens beslutning.",
    )


ACTIONS: dict[str, Callable[[Activity, str], object]] = {
    "edit": lambda activity, _target: services.update_activity(
        activity=activity,
        user=_applicant(activity),
        data=cf.activity_data(title="Nyt navn"),
    ),
    "submit": lambda activity, _target: services.submit_activity(
        activity=activity,
        user=_applicant(activity),
    ),
    "request_information": lambda activity, _target: services.request_information(
        activity=activity, consultant=_user(User.Role.CONSULTANT), question="Hvem betaler?"
    ),
    "answer": lambda activity, _target: services.answer_information(
        activity=activity,
        user=_applicant(activity),
        answer="Deltagerne.",
    ),
    "approve": lambda activity, _target: _approve(activity),
    "reject": lambda activity, _target: _reject(activity),
    "appeal": lambda activity, _target: services.file_appeal(
        activity=activity,
        user=_applicant(activity),
        reasons="Bredt relevant.",
    ),
    "overturn": lambda activity, _target: _approve(activity, by_steering_group=True),
    "uphold": lambda activity, _target: _reject(activity, by_steering_group=True),
    "change_approval": _change,
}


def _activity_in(status: str) -> Activity:
    """An application brought to `status` through the services, as users do."""
    activity = cf.draft()
    if status != S.DRAFT:
        services.submit_activity(activity=activity, user=_applicant(activity))
    if status == S.INFO_REQUESTED:
        ACTIONS["request_information"](activity, status)
    elif status in (S.APPROVED, S.REVOKED):
        _approve(activity)
    elif status in (S.REJECTED, S.APPEALED):
        _reject(activity)
    if status == S.APPEALED:
        ACTIONS["appeal"](activity, status)
    elif status == S.REVOKED:
        _change(activity, S.REVOKED)
    activity.refresh_from_db()
    assert activity.status == status
    return activity


def test_the_table_names_only_actions_the_services_take() -> None:
    assert {t.action for t in ACTIVITIES.transitions} == set(ACTIONS)


@pytest.mark.parametrize(
    ("action", "source", "target"),
    [(t.action, t.source, t.target) for t in ACTIVITIES.transitions],
    ids=[f"{t.action}:{t.source}->{t.target}" for t in ACTIVITIES.transitions],
)
def test_each_declared_transition_is_reachable_through_its_service(
    action: str, source: str, target: str
) -> None:
    activity = _activity_in(source)

    ACTIONS[action](activity, target)

    activity.refresh_from_db()
    assert activity.status == target


UNDECLARED = [
    (action, status) for action in ACTIONS for status in S.values if not ACTIVITIES.allows(action, status)
]


@pytest.mark.parametrize(("action", "status"), UNDECLARED, ids=[f"{a}:{s}" for a, s in UNDECLARED])
def test_each_undeclared_transition_is_refused(action: str, status: str) -> None:
    activity = _activity_in(status)
    before = (activity.title, activity.decisions.count(), activity.events.count())

    with pytest.raises(services.CatalogueError):
        ACTIONS[action](activity, S.APPROVED)

    activity.refresh_from_db()
    assert activity.status == status
    assert (activity.title, activity.decisions.count(), activity.events.count()) == before


@pytest.mark.parametrize("overturn", [True, False])
def test_an_approval_appeal_is_decided_once(overturn: bool) -> None:
    assert APPROVAL_APPEALS.actions(ApprovalAppeal.Outcome.PENDING, User.Role.STEERING) == {"decide"}
    activity = _activity_in(S.APPEALED)
    appeal = activity.appeals.get()
    steering = _user(User.Role.STEERING)

    services.decide_appeal(appeal=appeal, decided_by=steering, overturn=overturn, reasons="Afgjort.")

    appeal.refresh_from_db()
    assert appeal.outcome == (
        ApprovalAppeal.Outcome.OVERTURNED if overturn else ApprovalAppeal.Outcome.UPHELD
    )
    for again in (True, False):
        with pytest.raises(services.CatalogueError):
            services.decide_appeal(appeal=appeal, decided_by=steering, overturn=again, reasons="Igen.")


def _page(user: User, url: str) -> str:
    client = Client()
    client.force_login(user)
    return client.get(url).content.decode()


def test_the_pages_offer_what_the_table_allows() -> None:
    draft, rejected, approved = _activity_in(S.DRAFT), _activity_in(S.REJECTED), _activity_in(S.APPROVED)
    draft_page = _page(_applicant(draft), f"/catalogue/applications/{draft.pk}/")
    assert f"/catalogue/applications/{draft.pk}/submit/" in draft_page
    rejected_page = _page(_applicant(rejected), f"/catalogue/applications/{rejected.pk}/")
    assert f"/catalogue/applications/{rejected.pk}/appeal/" in rejected_page
    approved_page = _page(_applicant(approved), f"/catalogue/applications/{approved.pk}/")
    assert "/appeal/" not in approved_page and "/edit/" not in approved_page
    consultant, steering = _user(User.Role.CONSULTANT), _user(User.Role.STEERING)
    assert 'name="action"' in _page(consultant, f"/catalogue/review/{_activity_in(S.SUBMITTED).pk}/")
    assert 'name="action"' not in _page(consultant, f"/catalogue/review/{approved.pk}/")
    assert 'name="valid_from"' in _page(steering, f"/catalogue/review/{approved.pk}/change/")
    assert 'name="valid_from"' not in _page(steering, f"/catalogue/review/{rejected.pk}/change/")

"""Every page of the approval-appeal flow as the steering group, for a provider's and a GP's application."""

from __future__ import annotations

import pytest
from django.test import Client

from ajour.accounts.models import User
from ajour.catalogue import services
from ajour.catalogue.models import Activity, ApprovalAppeal
from tests import factories
from tests.catalogue import factories as cf

pytestmark = pytest.mark.django_db


def logged_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _appealed(applicant: str, title: str = "Astma for viderekomne") -> tuple[Activity, ApprovalAppeal, str]:
    """A rejected application appealed by its applicant; returns it with the name the lists show."""
    if applicant == "provider":
        activity = cf.submitted(title=title)
        name = activity.provider.name if activity.provider else ""
    else:
        gp = factories.doctor(first_name="Grethe")
        user = cf.gp_user(gp)
        activity = services.create_activity(
            user=user,
            data=cf.activity_data(title=title, justification="Mange patienter med astma."),
            instances=[cf.instance_data()],
            applicant_doctor=gp,
        )
        services.submit_activity(activity=activity, user=user)
        name = gp.full_name
    services.reject_activity(activity=activity, decided_by=cf.consultant(), reasons="For snævert.")
    appeal = services.file_appeal(activity=activity, user=activity.created_by, reasons="Bredt relevant.")
    return activity, appeal, name


@pytest.mark.parametrize("applicant", ["provider", "gp"])
def test_the_steering_group_lists_opens_and_decides_an_approval_appeal(applicant: str) -> None:
    activity, appeal, name = _appealed(applicant)
    _other, _later, other_name = _appealed("provider", title="KOL i praksis")  # still waiting afterwards
    steering = logged_in(cf.steering_member())

    home = steering.get("/home/")
    assert home.status_code == 200 and f"/catalogue/appeals/{appeal.pk}/" in home.content.decode()
    listing = steering.get("/catalogue/appeals/")
    assert listing.status_code == 200
    assert "Astma for viderekomne" in listing.content.decode() and name in listing.content.decode()
    page = steering.get(f"/catalogue/appeals/{appeal.pk}/")
    assert page.status_code == 200 and "Bredt relevant." in page.content.decode()
    unfinished = steering.post(f"/catalogue/appeals/{appeal.pk}/", {"outcome": "overturn", "reasons": ""})
    assert unfinished.status_code == 400 and "errorlist" in unfinished.content.decode()

    decided = steering.post(
        f"/catalogue/appeals/{appeal.pk}/",
        {"outcome": "overturn", "approval": "self_chosen", "reasons": "Relevant for mange."},
        follow=True,
    )

    assert decided.status_code == 200
    assert decided.redirect_chain == [("/catalogue/appeals/", 302)]
    body = decided.content.decode()
    assert "Afgørelsen er registreret" in body and "Intet blev gemt" not in body
    assert "KOL i praksis" in body and other_name in body and "Astma for viderekomne" not in body
    activity.refresh_from_db()
    assert activity.status == Activity.Status.APPROVED
    after = steering.get(f"/catalogue/appeals/{appeal.pk}/").content.decode()
    assert "Relevant for mange." in after and "<form" not in after.split("<main", 1)[-1]
    assert steering.get(f"/catalogue/review/{activity.pk}/change/").status_code == 200


def test_an_upheld_rejection_is_recorded_and_listed_no_more() -> None:
    activity, appeal, _name = _appealed("provider")
    steering = logged_in(cf.steering_member())
    decided = steering.post(
        f"/catalogue/appeals/{appeal.pk}/",
        {"outcome": "uphold", "reasons": "Stadig for snævert."},
        follow=True,
    )
    assert decided.status_code == 200 and "Afgørelsen er registreret" in decided.content.decode()
    activity.refresh_from_db()
    assert activity.status == Activity.Status.REJECTED
    assert "Astma for viderekomne" not in steering.get("/catalogue/appeals/").content.decode()


def test_other_roles_are_told_why_they_cannot_decide_approval_appeals() -> None:
    _activity, appeal, _name = _appealed("provider")
    consultant = logged_in(cf.consultant())
    refused = consultant.get("/catalogue/appeals/")
    assert refused.status_code == 403
    assert "Kun styregruppen afgør klager og tilbagetrækninger." in refused.content.decode()
    assert consultant.get(f"/catalogue/appeals/{appeal.pk}/").status_code == 404

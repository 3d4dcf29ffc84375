"""Who may claim a run: only runs of an approved activity; a DGE group's own meetings only its members, an
individual approval only its GP.

Every path that takes a run id (claim form, live quote, submit, the API, the search and the ready-to-claim
list) answers an outsider as if the run did not exist."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client

from ajour.accounts.models import Doctor, User
from ajour.accounts.services import create_api_token
from ajour.catalogue import services as catalogue
from ajour.catalogue.models import Activity, ActivityInstance, Attendance
from ajour.claims import services
from ajour.claims.models import Claim
from ajour.claims.payload import ClaimInputError
from ajour.claims.selectors import claimable_attendances
from tests import factories
from tests.catalogue import factories as cf
from tests.claims import factories as f

pytestmark = pytest.mark.django_db


def _logged_in(doctor: Doctor) -> Client:
    client = Client()
    client.force_login(f.login_of(doctor))
    return client


def _group_meeting(member: Doctor) -> ActivityInstance:
    return f.group_meeting(days=[f.recent_weekday()], members=[member], title="Gruppemøde om KOL")


def _individual_approval(applicant: Doctor) -> ActivityInstance:
    instance = f.activity(days=[f.recent_weekday()], title="Ultralyd i praksis")
    Activity.objects.filter(pk=instance.activity_id).update(
        scope=Activity.Scope.INDIVIDUAL, applicant_doctor=applicant
    )
    return instance


@pytest.fixture
def owner_outsider_and_runs():  # type: ignore[no-untyped-def]
    owner = f.gp(year=date.today().year)
    outsider = f.gp(year=date.today().year)
    return owner, outsider, [_group_meeting(owner), _individual_approval(owner)]


def _form(instance: ActivityInstance, action: str = "submit") -> dict[str, object]:
    return {
        "days": [instance.starts_on.isoformat()],
        "account": "auto",
        "payee": "private_account",
        "action": action,
    }


def test_an_outsider_gets_the_404_of_a_missing_run_on_every_page(owner_outsider_and_runs) -> None:  # type: ignore[no-untyped-def]
    _owner, outsider, runs = owner_outsider_and_runs
    client = _logged_in(outsider)
    for instance in runs:
        url = f"/claims/new/{instance.pk}/"
        assert client.get(url).status_code == 404
        assert client.post(url, _form(instance, "calculate")).status_code == 404
        assert client.post(url, _form(instance)).status_code == 404
        assert client.post(f"{url}quote/", _form(instance), HTTP_HX_REQUEST="true").status_code == 404
    assert Claim.objects.count() == 0


def test_the_member_and_the_applicant_claim_through_the_form(owner_outsider_and_runs) -> None:  # type: ignore[no-untyped-def]
    owner, _outsider, runs = owner_outsider_and_runs
    client = _logged_in(owner)
    for instance in runs:
        url = f"/claims/new/{instance.pk}/"
        assert client.get(url).status_code == 200
        assert client.post(f"{url}quote/", _form(instance), HTTP_HX_REQUEST="true").status_code == 200
        assert client.post(url, _form(instance)).status_code == 302
    assert Claim.objects.filter(claimant=owner).count() == 2


def test_the_api_answers_an_outsider_as_for_an_unknown_run(owner_outsider_and_runs) -> None:  # type: ignore[no-untyped-def]
    owner, outsider, runs = owner_outsider_and_runs
    token = create_api_token(user=f.login_of(outsider), name="Clinic system")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    unknown = client.post(
        "/api/v1/claims", {"instance_id": 999_999}, content_type="application/json", HTTP_IDEMPOTENCY_KEY="u"
    )
    for n, instance in enumerate(runs):
        response = client.post(
            "/api/v1/claims",
            {"instance_id": instance.pk},
            content_type="application/json",
            HTTP_IDEMPOTENCY_KEY=f"k{n}",
        )
        assert response.status_code == 400
        assert response.json() == unknown.json()
    assert Claim.objects.count() == 0
    own_token = create_api_token(user=f.login_of(owner), name="Clinic system")
    own = Client(HTTP_AUTHORIZATION=f"Bearer {own_token}").post(
        "/api/v1/claims",
        {"instance_id": runs[0].pk},
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="m",
    )
    assert own.status_code == 201, own.content


def test_the_service_refuses_an_outsider_and_writes_nothing(owner_outsider_and_runs) -> None:  # type: ignore[no-untyped-def]
    _owner, outsider, runs = owner_outsider_and_runs
    for instance in runs:
        with pytest.raises(ClaimInputError) as error:
            services.submit_claim(
                claimant=outsider, request=f.request_for(instance), filed_on=date.today(), by=None
            )
        assert error.value.field == "instance_id"
        with pytest.raises(ClaimInputError):
            services.quote(claimant=outsider, request=f.request_for(instance), filed_on=date.today())
    assert Claim.objects.count() == 0


def test_search_offers_an_individual_approval_only_to_its_gp(owner_outsider_and_runs) -> None:  # type: ignore[no-untyped-def]
    owner, outsider, _runs = owner_outsider_and_runs
    assert "Ultralyd i praksis" in _logged_in(owner).get("/claims/new/", {"q": "Ultralyd"}).content.decode()
    assert (
        "Ultralyd i praksis"
        not in _logged_in(outsider).get("/claims/new/", {"q": "Ultralyd"}).content.decode()
    )


def test_ready_to_claim_lists_only_runs_the_gp_may_claim(owner_outsider_and_runs) -> None:  # type: ignore[no-untyped-def]
    owner, outsider, runs = owner_outsider_and_runs
    for instance in runs:
        Attendance.objects.create(instance=instance, doctor=owner)
        Attendance.objects.create(instance=instance, doctor=outsider)

    assert {a.instance for a in claimable_attendances(doctor=owner)} == set(runs)
    assert list(claimable_attendances(doctor=outsider)) == []


def test_a_clinic_login_claims_as_its_owner_and_gets_the_same_404() -> None:
    owner = f.gp(year=date.today().year)
    outsider = f.gp(year=date.today().year)
    meeting = _group_meeting(owner)
    clinic = factories.user(role=User.Role.CLINIC, practice=outsider.practice)
    client = Client()
    client.force_login(clinic)
    assert client.get(f"/claims/new/{meeting.pk}/").status_code == 404


def _unapproved_runs() -> dict[str, ActivityInstance]:
    """Runs of another provider's applications that were never approved, one in each such status."""
    draft = cf.draft(title="Kladde om hovedpine")
    submitted = cf.submitted(title="Indsendt om søvn")
    rejected = cf.submitted(title="Afvist om kosttilskud")
    catalogue.reject_activity(activity=rejected, decided_by=cf.consultant(), reasons="Industrien planlægger.")
    runs = ActivityInstance.objects.select_related("activity").filter(
        activity__in=[draft, submitted, rejected]
    )
    return {run.activity.status: run for run in runs}


def test_a_run_of_an_application_never_approved_is_not_there_for_any_gp() -> None:
    runs = _unapproved_runs()
    assert set(runs) == {Activity.Status.DRAFT, Activity.Status.SUBMITTED, Activity.Status.REJECTED}
    gp = f.gp(year=date.today().year)
    client = _logged_in(gp)
    token = create_api_token(user=f.login_of(gp), name="Clinic system")
    api = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    unknown = api.post(
        "/api/v1/claims", {"instance_id": 999_999}, content_type="application/json", HTTP_IDEMPOTENCY_KEY="u"
    )
    for status, instance in runs.items():
        url = f"/claims/new/{instance.pk}/"
        page = client.get(url)
        assert page.status_code == 404, status
        assert instance.activity.title not in page.content.decode()
        assert client.post(url, _form(instance, "calculate")).status_code == 404
        assert client.post(url, _form(instance)).status_code == 404
        assert client.post(f"{url}quote/", _form(instance), HTTP_HX_REQUEST="true").status_code == 404
        response = api.post(
            "/api/v1/claims",
            {"instance_id": instance.pk},
            content_type="application/json",
            HTTP_IDEMPOTENCY_KEY=f"k-{status}",
        )
        assert response.status_code == 400 and response.json() == unknown.json()
        with pytest.raises(ClaimInputError):
            services.submit_claim(
                claimant=gp, request=f.request_for(instance), filed_on=date.today(), by=None
            )
    assert Claim.objects.count() == 0


def test_a_run_held_while_the_approval_was_in_force_is_still_claimed_after_a_withdrawal() -> None:
    gp = f.gp(year=date.today().year)
    held = f.recent_weekday()
    instance = f.activity(days=[held], title="Trukket tilbage senere")
    f.approval_change(instance, approval=Activity.Approval.NONE, valid_from=date.today())
    instance.activity.refresh_from_db()
    assert instance.activity.status == Activity.Status.REVOKED

    assert _logged_in(gp).get(f"/claims/new/{instance.pk}/").status_code == 200

"""One live claim per claimant and run: a second claim for a run is refused (service, form, API), the
database holds the line too, and a rejected claim leaves the run free to claim again."""

from __future__ import annotations

from datetime import date
from unittest import mock

import pytest
from django.test import Client

from ajour.accounts.models import LedgerEntry, User
from ajour.accounts.selectors import doctor_balances
from ajour.accounts.services import allocate_year, create_api_token
from ajour.catalogue.models import Activity, Attendance
from ajour.claims import services
from ajour.claims.models import Claim, ControlPolicy
from ajour.claims.selectors import claimable_attendances
from tests import factories
from tests.claims import factories as f

pytestmark = pytest.mark.django_db

FILED = date(2025, 3, 10)


def _submit(gp, instance, **overrides):  # type: ignore[no-untyped-def]
    return services.submit_claim(
        claimant=gp, request=f.request_for(instance, **overrides), filed_on=FILED, by=None
    ).claim


def test_a_second_claim_for_the_same_run_is_refused_and_books_nothing() -> None:
    gp = f.gp(year=2025)
    instance = f.activity(days=[date(2025, 3, 6)])
    first = _submit(gp, instance)

    with pytest.raises(services.DuplicateClaim) as refused:
        _submit(gp, instance, course_fee_ore=100_000)

    assert refused.value.existing == first
    assert "allerede søgt om tilskud til denne aktivitet" in str(refused.value)
    assert Claim.objects.count() == 1
    assert doctor_balances(doctor=gp).self_chosen_ore == 2_140_000 - first.payable_ore


def test_the_database_refuses_a_second_live_claim_when_the_check_is_bypassed() -> None:
    gp = f.gp(year=2025)
    instance = f.activity(days=[date(2025, 3, 6)])
    first = _submit(gp, instance)

    lookup = services.live_claim_for_run
    misses = [None]  # the check under the lock misses once, as when two submissions race

    def racing_lookup(**run: int | None) -> Claim | None:
        return misses.pop() if misses else lookup(**run)  # type: ignore[arg-type]

    with mock.patch.object(services, "live_claim_for_run", side_effect=racing_lookup):
        with pytest.raises(services.DuplicateClaim) as refused:
            _submit(gp, instance)

    assert refused.value.existing == first
    assert Claim.objects.count() == 1
    assert LedgerEntry.objects.filter(claim__isnull=False).count() == 1


def test_a_claim_the_rules_reject_leaves_the_run_free_and_counts_as_rejected() -> None:
    gp = f.gp(year=2025)
    instance = f.activity(days=[date(2025, 3, 6)])
    f.approval_change(instance, approval=Activity.Approval.NONE, valid_from=date(2025, 3, 1))
    rejected = _submit(gp, instance)
    f.approval_change(instance, approval=Activity.Approval.SELF_CHOSEN, valid_from=date(2025, 3, 1))

    second = _submit(gp, instance)

    assert rejected.outcome == "rejected" and rejected.status == Claim.Status.REJECTED
    assert second.outcome == "approved" and second.status != Claim.Status.REJECTED


def test_a_claim_rejected_by_a_caseworker_leaves_the_run_free() -> None:
    gp = f.gp(year=2025)
    instance = f.activity(days=[date(2025, 3, 6)])
    caseworker = factories.user(role=User.Role.CASEWORKER)
    services.reject_claim(claim=_submit(gp, instance), reason="Deltog ikke", by=caseworker)

    again = _submit(gp, instance)

    assert again.payable_ore == 400_000
    assert Claim.objects.filter(claimant=gp).count() == 2


def test_each_staff_member_may_claim_a_run_once_and_the_owner_separately() -> None:
    gp = f.gp(year=2025)
    practice = gp.practice
    assert practice is not None
    # the yearly run has allocated the clinic's staff account
    nurse, secretary = f.staff_member(practice), f.staff_member(practice, profession="medical_secretary")
    instance = f.activity(days=[date(2025, 3, 6)], form=Activity.Form.COURSE)

    _submit(gp, instance, staff_member=nurse)
    _submit(gp, instance, staff_member=secretary)
    _submit(gp, instance)
    with pytest.raises(services.DuplicateClaim):
        _submit(gp, instance, staff_member=nurse)

    assert Claim.objects.filter(instance=instance).count() == 3


def test_an_appeal_cannot_revive_a_rejected_claim_beside_a_live_one() -> None:
    gp = f.gp(year=2025)
    instance = f.activity(days=[date(2025, 3, 6)])
    f.approval_change(instance, approval=Activity.Approval.NONE, valid_from=date(2025, 3, 1))
    rejected = _submit(gp, instance)
    f.approval_change(instance, approval=Activity.Approval.SELF_CHOSEN, valid_from=date(2025, 3, 1))
    live = _submit(gp, instance)
    login = f.login_of(gp)

    with pytest.raises(services.DuplicateClaim) as refused:
        services.file_appeal(claim=rejected, text="Kurset var godkendt den dag.", by=login)

    assert refused.value.existing == live
    rejected.refresh_from_db()
    assert rejected.status == Claim.Status.REJECTED and not rejected.appeals.exists()
    caseworker = factories.user(role=User.Role.CASEWORKER)
    with pytest.raises(services.DuplicateClaim):
        services.adjust_claim(claim=rejected, payable_ore=100_000, reason="Godkendt alligevel", by=caseworker)


def test_a_pending_appeal_holds_the_run_until_it_is_dismissed() -> None:
    gp = f.gp(year=2025)
    instance = f.activity(days=[date(2025, 3, 6)])
    f.approval_change(instance, approval=Activity.Approval.NONE, valid_from=date(2025, 3, 1))
    rejected = _submit(gp, instance)
    appeal = services.file_appeal(claim=rejected, text="Kurset var godkendt den dag.", by=f.login_of(gp))
    f.approval_change(instance, approval=Activity.Approval.SELF_CHOSEN, valid_from=date(2025, 3, 1))

    with pytest.raises(services.DuplicateClaim):
        _submit(gp, instance)
    steering = factories.user(role=User.Role.STEERING)
    services.decide_appeal(appeal=appeal, upheld=False, payable_ore=None, text="Ikke godkendt", by=steering)

    assert _submit(gp, instance).outcome == "approved"


def test_a_live_claim_takes_the_run_off_the_ready_to_claim_list_and_a_rejected_one_does_not() -> None:
    gp = f.gp(year=2025)
    instance = f.activity(days=[date(2025, 3, 6)])
    Attendance.objects.create(instance=instance, doctor=gp)
    claim = _submit(gp, instance)
    assert list(claimable_attendances(doctor=gp)) == []

    services.reject_claim(claim=claim, reason="Deltog ikke", by=factories.user(role=User.Role.CASEWORKER))

    assert [a.instance for a in claimable_attendances(doctor=gp)] == [instance]


# --- the API ------------------------------------------------------------------------------------------


def _api_client(gp) -> Client:  # type: ignore[no-untyped-def]
    token = create_api_token(user=f.login_of(gp), name="Clinic system")
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}")


def test_the_api_answers_409_for_a_second_claim_and_still_replays_a_retry() -> None:
    gp = f.gp(year=date.today().year)
    instance = f.activity(days=[f.weekdays(date(date.today().year, 1, 5), 1)[0]])
    client = _api_client(gp)
    body = {"instance_id": instance.pk}

    first = client.post("/api/v1/claims", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="a")
    again = [
        client.post("/api/v1/claims", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY=f"b{n}")
        for n in range(3)
    ]
    retry = client.post("/api/v1/claims", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="a")

    assert first.status_code == 201, first.content
    for response in again:
        assert response.status_code == 409
        error = response.json()
        assert error["error"] == "duplicate_claim" and error["field"] == "instance_id"
        assert first.json()["id"] in error["message"] and "already" in error["message"]
    assert retry.status_code == 200 and retry.json()["id"] == first.json()["id"]
    assert Claim.objects.count() == 1


def test_openapi_describes_the_409_for_a_second_claim() -> None:
    responses = Client().get("/api/openapi.json").json()["paths"]["/api/v1/claims"]["post"]["responses"]
    assert "already" in responses["409"]["description"]


# --- the web form ----------------------------------------------------------------------------------------


@pytest.fixture
def gp_client_and_course():  # type: ignore[no-untyped-def]
    gp = f.gp(year=date.today().year)
    instance = f.activity(days=[f.recent_weekday()], title="Astma og KOL")
    ControlPolicy.objects.create(
        year=date.today().year, share_basis_points=0, always_above_ore=10**12, seed="s"
    )
    client = Client()
    client.force_login(f.login_of(gp))
    return gp, client, instance


def _submit_form(client: Client, instance) -> object:  # type: ignore[no-untyped-def]
    return client.post(
        f"/claims/new/{instance.pk}/",
        {
            "days": [instance.starts_on.isoformat()],
            "account": "auto",
            "payee": "private_account",
            "action": "submit",
        },
    )


def test_a_double_click_files_one_claim_and_lands_on_it(gp_client_and_course) -> None:  # type: ignore[no-untyped-def]
    gp, client, instance = gp_client_and_course
    first = _submit_form(client, instance)
    second = _submit_form(client, instance)

    claim = Claim.objects.get()
    assert first.url == second.url == f"/claims/{claim.public_id}/"
    page = client.get(second.url).content.decode()
    assert "allerede søgt om tilskud til denne aktivitet" in page
    assert doctor_balances(doctor=gp).self_chosen_ore == 2_140_000 - claim.payable_ore


def test_the_form_and_the_search_point_to_the_existing_claim(gp_client_and_course) -> None:  # type: ignore[no-untyped-def]
    _gp, client, instance = gp_client_and_course
    _submit_form(client, instance)
    claim = Claim.objects.get()
    link = f'href="/claims/{claim.public_id}/"'

    form = client.get(f"/claims/new/{instance.pk}/").content.decode()
    found = client.get("/claims/new/", {"q": "astma"}).content.decode()

    assert link in form and "Du har allerede søgt om tilskud til denne aktivitet" in form
    assert link in found and "Allerede søgt" in found


# --- the caseworker's queue --------------------------------------------------------------------------------


def test_the_queue_flags_and_filters_a_claimants_claims_on_the_same_day() -> None:
    ControlPolicy.objects.create(year=2025, share_basis_points=0, always_above_ore=10**12, seed="s")
    gp = f.gp(year=2025)
    day = date(2025, 3, 6)
    morning = f.activity(days=[day], title="Astma om formiddagen")
    evening = f.activity(days=[day], title="KOL om aftenen")
    elsewhere = f.activity(days=[date(2025, 3, 7)], title="Diabetes dagen efter")
    first, second = _submit(gp, morning), _submit(gp, evening)
    _submit(gp, elsewhere)
    other = f.gp(year=2025)
    same_day_for_another_gp = f.activity(days=[day])
    _submit(other, same_day_for_another_gp)
    client = Client()
    client.force_login(factories.user(role=User.Role.CASEWORKER))

    flagged = client.get("/claims/queue/", {"status": "decided"}).content.decode()
    only = client.get("/claims/queue/", {"overlap": "1"}).content.decode()

    assert flagged.count("Samme dag som en anden ansøgning") == 2
    assert (
        f'href="/claims/{second.public_id}/"' in flagged and f'href="/claims/{first.public_id}/"' in flagged
    )
    assert str(morning.activity.number) in only and str(evening.activity.number) in only
    assert str(elsewhere.activity.number) not in only
    assert str(same_day_for_another_gp.activity.number) not in only and other.full_name not in only


def test_a_clinic_resubmitting_for_a_staff_member_lands_on_that_claim() -> None:
    gp = f.gp(year=date.today().year)
    practice = gp.practice
    assert practice is not None
    nurse, secretary = f.staff_member(practice), f.staff_member(practice, profession="medical_secretary")
    allocate_year(year=date.today().year)
    ControlPolicy.objects.create(
        year=date.today().year, share_basis_points=0, always_above_ore=10**12, seed="s"
    )
    instance = f.activity(days=[f.recent_weekday()])
    client = Client()
    client.force_login(factories.user(role=User.Role.CLINIC, practice=practice))
    url = f"/claims/new/{instance.pk}/"
    form = {"days": [instance.starts_on.isoformat()], "staff_member": nurse.pk, "action": "submit"}

    first, again = client.post(url, form), client.post(url, form)
    client.post(url, {**form, "staff_member": secretary.pk})

    nurse_claim = Claim.objects.get(staff_member=nurse)
    assert first.url == again.url == f"/claims/{nurse_claim.public_id}/"
    assert Claim.objects.filter(instance=instance).count() == 2
    page = client.get(url).content.decode()
    assert "for disse medarbejdere" in page
    assert nurse.name in page and f'href="/claims/{nurse_claim.public_id}/"' in page

"""The claim pages through the Django test client: find, quote (with and without htmx), submit, follow."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from ajour.accounts.models import User
from ajour.accounts.selectors import doctor_balances
from ajour.claims import services
from ajour.claims.models import Appeal, Claim, ControlPolicy, PayoutBatch
from tests import factories, pdfs
from tests.claims import factories as f
from tests.conftest import RulesParameters

pytestmark = pytest.mark.django_db


def _logged_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def gp_and_course():  # type: ignore[no-untyped-def]
    gp = f.gp(year=date.today().year)
    instance = f.activity(days=[f.recent_weekday()], title="Astma og KOL")
    ControlPolicy.objects.create(
        year=date.today().year, share_basis_points=0, always_above_ore=10**12, seed="s"
    )
    return gp, instance


def test_find_offers_runs_as_far_back_as_the_filing_deadline(rules_parameters: RulesParameters) -> None:
    gp = f.gp(year=date.today().year)
    old = f.activity(days=[date(date.today().year - 2, 3, 6)], title="Gammelt kursus om gigt")
    client = _logged_in(f.login_of(gp))
    assert "Gammelt kursus om gigt" not in client.get("/claims/new/", {"q": "gigt"}).content.decode()

    rules_parameters({"claim.filing_deadline_years": 2})

    assert old.activity.title in client.get("/claims/new/", {"q": "gigt"}).content.decode()


def test_find_by_number_title_and_date(gp_and_course) -> None:  # type: ignore[no-untyped-def]
    gp, instance = gp_and_course
    client = _logged_in(f.login_of(gp))
    assert "Astma og KOL" in client.get("/claims/new/", {"q": instance.activity.number}).content.decode()
    assert "Astma og KOL" in client.get("/claims/new/", {"q": "astma"}).content.decode()
    assert (
        "Astma og KOL" in client.get("/claims/new/", {"on": instance.starts_on.isoformat()}).content.decode()
    )
    bad = client.get("/claims/new/", {"on": "31-02-2025"})
    assert (
        bad.status_code == 400
        and "ÅÅÅÅ-MM-DD" in bad.content.decode()
        or "YYYY-MM-DD" in bad.content.decode()
    )


def test_group_meetings_are_offered_only_to_the_groups_members(gp_and_course) -> None:  # type: ignore[no-untyped-def]
    gp, _instance = gp_and_course
    outsider = f.gp(year=date.today().year)
    f.group_meeting(days=[f.recent_weekday()], members=[gp], title="Gruppemøde om KOL")
    assert (
        "Gruppemøde om KOL" in _logged_in(f.login_of(gp)).get("/claims/new/", {"q": "KOL"}).content.decode()
    )
    found_by_outsider = _logged_in(f.login_of(outsider)).get("/claims/new/", {"q": "KOL"}).content.decode()
    assert "Gruppemøde om KOL" not in found_by_outsider
    assert "Astma og KOL" in found_by_outsider


def test_calculate_without_js_then_submit_and_balance_drops(gp_and_course) -> None:  # type: ignore[no-untyped-def]
    gp, instance = gp_and_course
    client = _logged_in(f.login_of(gp))
    url = f"/claims/new/{instance.pk}/"
    form = {
        "days": [instance.starts_on.isoformat()],
        "course_fee": "1.500,00",
        "transport": "300",
        "account": "auto",
        "payee": "private_account",
    }
    page = client.get(url)
    assert page.status_code == 200 and "checked" in page.content.decode()

    calculated = client.post(url, {**form, "action": "calculate"})
    assert calculated.status_code == 200
    assert "5.800,00" in calculated.content.decode()  # 4,000 fee + 1,500 course fee + 300 transport
    assert Claim.objects.count() == 0

    partial = client.post(f"{url}quote/", form, HTTP_HX_REQUEST="true")
    assert partial.status_code == 200 and "R-FEE-SV" in partial.content.decode()
    assert "<html" not in partial.content.decode()

    submitted = client.post(url, {**form, "action": "submit"})
    claim = Claim.objects.get()
    assert submitted.status_code == 302 and submitted.url == f"/claims/{claim.public_id}/"
    assert doctor_balances(doctor=gp).self_chosen_ore == 2_140_000 - 580_000
    detail = client.get(submitted.url).content.decode()
    assert "Ansøgning indsendt og afgjort" in detail


def test_bad_amount_gets_a_message_and_writes_nothing(gp_and_course) -> None:  # type: ignore[no-untyped-def]
    gp, instance = gp_and_course
    client = _logged_in(f.login_of(gp))
    response = client.post(
        f"/claims/new/{instance.pk}/",
        {
            "days": [instance.starts_on.isoformat()],
            "course_fee": "-5",
            "account": "auto",
            "payee": "private_account",
            "action": "submit",
        },
    )
    assert response.status_code == 400
    assert "error" in response.content.decode()
    assert Claim.objects.count() == 0


def test_other_users_cannot_see_a_claim(gp_and_course) -> None:  # type: ignore[no-untyped-def]
    gp, instance = gp_and_course
    _logged_in(f.login_of(gp)).post(
        f"/claims/new/{instance.pk}/",
        {
            "days": [instance.starts_on.isoformat()],
            "account": "auto",
            "payee": "private_account",
            "action": "submit",
        },
    )
    claim = Claim.objects.get()
    stranger = f.gp(year=date.today().year)
    assert _logged_in(f.login_of(stranger)).get(f"/claims/{claim.public_id}/").status_code == 404
    caseworker = factories.user(role=User.Role.CASEWORKER)
    assert _logged_in(caseworker).get(f"/claims/{claim.public_id}/").status_code == 200


def test_sample_control_receipt_review_and_appeal_pages() -> None:
    gp = f.gp(year=date.today().year)
    instance = f.activity(days=[f.recent_weekday()])
    ControlPolicy.objects.create(year=date.today().year, share_basis_points=10_000, seed="s")
    client = _logged_in(f.login_of(gp))
    client.post(
        f"/claims/new/{instance.pk}/",
        {
            "days": [instance.starts_on.isoformat()],
            "account": "auto",
            "payee": "private_account",
            "action": "submit",
        },
    )
    claim = Claim.objects.get()
    assert claim.status == Claim.Status.CONTROL_REQUESTED

    client.post(
        f"/claims/{claim.public_id}/receipts/",
        {"file": SimpleUploadedFile("k.png", b"\x89PNG\r\n\x1a\nxxxx")},
    )
    receipt = claim.receipts.get()
    assert client.get(f"/claims/{claim.public_id}/receipts/{receipt.pk}/").status_code == 200
    stranger = _logged_in(f.login_of(f.gp(year=date.today().year)))
    assert stranger.get(f"/claims/{claim.public_id}/receipts/{receipt.pk}/").status_code == 404

    caseworker = _logged_in(factories.user(role=User.Role.CASEWORKER))
    assert (
        "Astma" in caseworker.get("/claims/queue/").content.decode()
        or caseworker.get("/claims/queue/").status_code == 200
    )
    caseworker.post(
        f"/claims/{claim.public_id}/review/", {"action": "adjust", "amount": "3000", "reason": "Kvittering"}
    )
    claim.refresh_from_db()
    assert claim.status == Claim.Status.ADJUSTED and claim.payable_ore == 300_000

    client.post(f"/claims/{claim.public_id}/appeal/", {"text": "Jeg deltog hele dagen og har kvittering."})
    appeal = Appeal.objects.get()
    steering = _logged_in(factories.user(role=User.Role.STEERING))
    assert steering.get("/claims/appeals/").status_code == 200
    steering.post(
        f"/claims/appeals/{appeal.pk}/decide/",
        {"outcome": "upheld", "amount": "4000", "text": "Fuld dag dokumenteret"},
    )
    claim.refresh_from_db()
    assert claim.payable_ore == 400_000 and claim.status == Claim.Status.APPROVED
    assert doctor_balances(doctor=gp).self_chosen_ore == 2_140_000 - 400_000


def test_caseworker_runs_payouts_from_the_page() -> None:
    gp = f.gp(year=date.today().year)
    instance = f.activity(days=[f.recent_weekday()])
    ControlPolicy.objects.create(
        year=date.today().year, share_basis_points=0, always_above_ore=10**12, seed="s"
    )
    _logged_in(f.login_of(gp)).post(
        f"/claims/new/{instance.pk}/",
        {
            "days": [instance.starts_on.isoformat()],
            "account": "auto",
            "payee": "private_account",
            "action": "submit",
        },
    )
    caseworker = _logged_in(factories.user(role=User.Role.CASEWORKER))
    today = date.today().isoformat()
    assert caseworker.post("/claims/payouts/", {"date": today}).status_code == 302
    xml = caseworker.get(f"/claims/payouts/{today}/xml/")
    assert xml.status_code == 200 and b"pain.001.001.09" in xml.content
    assert _logged_in(f.login_of(gp)).get("/claims/payouts/").status_code == 403


def test_clinic_claims_for_a_staff_member() -> None:
    gp = f.gp(year=date.today().year)
    practice = gp.practice
    nurse = f.staff_member(practice)
    from ajour.accounts.services import allocate_year

    allocate_year(year=date.today().year)
    clinic = factories.user(role=User.Role.CLINIC, practice=practice)
    instance = f.activity(days=[f.recent_weekday()])
    client = _logged_in(clinic)
    page = client.get(f"/claims/new/{instance.pk}/").content.decode()
    assert nurse.name in page
    client.post(
        f"/claims/new/{instance.pk}/",
        {"days": [instance.starts_on.isoformat()], "staff_member": nurse.pk, "action": "submit"},
    )
    claim = Claim.objects.get()
    assert (
        claim.staff_member == nurse
        and claim.payee == Claim.Payee.PRACTICE
        and claim.drawn_staff_ore == 282_000
    )


def test_study_material_bought_on_a_far_date_is_refused_not_stored_as_rejected() -> None:
    """0001-01-01 and 9999-12-31 were stored as rejected claims (or crashed the rules engine): they are
    invalid input for the purchase date field, in the reader's language."""
    gp = f.gp(year=date.today().year)
    client = _logged_in(f.login_of(gp))
    for day in ("0001-01-01", "1999-12-31", "9999-12-31"):
        response = client.post(
            "/claims/material/",
            {
                "description": "Lærebog",
                "purchased_on": day,
                "amount": "450",
                "payee": "private_account",
                "action": "submit",
            },
        )
        assert response.status_code == 400, day
        assert "Angiv en dato fra 2000-01-01 til" in response.content.decode()
    assert not Claim.objects.exists()


def test_an_appeal_of_three_megabytes_is_refused_with_the_field_error(gp_and_course) -> None:  # type: ignore[no-untyped-def]
    gp, instance = gp_and_course
    client = _logged_in(f.login_of(gp))
    claim = services.submit_claim(
        claimant=gp, request=f.request_for(instance), filed_on=date.today(), by=f.login_of(gp)
    ).claim
    huge = client.post(f"/claims/{claim.public_id}/appeal/", {"text": "Urimeligt. " * 300_000})
    assert huge.status_code in (400, 413)  # above the request body limit: refused before any form reads it
    response = client.post(f"/claims/{claim.public_id}/appeal/", {"text": "Urimeligt. " * 10_000})
    assert response.status_code == 400
    assert 'class="error"' in response.content.decode() and "5000 tegn" in response.content.decode()
    assert not Appeal.objects.exists()
    claim.refresh_from_db()
    assert claim.status != Claim.Status.APPEALED


def test_a_payout_date_out_of_the_window_is_refused_next_to_the_field_and_pays_nothing() -> None:
    gp = f.gp(year=date.today().year)
    ControlPolicy.objects.create(
        year=date.today().year, share_basis_points=0, always_above_ore=10**12, seed="s"
    )
    instance = f.activity(days=[f.recent_weekday()])
    services.submit_claim(claimant=gp, request=f.request_for(instance), filed_on=date.today(), by=None)
    caseworker = _logged_in(factories.user(role=User.Role.CASEWORKER))

    far = caseworker.post("/claims/payouts/", {"date": "9999-12-31"}, HTTP_ACCEPT_LANGUAGE="en")

    assert far.status_code in (200, 400)
    assert "can be at most 31 days ahead" in far.context["form"].errors["date"][0]
    assert not PayoutBatch.objects.exists()
    assert not Claim.objects.filter(status=Claim.Status.PAID).exists()

    assert caseworker.post("/claims/payouts/", {"date": date.today().isoformat()}).status_code == 302
    yesterday = (date.today() - timedelta(days=1)).isoformat()
    earlier = caseworker.post("/claims/payouts/", {"date": yesterday}, HTTP_ACCEPT_LANGUAGE="da")
    assert "kan ikke ligge før den seneste udbetalingskørsel" in earlier.context["form"].errors["date"][0]
    again = caseworker.post("/claims/payouts/", {"date": date.today().isoformat()}, follow=True)
    assert PayoutBatch.objects.count() == 1
    assert "findes allerede" in again.content.decode()


def test_receipts_are_for_the_claimant_and_the_secretariat_not_the_steering_group() -> None:
    gp = f.gp(year=date.today().year)
    ControlPolicy.objects.create(year=date.today().year, share_basis_points=10_000, seed="s")
    instance = f.activity(days=[f.recent_weekday()])
    claim = services.submit_claim(
        claimant=gp, request=f.request_for(instance), filed_on=date.today(), by=None
    ).claim
    upload = SimpleUploadedFile("kvittering.pdf", pdfs.plain())
    receipt = services.upload_receipt(claim=claim, upload=upload, by=f.login_of(gp))
    services.file_appeal(claim=claim, text="Transporten skal dækkes fuldt ud.", by=f.login_of(gp))
    url = f"/claims/{claim.public_id}/receipts/{receipt.pk}/"

    steering = _logged_in(factories.user(role=User.Role.STEERING))
    assert steering.get(url).status_code == 404
    page = steering.get(f"/claims/{claim.public_id}/").content.decode()
    assert url not in page

    for reader in (f.login_of(gp), factories.user(role=User.Role.CASEWORKER)):
        client = _logged_in(reader)
        assert url in client.get(f"/claims/{claim.public_id}/").content.decode()
        assert client.get(url).status_code == 200

"""Account pages: an employed GP uploads the contract, the secretariat confirms, corrects and pro-rates."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client

from ajour.accounts.models import Doctor, EmploymentConfirmation, LedgerEntry, User
from ajour.accounts.selectors import doctor_balances
from ajour.catalogue.outreach import notify_at_risk
from tests import factories, pdfs

pytestmark = pytest.mark.django_db

PDF = pdfs.plain()


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_employed_gp_uploads_a_contract_and_the_secretariat_confirms_it() -> None:
    employed = factories.doctor(role=Doctor.Role.GP_EMPLOYED)
    gp = _client(factories.user(role=User.Role.GP, doctor=employed))
    year = date.today().year

    refused = gp.post(
        "/accounts/employment/", {"year": year, "document": SimpleUploadedFile("c.pdf", b"GIF89a")}
    )
    assert "ikke en gyldig PDF-fil" in refused.content.decode()
    assert not EmploymentConfirmation.objects.exists()

    gp.post("/accounts/employment/", {"year": year, "document": SimpleUploadedFile("kontrakt.pdf", PDF)})
    confirmation = EmploymentConfirmation.objects.get()
    assert confirmation.status == "pending"
    assert "Afventer behandling" in gp.get("/accounts/employment/").content.decode()
    assert "afventer sekretariatets bekræftelse" in gp.get("/home/").content.decode()
    assert gp.get(f"/accounts/employment/{confirmation.pk}/contract/").status_code == 200
    stranger = _client(factories.user(role=User.Role.GP, doctor=factories.doctor()))
    assert stranger.get(f"/accounts/employment/{confirmation.pk}/contract/").status_code == 404

    caseworker = _client(factories.user(role=User.Role.CASEWORKER))
    assert employed.full_name in caseworker.get("/accounts/confirmations/").content.decode()
    caseworker.post(
        f"/accounts/confirmations/{confirmation.pk}/", {"decision": "confirm", "share_percent": 100}
    )
    assert doctor_balances(doctor=employed, year=year).allocated_self_chosen_ore == 2_140_000


def test_secretariat_corrects_with_a_reason_only() -> None:
    gp = factories.with_allocation(factories.doctor(), year=date.today().year)
    caseworker = _client(factories.user(role=User.Role.CASEWORKER))
    url = f"/accounts/doctors/{gp.pk}/"

    caseworker.post(
        url,
        {"form": "correct", "correct-kind": "self_chosen", "correct-amount": "-1000", "correct-reason": ""},
    )
    assert not LedgerEntry.objects.filter(kind="correction").exists()
    caseworker.post(
        url,
        {
            "form": "correct",
            "correct-kind": "self_chosen",
            "correct-amount": "-1000",
            "correct-reason": "Dobbelt udbetalt",
        },
    )
    assert LedgerEntry.objects.get(kind="correction").reason == "Dobbelt udbetalt"
    assert "Dobbelt udbetalt" in caseworker.get(url).content.decode()
    gp_user = _client(factories.user(role=User.Role.GP, doctor=gp))
    assert gp_user.get(url).status_code == 404
    assert "Dobbelt udbetalt" in gp_user.get("/accounts/ledger/").content.decode()


def test_allocate_command_is_idempotent(capsys: pytest.CaptureFixture[str]) -> None:
    factories.doctor()
    call_command("accounts", "allocate", "--year", "2025")
    call_command("accounts", "allocate", "--year", "2025")
    out = capsys.readouterr().out
    assert "allocate 2025: 3 entries" in out and "allocate 2025: 0 entries" in out


def test_payout_account_is_validated_and_saved() -> None:
    gp = factories.doctor()
    client = _client(factories.user(role=User.Role.GP, doctor=gp))
    bad = client.post("/accounts/bank/", {"iban": "DK00 1234"})
    assert "gyldigt dansk IBAN" in bad.content.decode()
    client.post("/accounts/bank/", {"iban": "dk88 0000 0000 0000 01"})
    gp.refresh_from_db()
    assert gp.payout_iban == "DK8800000000000001"


def test_gp_page_shows_the_at_risk_notice() -> None:
    gp = factories.with_allocation(factories.doctor(), year=date.today().year - 1)
    factories.with_allocation(gp, year=date.today().year)
    notify_at_risk(year=date.today().year, on=date(date.today().year, 10, 1))
    page = _client(factories.user(role=User.Role.GP, doctor=gp)).get("/home/").content.decode()
    assert "21.400,00" in page and "31. december" in page

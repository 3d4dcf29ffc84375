"""With JavaScript the browser refuses a file above the upload limit at its field, before sending it."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from ajour.accounts.models import Doctor, EmploymentConfirmation, User
from tests import factories, pdfs

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_contract_above_the_limit_is_refused_at_the_field_before_it_is_sent(
    live_server: object, page: Page
) -> None:
    employed = factories.doctor(role=Doctor.Role.GP_EMPLOYED, first_name="Birgitte")
    factories.user(role=User.Role.GP, username="demo-gp-employed", doctor=employed)
    uploads: list[str] = []
    page.on("request", lambda request: uploads.append(request.url) if request.method == "POST" else None)
    page.goto(f"{live_server}/")
    page.get_by_role("button", name="Ansat læge").click()
    page.goto(f"{live_server}/accounts/employment/")
    uploads.clear()

    field = page.get_by_label("Ansættelseskontrakt")
    field.set_input_files(
        {"name": "kontrakt.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.7\n" + b"0" * 6 * 2**20}
    )
    page.get_by_role("button", name="Upload").click()

    assert field.evaluate("input => input.validationMessage") == "Filen er for stor; grænsen er 5 MB."
    assert uploads == []
    field.set_input_files({"name": "kontrakt.pdf", "mimeType": "application/pdf", "buffer": pdfs.plain()})
    page.get_by_role("button", name="Upload").click()
    expect(page.get_by_test_id("confirmation-status").first).to_be_visible()
    assert EmploymentConfirmation.objects.filter(doctor=employed).exists()

"""A GP finds a held course, sees the live quote, submits, and sees the balance drop; pages pass axe."""

from __future__ import annotations

from datetime import date

import pytest
from playwright.sync_api import Page, expect

from ajour.claims.models import ControlPolicy
from tests.claims import factories as f
from tests.e2e.test_gp_balance import serious_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_gp_claims_a_course_and_the_balance_drops(live_server: object, page: Page) -> None:
    gp = f.gp(year=date.today().year)
    login = f.login_of(gp)
    login.username = "demo-gp-owner"
    login.save()
    instance = f.activity(days=[f.recent_weekday()], title="Hjertesvigt i almen praksis")
    ControlPolicy.objects.create(
        year=date.today().year, share_basis_points=0, always_above_ore=10**12, seed="e2e"
    )

    page.goto(f"{live_server}/")
    page.get_by_role("button", name="Praktiserende læge (ejer)").click()
    expect(page.get_by_test_id("balance-self-chosen")).to_contain_text("21.400,00")

    page.get_by_role("link", name="Søg om tilskud til en aktivitet").click()
    page.get_by_label("Aktivitetsnummer eller titel").fill(instance.activity.number or "")
    page.get_by_role("button", name="Søg").click()
    assert serious_violations(page) == []
    page.get_by_role("link", name="Søg om tilskud", exact=False).last.click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Hjertesvigt")
    page.get_by_label("Kursusafgift", exact=False).fill("1500")
    page.get_by_label("Transport", exact=False).fill("300")
    page.get_by_label("Transport", exact=False).blur()
    expect(page.get_by_test_id("payable")).to_contain_text("5.800,00")  # live quote via htmx
    assert serious_violations(page) == []

    page.get_by_role("button", name="Indsend ansøgning").click()
    expect(page.get_by_test_id("claim-status")).to_be_visible()
    expect(page.get_by_test_id("payable")).to_contain_text("5.800,00")
    assert serious_violations(page) == []

    page.get_by_role("link", name="Min side").click()
    expect(page.get_by_test_id("balance-self-chosen")).to_contain_text("15.600,00")

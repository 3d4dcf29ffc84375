"""A demo GP logs in through the browser, sees the balance, and the pages pass an accessibility check."""

from __future__ import annotations

from datetime import date

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from ajour.accounts.models import User
from tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def serious_violations(page: Page) -> list[str]:
    """WCAG 2.1 AA violations of impact serious or critical found by axe-core."""
    results = Axe().run(
        page,
        options={
            "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21aa"]},
            "resultTypes": ["violations"],
        },
    )
    return [
        f"{violation['id']}: {violation['help']}"
        for violation in results.response["violations"]
        if violation["impact"] in {"serious", "critical"}
    ]


def test_demo_gp_logs_in_and_sees_the_balance(live_server: object, page: Page) -> None:
    gp = factories.with_allocation(factories.doctor(first_name="Birgitte"), year=date.today().year)
    factories.user(role=User.Role.GP, username="demo-gp-owner", doctor=gp)

    page.goto(f"{live_server}/")
    assert serious_violations(page) == []
    page.get_by_role("button", name="Praktiserende læge (ejer)").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Birgitte")
    expect(page.get_by_test_id("balance-self-chosen")).to_contain_text("21.400,00")
    expect(page.get_by_test_id("balance-systematic")).to_contain_text("3")
    assert serious_violations(page) == []

    page.get_by_role("button", name="English").click()
    expect(page.get_by_test_id("balance-self-chosen")).to_contain_text("Self-chosen account")

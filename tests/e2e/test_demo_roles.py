"""Every demo role logs in from the front page of the demo data and lands on an accessible home page."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.utils import translation
from playwright.sync_api import Page, expect

from ajour.demo.roles import DEMO_ROLES
from tests.e2e.test_gp_balance import serious_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_each_demo_role_lands_on_its_own_accessible_home_page(live_server: object, page: Page) -> None:
    call_command("demo", "load", "--scale", "small", "--seed", "3")
    headings: dict[str, str] = {}
    for slug, label in DEMO_ROLES:
        with translation.override("da"):
            button = str(label)
        page.goto(f"{live_server}/")
        page.get_by_role("button", name=button, exact=True).click()
        expect(page).to_have_url(f"{live_server}/home/")
        heading = page.get_by_role("heading", level=1)
        expect(heading).to_be_visible()
        headings[slug] = heading.inner_text()
        assert "500" not in page.title()
        assert serious_violations(page) == [], slug
        page.get_by_role("button", name="Log ud").click()
    # Roles land on pages of their own: a GP sees a person's name, the others their queue or overview.
    assert len(set(headings.values())) >= 8

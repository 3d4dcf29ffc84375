"""The catalogue search in a phone-sized browser (390 px): a typo is forgiven, a worse one gets "did you
mean" in Danish and English, identical runs show once with their free places, the page never scrolls
sideways, and every page passes an axe-core WCAG 2.1 AA check."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.catalogue import factories as cf
from tests.e2e.test_gp_balance import serious_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def fits_the_screen(page: Page) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


def test_search_on_a_phone(live_server: object, page: Page) -> None:
    day = cf.weekday_after(21)
    activity = cf.approved(title="Hovedpine i almen praksis", run_dates=[day, day])
    activity.instances.update(booked=20)
    page.set_viewport_size({"width": 390, "height": 844})

    page.goto(f"{live_server}/catalogue/")
    page.locator("#id_q").fill("hovedpien")
    page.get_by_role("button", name="Søg").click()
    expect(page.get_by_role("link", name="Hovedpine i almen praksis")).to_have_count(1)
    expect(page.get_by_role("region", name="Søgeresultater")).to_contain_text("20")  # 10 + 10 free places
    assert fits_the_screen(page)
    assert serious_violations(page) == []

    page.goto(f"{live_server}/catalogue/?q=hodvepine")
    suggestion = page.get_by_test_id("did-you-mean")
    expect(suggestion).to_have_text("Mente du: hovedpine")
    assert fits_the_screen(page)
    assert serious_violations(page) == []
    suggestion.get_by_role("link").click()
    expect(page.get_by_role("link", name="Hovedpine i almen praksis")).to_be_visible()

    page.get_by_role("button", name="English").click()
    page.goto(f"{live_server}/catalogue/?q=hodvepine")
    expect(page.get_by_test_id("did-you-mean")).to_have_text("Did you mean: hovedpine")
    assert serious_violations(page) == []

"""An analyst builds a reform in the browser, runs it, saves it and shares the link; the pages work at
390 px and pass axe."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.test_gp_balance import serious_violations
from tests.e2e.test_stats_dashboard import _watch_console
from tests.simulator.factories import D, build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _log_in(page: Page, live_server: object, username: str) -> None:
    page.goto(f"{live_server}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "x" * 16)
    page.get_by_role("button", name="Log ind").click()


def _fits(page: Page) -> bool:
    """Nothing but the wide tables (which scroll in their own box) makes the page wider than the screen."""
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"))


def test_an_analyst_builds_runs_saves_and_shares_a_reform(
    live_server: object, page: Page, browser: Browser
) -> None:
    world = build_world()
    problems = _watch_console(page)
    page.set_viewport_size({"width": 390, "height": 844})
    _log_in(page, live_server, "analytiker")
    page.goto(f"{live_server}/home/")
    page.get_by_role("link", name="Reformsimulator").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Reformsimulator")
    assert serious_violations(page) == [] and _fits(page)

    page.get_by_role("link", name="Byg en reform").click()
    assert serious_violations(page) == [] and _fits(page)
    page.get_by_label("Kort navn").fill("half_day_2500")
    page.get_by_label("Titel på dansk").fill("Halv kursusdag 2.500 kr.")
    page.get_by_label("Titel på engelsk").fill("Half course day 2,500 DKK")
    change = page.get_by_test_id("change-0")
    change.get_by_label("Parameter").select_option("fee.self_chosen.half")
    change.get_by_label("Fra").fill("2025-01-01")
    change.get_by_label("Ny værdi").fill("2.500")
    page.get_by_label("År aktiviteterne blev afholdt").select_option(str(D.year))
    page.get_by_label("Pr. ansøgning").check()
    page.get_by_role("button", name="Kør og gem").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(f"Halv kursusdag 2.500 kr.: {D.year}")
    expect(page.get_by_test_id("cost-difference")).to_contain_text("+7.000,00")
    expect(page.get_by_test_id("note").first).to_contain_text("Adfærden holdes fast")
    expect(page.locator(".stats-chart-drawn svg").first).to_be_visible()
    assert serious_violations(page) == [] and _fits(page)
    link = page.get_by_test_id("share-link").input_value()
    assert link.endswith("/") and "/simulator/" in link
    assert problems == []

    colleague = browser.new_context(locale="da-DK", timezone_id="Europe/Copenhagen").new_page()
    _log_in(colleague, live_server, world.steering.username)
    colleague.goto(link)
    expect(colleague.get_by_test_id("cost-difference")).to_contain_text("+7.000,00")
    expect(colleague.get_by_test_id("overrides")).to_contain_text("fee.self_chosen.half")
    assert serious_violations(colleague) == []
    colleague.context.close()

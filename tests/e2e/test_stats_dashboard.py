"""The analyst dashboard and the public statistics draw their charts under the CSP and pass axe."""

from __future__ import annotations

from datetime import date

import pytest
from playwright.sync_api import ConsoleMessage, Page, expect

from ajour.accounts.models import User
from ajour.catalogue.models import Provider
from ajour.stats.services import refresh_rollups
from tests import factories
from tests.e2e.test_gp_balance import serious_violations
from tests.stats import factories as f

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

D = date(2024, 5, 10)


def _world() -> None:
    for n in range(8):
        doctor = f.gp()
        kind = [Provider.Kind.PLO_E, Provider.Kind.REGIONAL][n % 2]
        f.claim(doctor, on=D, halves=2 + n % 3, at=f.instance(on=D, kind=kind, topic_code="ledelse"))
        f.claim(
            doctor, on=date(2021, 3, 1), halves=2, at=f.instance(on=date(2021, 3, 1), topic_code="ledelse")
        )
    for _n in range(5):
        f.gp()
    refresh_rollups()


def _watch_console(page: Page) -> list[str]:
    """Errors raised by the statistics pages and their scripts (a CSP block included)."""
    problems: list[str] = []

    def note(message: ConsoleMessage) -> None:
        if message.type == "error" and "/stats/" in message.location.get("url", ""):
            problems.append(message.text)

    page.on("console", note)
    page.on("pageerror", lambda error: problems.append(str(error)))
    return problems


def test_analyst_filters_the_dashboard_and_sees_drawn_charts(live_server: object, page: Page) -> None:
    _world()
    factories.user(role=User.Role.ANALYST, username="analytiker")
    problems = _watch_console(page)

    page.goto(f"{live_server}/login/")
    page.fill("#id_username", "analytiker")
    page.fill("#id_password", "x" * 16)
    page.get_by_role("button", name="Log ind").click()
    page.goto(f"{live_server}/stats/dashboard/?year=2024")

    expect(page.get_by_role("heading", level=1)).to_contain_text("2024")
    expect(page.locator(".stats-chart-drawn svg").first).to_be_visible()
    assert page.locator(".stats-chart-drawn").count() == page.locator("[data-spec]").count()
    expect(page.get_by_test_id("participation-rate")).to_contain_text("61,5 %")

    page.get_by_role("combobox", name="Udbydertype").select_option("plo_e")
    page.get_by_role("button", name="Vis").click()
    expect(page.get_by_test_id("table-provider_type")).to_contain_text("PLO")
    expect(page.locator(".stats-chart-drawn svg").first).to_be_visible()
    assert serious_violations(page) == []
    assert problems == []


def test_public_statistics_work_for_anyone(live_server: object, page: Page) -> None:
    _world()
    problems = _watch_console(page)

    page.goto(f"{live_server}/stats/?year=2024")

    expect(page.get_by_test_id("eligible-gps")).to_contain_text("13")
    expect(page.locator(".stats-chart-drawn svg").first).to_be_visible()
    expect(page.get_by_test_id("table-top_topics")).to_contain_text("Ledelse")
    assert serious_violations(page) == []
    assert problems == []


def test_counsellor_sees_the_own_regions_rare_participants(live_server: object, page: Page) -> None:
    _world()
    factories.user(role=User.Role.COUNSELLOR, username="vejleder", region=factories.region())

    page.goto(f"{live_server}/login/")
    page.fill("#id_username", "vejleder")
    page.fill("#id_password", "x" * 16)
    page.get_by_role("button", name="Log ind").click()
    page.goto(f"{live_server}/stats/under-participation/?year=2024")

    expect(page.get_by_test_id("under-participation")).to_contain_text(
        "13 læger"
    )  # one activity at most over 2023–2024
    assert serious_violations(page) == []

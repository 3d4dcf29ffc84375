"""Browser journeys: a provider submits, a consultant approves, a GP finds the course and gets a
pre-filled claim after attendance; a rejection is appealed to the steering group. Every page visited
passes an axe-core WCAG 2.1 AA check."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from playwright.sync_api import Page, expect

from ajour.accounts.models import User
from ajour.catalogue.models import Activity
from tests import factories
from tests.catalogue import factories as cf
from tests.e2e.test_gp_balance import serious_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in_as(page: Page, live_server: object, button: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{live_server}/")
    page.get_by_role("button", name=button, exact=True).click()


def accessible(page: Page) -> None:
    assert serious_violations(page) == []


def submit_course(page: Page, live_server: object, title: str) -> None:
    """The provider fills in the application, watches the live preview, saves and submits."""
    day = cf.weekday_after(21).isoformat()
    page.goto(f"{live_server}/home/")
    page.get_by_role("link", name="Indsend en aktivitet").click()
    page.locator("#id_title").fill(title)
    page.locator("#id_description").fill("Tidlig opsporing og behandling af KOL.")
    page.locator("#id_topic").select_option(label="Diabetes")
    page.locator("#id_price_dkk").fill("3000")
    page.locator("#id_gp_involvement").fill("To praktiserende læger underviser.")
    page.locator("#id_curriculum_relevance").fill("Kronisk sygdom.")
    page.locator("#id_funding").fill("Deltagerbetaling, ingen sponsorer.")
    page.locator("#id_run-venue").fill("Hotel Nyborg Strand")
    page.locator("#id_run-town").fill("Nyborg")
    page.locator("#id_run-region").select_option(label="Region Hovedstaden")
    page.locator("#id_run-programme").fill(f"{day} 09:00-12:00 Oplæg\n{day} 13:00-16:30 Cases")
    page.locator("#id_run-programme").blur()
    expect(page.get_by_test_id("claim-preview")).to_contain_text("Hel dag")
    accessible(page)
    page.get_by_role("button", name="Gem kladde").click()
    expect(page.get_by_test_id("claim-preview").first).to_contain_text("4.000,00")
    accessible(page)
    page.get_by_role("button", name="Indsend til godkendelse").click()
    expect(page.get_by_test_id("application-status")).to_contain_text("Indsendt")


def consultant_decides(page: Page, live_server: object, title: str, decision: str, reasons: str = "") -> None:
    log_in_as(page, live_server, "Medicinsk konsulent")
    page.get_by_role("link", name=title).click()
    accessible(page)
    page.get_by_role("radio", name=decision, exact=True).check()
    if decision == "Godkend":
        page.locator("#id_approval").select_option("self_chosen")
    page.locator("#id_reasons").fill(reasons)
    page.get_by_role("button", name="Registrér afgørelsen").click()
    expect(page.locator("ul.messages")).to_be_visible()


@pytest.fixture
def world(live_server: object) -> dict[str, object]:
    cf.topic()
    factories.region()
    provider = cf.provider_user(name="Lægernes Kursusforening")
    provider.username = "demo-provider"
    provider.save()
    factories.user(role=User.Role.CONSULTANT, username="demo-consultant")
    factories.user(role=User.Role.STEERING, username="demo-steering")
    gp = factories.with_allocation(factories.doctor(first_name="Birgitte"), year=date.today().year)
    factories.user(role=User.Role.GP, username="demo-gp-owner", doctor=gp)
    return {"gp": gp}


def test_submit_approve_find_and_claim_after_attendance(
    live_server: object, page: Page, world: dict[str, object]
) -> None:
    title = "KOL i almen praksis"
    log_in_as(page, live_server, "Kursusudbyder")
    submit_course(page, live_server, title)
    consultant_decides(page, live_server, title, "Godkend")

    page.context.clear_cookies()
    page.goto(f"{live_server}/catalogue/")
    page.locator("#id_q").fill("KOL")
    page.get_by_role("button", name="Søg").click()
    expect(page.get_by_role("link", name=title)).to_be_visible()
    accessible(page)
    page.get_by_role("link", name=title).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    accessible(page)

    activity = Activity.objects.get(title=title)
    past = date.today() - timedelta(days=1)
    activity.instances.update(starts_on=past, ends_on=past)
    log_in_as(page, live_server, "Kursusudbyder")
    page.goto(f"{live_server}/catalogue/applications/{activity.pk}/")
    page.get_by_role("link", name="Indberet deltagelse").click()
    page.locator("#id_ids").fill(f"{world['gp'].authorisation_id}\nXXXXX")  # type: ignore[attr-defined]
    page.get_by_role("button", name="Indberet").click()
    expect(page.get_by_test_id("attendance-errors")).to_contain_text("Række 2")
    accessible(page)
    page.locator("#id_ids").fill(world["gp"].authorisation_id)  # type: ignore[attr-defined]
    page.get_by_role("button", name="Indberet").click()

    log_in_as(page, live_server, "Praktiserende læge (ejer)")
    ready = page.get_by_test_id("ready-to-claim")
    expect(ready).to_contain_text(title)
    accessible(page)
    ready.get_by_role("link").first.click()
    expect(page).to_have_url(f"{live_server}/claims/new/{activity.instances.get().pk}/")


def test_a_rejection_is_appealed_and_the_steering_group_approves(
    live_server: object, page: Page, world: dict[str, object]
) -> None:
    title = "Hjertesvigt for viderekomne"
    log_in_as(page, live_server, "Kursusudbyder")
    submit_course(page, live_server, title)
    consultant_decides(page, live_server, title, "Afvis", "Emnet dækker kun en lille del af målbeskrivelsen.")

    log_in_as(page, live_server, "Kursusudbyder")
    page.get_by_role("link", name=title).first.click()
    expect(page.get_by_role("heading", name="Beskeder til dig")).to_be_visible()
    page.locator("#id_reasons").fill("Hjertesvigt er hyppigt i almen praksis.")
    page.get_by_role("button", name="Send klagen").click()
    expect(page.get_by_test_id("application-status")).to_contain_text("Påklaget")
    accessible(page)

    log_in_as(page, live_server, "Medlem af styregruppen")
    page.get_by_role("link", name=title).click()
    accessible(page)
    page.get_by_role("radio", name="Godkend aktiviteten").check()
    page.locator("#id_reasons").fill("Relevant for alle praktiserende læger.")
    page.get_by_role("button", name="Registrér styregruppens afgørelse").click()
    expect(page.locator("ul.messages")).to_contain_text("Afgørelsen er registreret")
    expect(page.get_by_role("heading", name="Klager over godkendelser")).to_be_visible()  # not an error page

    log_in_as(page, live_server, "Kursusudbyder")
    page.get_by_role("link", name=title).first.click()
    expect(page.get_by_test_id("activity-number")).to_have_text(f"{date.today().year}-0001")

"""The API documentation draws Swagger UI from Ajour's own files under the site's CSP."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import ConsoleMessage, Page, Request, expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_swagger_ui_renders_from_same_origin_files_without_a_csp_violation(
    live_server: object, page: Page
) -> None:
    problems: list[str] = []
    hosts: set[str] = set()

    def note(message: ConsoleMessage) -> None:
        if message.type == "error":
            problems.append(message.text)

    def watch(request: Request) -> None:
        if not request.url.startswith("data:"):
            hosts.add(urlsplit(request.url).netloc)

    page.on("console", note)
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("request", watch)

    page.goto(f"{live_server}/api/docs")

    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Ajour API")
    expect(page.locator(".opblock-summary-path", has_text="/api/v1/quote").first).to_be_visible()
    assert hosts == {urlsplit(str(live_server)).netloc}
    assert problems == []

"""Shared fixtures: Playwright on Debian's Chromium, and a small demo world built through services."""

from __future__ import annotations

import os
from collections.abc import Callable

import pytest

from ajour.rules import ParameterSet

# Sync Playwright drives a live server from the test thread; Django must allow ORM calls there.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, object]) -> dict[str, object]:
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, object]) -> dict[str, object]:
    return {**browser_context_args, "locale": "da-DK", "timezone_id": "Europe/Copenhagen"}


RulesParameters = Callable[[dict[str, object]], None]
"""The `rules_parameters` fixture: call it with overrides ({name: value}) to decide under them."""


@pytest.fixture
def rules_parameters(monkeypatch: pytest.MonkeyPatch) -> RulesParameters:
    """Replaces the shipped rules parameters with a reform for one test (a changed limit or period
    must reach every reader of the parameter)."""

    def use(overrides: dict[str, object]) -> None:
        reform = ParameterSet.default().with_overrides(overrides)
        monkeypatch.setattr(ParameterSet, "default", staticmethod(lambda: reform))

    return use

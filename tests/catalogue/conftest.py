"""Catalogue tests run in Danish, the portal's default, whatever an earlier test's request switched to."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def danish() -> Iterator[None]:
    with translation.override("da"):
        yield


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Prints the search quality test's hit rate and misses (recorded by the test, also on xdist workers)."""
    labels = {"search_hit_rate": "Catalogue search hit rate", "search_miss": "  missed"}
    for report in terminalreporter.stats.get("passed", []) + terminalreporter.stats.get("failed", []):
        for name, value in getattr(report, "user_properties", []):
            if name in labels and report.when == "call":
                terminalreporter.write_line(f"{labels[name]}: {value}")

"""The rules suite runs without Django (``-p no:django``); the project's pytest settings still
name a Django settings module, so declare that option when pytest-django is not loaded, rather
than fail on an unknown option (warnings are errors)."""

from __future__ import annotations

import pytest


def pytest_addoption(parser: pytest.Parser, pluginmanager: pytest.PytestPluginManager) -> None:
    if not pluginmanager.has_plugin("django"):
        parser.addini("DJANGO_SETTINGS_MODULE", "read by pytest-django, which this run does not load")

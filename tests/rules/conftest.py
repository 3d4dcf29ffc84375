"""The rules suite runs without Django (``-p no:django``); the project's pytest settings still
name a Django settings module, so declare that option when pytest-django is not loaded, rather
than fail on an unknown option (warnings are errors)."""

from __future__ import annotations

import pytest
from hypothesis import settings

settings.register_profile("rules", max_examples=60, derandomize=True, deadline=None)
settings.load_profile("rules")


def pytest_addoption(parser: pytest.Parser, pluginmanager: pytest.PytestPluginManager) -> None:
    if not pluginmanager.has_plugin("django"):
        parser.addini("DJANGO_SETTINGS_MODULE", "read by pytest-django, which this run does not load")

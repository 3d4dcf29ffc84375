"""Catalogue tests run in Danish, the portal's default, whatever an earlier test's request switched to."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def danish() -> Iterator[None]:
    with translation.override("da"):
        yield

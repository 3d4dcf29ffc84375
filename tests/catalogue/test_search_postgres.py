"""Danish full-text search on PostgreSQL: stemming, ranking, and the stored document kept by a trigger."""

from __future__ import annotations

import pytest
from django.db import connection

from ajour.catalogue.models import Activity
from ajour.catalogue.selectors import SearchFilters, search_catalogue
from tests.catalogue import factories as cf

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


@pytest.fixture(autouse=True)
def _postgresql_only() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL full-text search")


def titles(query: str) -> list[str]:
    return [i.activity.title for i in search_catalogue(filters=SearchFilters(q=query))]


def test_danish_stemming_and_title_ranked_above_description() -> None:
    cf.approved(title="Hjertesvigt i almen praksis", description="Om behandlingen af hjertesvigt.")
    cf.approved(title="Behandling af diabetes", description="Insulin og tabletter.")
    assert titles("behandlingerne") == ["Behandling af diabetes", "Hjertesvigt i almen praksis"]
    assert titles("hjertesvigt -diabetes") == ["Hjertesvigt i almen praksis"]


def test_the_document_follows_changes_to_the_title() -> None:
    activity = cf.approved(title="Astma")
    Activity.objects.filter(pk=activity.pk).update(title="Allergi")
    assert titles("astma") == []
    assert titles("allergi") == ["Allergi"]

"""Search quality: real-looking queries against a catalogue built through the services, as a hit rate.

The catalogue and the queries are data (`search_quality.yaml`): Danish stems, compounds, typos,
abbreviations and synonyms, topic names and English queries on English pages. A query hits when its
expected activity is first (or, where the file allows a tie, among the first three) and nothing it must
not find is found. The hit rate is printed at the end of the test run (conftest.py) and must stay at
`REQUIRED_HIT_RATE` or above, on SQLite and on PostgreSQL alike.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from ajour.catalogue.selectors import SearchFilters, search_catalogue
from tests.catalogue import factories as cf

pytestmark = pytest.mark.django_db

DATA = yaml.safe_load(Path(__file__).with_name("search_quality.yaml").read_text(encoding="utf-8"))
REQUIRED_HIT_RATE = 0.95


def build_catalogue() -> dict[int, str]:
    """The activities of the file, approved through the services; activity id → key."""
    topics = {}
    for code, (name_da, name_en, parent) in DATA["topics"].items():
        topics[code] = cf.topic(code, name_da, name_en, topics[parent] if parent else None)
    keys = {}
    for key, (topic, title, description) in DATA["activities"].items():
        keys[cf.approved(title=title, description=description, topic=topics[topic]).pk] = key
    return keys


def miss(query: dict[str, object], found: list[str]) -> str | None:
    """Why the query misses, or None when it hits."""
    first = query.get("first")
    expected = first if isinstance(first, list) else [first] if first else []
    if expected and (not found or found[0] not in expected):
        return f"expected first {' or '.join(expected)}"
    if "top3" in query and query["top3"] not in found[:3]:
        return f"expected {query['top3']} in the first three"
    unwanted = set(query.get("never", [])) & set(found)  # type: ignore[call-overload]
    if unwanted:
        return f"found {', '.join(sorted(unwanted))}"
    return None


def test_search_finds_what_doctors_type(record_property: pytest.RecordProperty) -> None:
    keys = build_catalogue()
    queries = DATA["queries"]
    assert len(queries) >= 50
    misses = []
    for query in queries:
        found = [keys[run.activity_id] for run in search_catalogue(filters=SearchFilters(q=query["q"]))]
        reason = miss(query, found)
        if reason:
            misses.append(f"{query['q']!r}: {reason}, got {', '.join(found[:5]) or 'nothing'}")
    hit_rate = 1 - len(misses) / len(queries)
    record_property("search_hit_rate", f"{hit_rate:.1%} of {len(queries)} queries")
    for reason in misses:
        record_property("search_miss", reason)
    assert hit_rate >= REQUIRED_HIT_RATE, "\n".join([f"hit rate {hit_rate:.1%}", *misses])

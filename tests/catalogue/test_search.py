"""The forgiving catalogue search on both databases: index kept in sync, exclusions, whole-word
abbreviations, identical runs listed once, "did you mean", and the trigram measure shared with pg_trgm.

How well it finds what GPs type is measured in test_search_quality.py.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client

from ajour.catalogue import search, services
from ajour.catalogue.models import Activity, Topic
from ajour.catalogue.selectors import SearchFilters, search_catalogue
from tests.catalogue import factories as cf

pytestmark = pytest.mark.django_db


def titles(query: str) -> list[str]:
    return [i.activity.title for i in search_catalogue(filters=SearchFilters(q=query))]


def test_danish_word_forms_and_the_title_ranked_above_the_description() -> None:
    heart = cf.topic("hjerte", "Hjerte-kar-sygdomme", "Cardiology")
    cf.approved(
        title="Hjertesvigt i almen praksis", description="Om behandlingen af hjertesvigt.", topic=heart
    )
    cf.approved(title="Behandling af diabetes", description="Insulin og tabletter.")
    assert titles("behandlingerne") == ["Behandling af diabetes", "Hjertesvigt i almen praksis"]
    assert titles("hjertesvigt -diabetes") == ["Hjertesvigt i almen praksis"]
    assert titles("behandling -hjertesvigt") == ["Behandling af diabetes"]


def test_the_index_follows_titles_topics_and_deletions() -> None:
    activity = cf.approved(title="Astma", topic=cf.topic("lunger", "Lungesygdomme", "Lung disease"))
    Activity.objects.filter(pk=activity.pk).update(title="Allergi")  # a bulk write, past the services
    assert titles("astma") == []
    assert titles("allergi") == ["Allergi"]
    assert titles("alergi") == ["Allergi"]  # the new word is in the vocabulary at once
    assert titles("lung disease") == ["Allergi"]
    Topic.objects.filter(code="lunger").update(name_da="Luftveje", name_en="Airways")
    assert titles("airways") == ["Allergi"]
    assert titles("lung disease") == []
    draft = cf.draft(title="Zebrafisk")
    assert search.vocabulary(["zebrafisk"]).known("zebrafisk")
    draft.delete()
    assert not search.vocabulary(["zebrafisk"]).known("zebrafisk")


def test_short_abbreviations_match_whole_words_and_their_synonyms() -> None:
    cf.approved(title="Sygeplejersken i almen praksis: KOL-kontrol")
    cf.approved(title="Kronisk obstruktiv lungesygdom i praksis")
    cf.approved(title="Kollegial sparring", description="Alkohol og protokol.")
    found = titles("kol")
    assert sorted(found) == [
        "Kronisk obstruktiv lungesygdom i praksis",
        "Sygeplejersken i almen praksis: KOL-kontrol",
    ]
    assert found[0] == "Sygeplejersken i almen praksis: KOL-kontrol"  # the typed word above its synonym


def test_identical_runs_are_listed_once_with_their_free_places_together(client: Client) -> None:
    day, later = cf.weekday_after(14), cf.weekday_after(28)
    activity = cf.approved(title="Akut medicin", run_dates=[day, day, later])
    first, second, third = activity.instances.order_by("pk")
    first.booked, second.booked, third.booked = 30, 25, 10
    for run in (first, second, third):
        run.save()
    rows = list(search_catalogue(filters=SearchFilters(q="akut")))
    assert [(row.pk, row.seats) for row in rows] == [(first.pk, 5), (third.pk, 20)]  # type: ignore[attr-defined]
    assert [row.pk for row in search_catalogue(filters=SearchFilters(free_places=True))] == [
        first.pk,
        third.pk,
    ]
    body = client.get("/catalogue/", {"q": "akut"}).content.decode()
    assert "2 hold fundet" in body
    found = client.get("/api/v1/catalogue/search", {"q": "akut"}).json()
    assert found["count"] == 2
    assert [run["free_places"] for run in found["results"]] == [5, 20]
    second.booked = 30
    second.save()
    assert [row.pk for row in search_catalogue(filters=SearchFilters(free_places=True))] == [third.pk]


def test_did_you_mean_offers_the_nearest_query_that_finds_something(client: Client) -> None:
    cf.approved(title="Hovedpine i almen praksis", description="Spændingshovedpine og røde flag.")
    body = client.get("/catalogue/", {"q": "hodvepine", "sort": "date"}).content.decode()
    assert "Ingen godkendte aktiviteter" in body
    assert 'Mente du: <a href="/catalogue/?q=hovedpine&amp;sort=date">hovedpine</a>' in body
    assert "Hovedpine i almen praksis" in client.get("/catalogue/", {"q": "hovedpine"}).content.decode()
    assert "Mente du" not in client.get("/catalogue/", {"q": "qqqqqq"}).content.decode()
    assert "Mente du" not in client.get("/catalogue/", {"q": "hovedpine"}).content.decode()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = client.get("/catalogue/", {"q": "hovedpine xyzzyq"}).content.decode()
    assert 'Did you mean: <a href="/catalogue/?q=hovedpine">hovedpine</a>' in english
    api = client.get("/api/v1/catalogue/search", {"q": "hodvepine"}).json()
    assert api["count"] == 0 and api["did_you_mean"] == "hovedpine"
    assert client.get("/api/v1/catalogue/search", {"q": "hovedpine"}).json()["did_you_mean"] is None


def test_did_you_mean_never_points_at_what_the_public_catalogue_does_not_show() -> None:
    gp = cf.gp_user()
    personal = services.create_activity(
        user=gp,
        data=cf.activity_data(title="Zebrafiskekursus i Boston", justification="Fagligt relevant."),
        instances=[cf.instance_data()],
        applicant_doctor=gp.doctor,
    )
    services.submit_activity(activity=personal, user=gp)
    services.approve_activity(
        activity=personal,
        decided_by=cf.consultant(),
        approval=Activity.Approval.SELF_CHOSEN,
        scope=Activity.Scope.INDIVIDUAL,
    )
    personal.refresh_from_db()
    assert personal.status == Activity.Status.APPROVED
    client = Client()
    body = client.get("/catalogue/", {"q": "zebrafiskekurs"}).content.decode()
    assert "Ingen godkendte aktiviteter" in body and "Mente du" not in body


def test_the_synonyms_file_reads_both_ways() -> None:
    book = search.thesaurus()
    assert ("copd",) in book.synonyms(("kol",))
    assert ("kol",) in book.synonyms(("kronisk", "obstruktiv", "lungesygdom"))
    assert search.query_words("kurser om astma -børn") == (["astma"], ["børn"])


def test_the_trigram_measure_is_pg_trgm_similarity() -> None:
    """SQLite has no pg_trgm; the Python measure that stands in for it gives PostgreSQL's numbers."""
    pairs = [
        ("hovedpien", "hovedpine"),
        ("diabets", "diabetes"),
        ("psykiatrisk", "psykiatri"),
        ("kol", "kollega"),
    ]
    expected = {pair: round(search.similarity(*pair), 5) for pair in pairs}
    assert expected[("hovedpien", "hovedpine")] == round(7 / 13, 5)
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for a, b in pairs:
            cursor.execute("SELECT similarity(%s, %s)", [a, b])
            assert round(cursor.fetchone()[0], 5) == expected[(a, b)]


@pytest.mark.parametrize(
    "text",
    [
        "½ ²",
        "日本語",
        "x" * 200,
        "a",
        "-",
        "--",
        "- -kol",
        '"kol',
        "kol:*",
        "<-> & | !",
        "NOT OR AND NEAR",
        "____",
    ],
)
def test_odd_queries_are_answered_never_failed(client: Client, text: str) -> None:
    cf.approved(title="KOL i almen praksis")
    assert client.get("/catalogue/", {"q": text}).status_code == 200
    assert client.get("/api/v1/catalogue/search", {"q": text}).status_code == 200


def test_words_are_stemmed_right_in_many_threads_at_once() -> None:
    """The server answers searches in threads; a stemmer shared between them mixed up their words."""
    words = ["behandlingerne", "vaccinationerne", "hjertesvigtet", "lungesygdomme", "treatments"] * 400
    expected = [search.stems(word) for word in words]
    with ThreadPoolExecutor(max_workers=8) as pool:
        assert list(pool.map(search.stems, words)) == expected

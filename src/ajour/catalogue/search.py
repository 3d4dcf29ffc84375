"""Forgiving catalogue search: what a GP types, read as the words the catalogue knows.

A query is read the same way on both databases, here:

1. Words are letters and digits in lower case, at most `MAX_WORDS`; stopwords (`search_terms.yaml`) are
   left out unless nothing else is left. "aeldre", "boern" and "aarhus" are also read as ældre, børn, århus.
2. Synonyms and abbreviations are data (`search_terms.yaml`): KOL finds "kronisk obstruktiv
   lungesygdom" and COPD, DM2 finds type 2-diabetes, and back.
3. Each word is compared with the **vocabulary**: every word of every activity's title, description and
   topic names, kept by database triggers (migration 0007): a table with a pg_trgm index on PostgreSQL,
   FTS5's own `fts5vocab` on SQLite. The measure is pg_trgm's trigram similarity (`similarity`):
   - a word the catalogue knows also finds its near forms (psykiatrisk → psykiatri);
   - a word it does not know finds the nearest known words (hovedpien → hovedpine, diabets → diabetes);
   - a word finds the compounds it is part of (sygdomme → lungesygdomme);
   - an unknown compound finds its parts written apart (hjertesygdomme → hjerte + sygdomme).

The database then matches and ranks the activities (`match_and_rank`): PostgreSQL with the stored
document in the Danish and English text search configurations with `unaccent` (stemming, accents),
SQLite with FTS5 (bm25). Words of four letters or more match as prefixes (lunge → lungesygdomme),
shorter ones as whole words only (KOL never finds "kollega"). Titles weigh most, then topic names, then
descriptions; the user's own words and their synonyms rank above corrections.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

import snowballstemmer
import yaml
from django.db import connection
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import F, FloatField, QuerySet, Value
from django.db.models.expressions import Combinable, Expression, RawSQL
from django.db.models.functions import Coalesce
from django.db.models.sql.compiler import SQLCompiler

from ajour.catalogue.models import ActivityInstance

TERMS_FILE = Path(__file__).with_name("search_terms.yaml")
TOKEN = re.compile(r"[^\W_]+")
MAX_WORDS = 8
SHORTEST_TERM = 3
"""Vocabulary words shorter than this are never offered as corrections."""
PREFIX_FROM = 4
"""Words this long match as prefixes; shorter ones only as whole words."""
PART_FROM = 5
"""A word this long also finds the known compounds that contain it."""
SPLIT_FROM = 7
"""An unknown word this long is tried as a compound of two known words."""
SIMILAR_KNOWN = 0.6
"""A known word also finds known words at least this similar (its other forms)."""
SIMILAR_UNKNOWN = 0.4
"""An unknown word finds the known words at least this similar (typos)."""
SUGGEST_FROM = 0.3
"""'Did you mean' offers the nearest known word at least this similar (pg_trgm's default threshold)."""
MAX_CORRECTIONS = 5
MAX_COMPOUNDS = 20
DANISH_SPELLINGS = (("aa", "å"), ("ae", "æ"), ("oe", "ø"))
COLUMN_WEIGHTS = (1.0, 0.4, 0.2)
"""Title, topic names, description: PostgreSQL's ts_rank weights for A, B and C, and the same on SQLite."""
WEIGHTS = [0.1, *reversed(COLUMN_WEIGHTS)]  # in ts_rank's order: D (unused), C, B, A
MAX_HITS = 2
"""On SQLite, a column counts the matches of a query in it up to this many."""
OWN, SYNONYM, CORRECTION = 2, 1, 0
"""Tiers of alternatives: the user's own words rank above their synonyms, which rank above corrections."""
TIER_WEIGHTS = {CORRECTION: 1.0, SYNONYM: 1.0, OWN: 3.0}
"""rank = Σ weight × how well the query matches with the alternatives of that tier and above."""
STEMMERS = ("danish", "english")


# ---------------------------------------------------------------- words


def words_of(text: str) -> list[str]:
    return TOKEN.findall(text.lower())


@lru_cache(maxsize=200_000)
def trigrams(word: str) -> frozenset[str]:
    """pg_trgm's trigrams of one word: padded with two spaces before and one after."""
    padded = f"  {word} "
    return frozenset(padded[i : i + 3] for i in range(len(padded) - 2))


def similarity(a: str, b: str) -> float:
    """pg_trgm's `similarity` of two words: shared trigrams over all trigrams of both."""
    first, second = trigrams(a), trigrams(b)
    shared = len(first & second)
    return shared / (len(first) + len(second) - shared)


@dataclass(frozen=True)
class Thesaurus:
    """Synonyms and stopwords from `search_terms.yaml`."""

    sets: tuple[tuple[tuple[str, ...], ...], ...]
    """Each synonym set as phrases, each phrase as its words."""
    by_key: dict[tuple[str, ...], int]
    """A phrase without stopwords (what a query holds) → its set."""
    stopwords: frozenset[str]

    @property
    def longest(self) -> int:
        return max((len(key) for key in self.by_key), default=1)

    def synonyms(self, key: tuple[str, ...]) -> tuple[tuple[str, ...], ...]:
        found = self.by_key.get(key)
        return () if found is None else self.sets[found]

    def single_words(self) -> Iterable[str]:
        return (key[0] for key in self.by_key if len(key) == 1)


@cache
def thesaurus() -> Thesaurus:
    data = yaml.safe_load(TERMS_FILE.read_text(encoding="utf-8"))
    stopwords = frozenset(word for words in data["stopwords"].values() for word in words)
    sets = tuple(tuple(tuple(words_of(str(term))) for term in terms) for terms in data["synonyms"])
    by_key: dict[tuple[str, ...], int] = {}
    for index, phrases in enumerate(sets):
        for phrase in phrases:
            key = tuple(word for word in phrase if word not in stopwords) or phrase
            if by_key.setdefault(key, index) != index:
                raise ValueError(f"search_terms.yaml: {' '.join(phrase)!r} is in two synonym sets")
    return Thesaurus(sets, by_key, stopwords)


def query_words(text: str) -> tuple[list[str], list[str]]:
    """The words of a query that say something (stopwords out, unless nothing else is left), and the
    words it excludes (`-migræne`)."""
    wanted: list[str] = []
    excluded: list[str] = []
    for item in text.split():
        (excluded if item.startswith("-") else wanted).extend(words_of(item))
    words = wanted[:MAX_WORDS]
    meaningful = [word for word in words if word not in thesaurus().stopwords]
    return meaningful or words, excluded[:MAX_WORDS]


_per_thread = threading.local()


def _stemmers() -> tuple[snowballstemmer.Stemmer, ...]:
    """The stemmers of this thread: a Snowball stemmer keeps the word it works on, so threads that
    shared one would stem each other's words."""
    found: tuple[snowballstemmer.Stemmer, ...] | None = getattr(_per_thread, "stemmers", None)
    if found is None:
        found = _per_thread.stemmers = tuple(snowballstemmer.stemmer(language) for language in STEMMERS)
    return found


def stems(word: str) -> set[str]:
    """The word's Snowball stems in Danish and English, the stemmers PostgreSQL's configurations use
    (huden → hud, behandlingerne → behandling, treatments → treatment)."""
    return {stemmer.stemWord(word) for stemmer in _stemmers()} - {word}


def danish_spelling(word: str) -> str:
    """aeldre → ældre, boern → børn, aarhus → århus: Danish letters typed on another keyboard."""
    for typed, letter in DANISH_SPELLINGS:
        word = word.replace(typed, letter)
    return word


# ---------------------------------------------------------------- the vocabulary


@dataclass(frozen=True)
class Vocabulary:
    """Known words (with the number of activities that use them) that may matter for a query."""

    terms: dict[str, int]

    def known(self, word: str) -> bool:
        return word in self.terms or (word,) in thesaurus().by_key

    def similar(self, word: str, threshold: float) -> list[str]:
        """Known words (and synonym words) at least `threshold` similar, nearest and commonest first."""
        candidates = set(self.terms) | set(thesaurus().single_words())
        scored = [
            (similarity(word, term), self.terms.get(term, 0), term)
            for term in candidates
            if term != word and len(term) >= SHORTEST_TERM and not term.isdigit()
        ]
        return [term for score, _docs, term in sorted(scored, reverse=True) if score >= threshold]

    def containing(self, word: str) -> list[str]:
        """Known compounds that contain the word (sygdomme → lungesygdomme), commonest first."""
        found = [(docs, term) for term, docs in self.terms.items() if word in term and term != word]
        return [term for _docs, term in sorted(found, reverse=True)[:MAX_COMPOUNDS]]

    def begins(self, part: str) -> bool:
        return part in self.terms or (
            len(part) >= PREFIX_FROM and any(term.startswith(part) for term in self.terms)
        )

    def splits(self, word: str) -> list[tuple[str, str]]:
        """Ways to read an unknown compound as two known words, with Danish linking letters
        (hjertesygdomme → hjerte + sygdomme, børneastma → børn + astma)."""
        found = []
        for cut in range(SHORTEST_TERM, len(word) - SHORTEST_TERM + 1):
            first, rest = word[:cut], word[cut:]
            for link in ("", "e", "s"):
                second = rest[len(link) :]
                if rest.startswith(link) and len(second) >= SHORTEST_TERM:
                    if self.begins(first) and self.begins(second):
                        found.append((first, second))
        return found


def split_patterns(word: str) -> list[str]:
    """LIKE patterns that find every known word `Vocabulary.splits` may ask about."""
    parts = {word[:cut] for cut in range(SHORTEST_TERM, len(word))}
    parts |= {word[cut:] for cut in range(1, len(word) - SHORTEST_TERM + 1)}
    return [f"{part}%" for part in sorted(parts)]


def vocabulary(words: Sequence[str]) -> Vocabulary:
    """The known words that may matter for `words`, from the index the triggers keep.

    PostgreSQL asks its pg_trgm index for words similar to any of them (`%`, from similarity 0.3),
    containing one of them, or beginning like a part of one; SQLite reads FTS5's vocabulary whole.
    """
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            patterns = [f"%{word}%" for word in words if len(word) >= PART_FROM]
            patterns += [p for word in words if len(word) >= SPLIT_FROM for p in split_patterns(word)]
            cursor.execute(
                "SELECT term, doc FROM catalogue_search_term WHERE term %% ANY(%s) OR term LIKE ANY(%s)",
                [list(words), patterns],
            )
        else:
            cursor.execute("SELECT term, doc FROM catalogue_search_term")
        return Vocabulary({term: docs for term, docs in cursor.fetchall()})


# ---------------------------------------------------------------- reading a query


@dataclass(frozen=True)
class Alternative:
    """One way a query word may appear in an activity: a word, a phrase, or words anywhere."""

    words: tuple[str, ...]
    phrase: bool = True
    """With several words: in this order next to each other; otherwise each anywhere."""
    tier: int = OWN
    """OWN (typed), SYNONYM (of a typed word) or CORRECTION (near forms, typos, compounds, parts)."""
    stem: bool = False
    """A stem of a typed word: always matched as a prefix (hud → hudsygdomme), as PostgreSQL does."""


@dataclass(frozen=True)
class Group:
    """What one typed word (or typed synonym phrase) may mean; an activity must match one of them."""

    typed: str
    alternatives: tuple[Alternative, ...]

    def at_least(self, tier: int) -> Group:
        return Group(self.typed, tuple(a for a in self.alternatives if a.tier >= tier))


@dataclass(frozen=True)
class Query:
    groups: tuple[Group, ...]
    excluded: tuple[str, ...] = ()

    def at_least(self, tier: int) -> Query | None:
        """The query with only the alternatives of this tier and above; None if a group has none."""
        groups = tuple(group.at_least(tier) for group in self.groups)
        return Query(groups, self.excluded) if all(group.alternatives for group in groups) else None

    def ranked(self) -> list[tuple[float, Query]]:
        """What the rank sums: each tier's query that can match with its weight (`TIER_WEIGHTS`), a query
        that several tiers share (no synonyms, no corrections) once with their weights together."""
        weights: dict[Query, float] = {}
        for tier, weight in TIER_WEIGHTS.items():
            query = self.at_least(tier)
            if query is not None:
                weights[query] = weights.get(query, 0.0) + weight
        return [(weight, query) for query, weight in weights.items()]


class _Alternatives:
    def __init__(self) -> None:
        self.found: dict[tuple[tuple[str, ...], bool], Alternative] = {}

    def add(self, words: tuple[str, ...], *, tier: int, phrase: bool = True, stem: bool = False) -> None:
        self.found.setdefault((words, phrase), Alternative(words, phrase, tier, stem))

    def add_with_synonyms(self, word: str, *, tier: int) -> None:
        self.add((word,), tier=tier)
        for phrase in thesaurus().synonyms((word,)):
            self.add(phrase, tier=min(tier, SYNONYM))


def read_query(text: str) -> Query:
    """The groups of alternatives a query means (see the module's description)."""
    words, excluded = query_words(text)
    if not words:
        return Query((), tuple(excluded))
    spellings = [danish_spelling(word) for word in words]
    known = vocabulary(sorted(set(words) | set(spellings)))
    book = thesaurus()
    groups = []
    at = 0
    while at < len(words):
        for length in range(min(book.longest, len(words) - at), 1, -1):
            phrases = book.synonyms(tuple(words[at : at + length]))
            if phrases:
                typed = tuple(words[at : at + length])
                alternatives = [Alternative(p, tier=OWN if p == typed else SYNONYM) for p in phrases]
                groups.append(Group(" ".join(typed), tuple(alternatives)))
                at += length
                break
        else:
            groups.append(_word_group(words[at], spellings[at], known))
            at += 1
    return Query(tuple(groups), tuple(excluded))


def _word_group(word: str, spelling: str, known: Vocabulary) -> Group:
    forms = [word] if spelling == word else [word, spelling]
    found = _Alternatives()
    for form in forms:
        found.add_with_synonyms(form, tier=OWN)
        if len(form) >= PREFIX_FROM and form.isalpha():
            for stem in stems(form):
                found.add((stem,), tier=OWN, stem=True)
    is_known = any(known.known(form) for form in forms)
    for form in forms:
        for term in known.similar(form, SIMILAR_KNOWN if is_known else SIMILAR_UNKNOWN)[:MAX_CORRECTIONS]:
            found.add_with_synonyms(term, tier=CORRECTION)
        if len(form) >= PART_FROM and form.isalpha():
            for term in known.containing(form):
                found.add((term,), tier=CORRECTION)
        if not is_known and len(form) >= SPLIT_FROM and form.isalpha():
            for first, second in known.splits(form):
                found.add((first, second), tier=CORRECTION, phrase=False)
    return Group(word, tuple(found.found.values()))


def suggestions(text: str) -> list[str]:
    """Queries to offer when `text` finds nothing, best first: each unknown word replaced by the
    nearest known one, then each word (corrected) on its own."""
    words, excluded = query_words(text)
    known = vocabulary(words)
    corrected = []
    for word in words:
        if known.known(word) or word.isdigit():
            corrected.append(word)
        else:
            nearest = known.similar(word, SUGGEST_FROM)
            if nearest:
                corrected.append(nearest[0])
    offers = [" ".join(corrected)] if corrected else []
    if len(corrected) > 1:
        offers += corrected
    unwanted = "".join(f" -{word}" for word in excluded)
    typed = " ".join(words)
    return [offer + unwanted for offer in dict.fromkeys(offers) if offer != typed]


# ---------------------------------------------------------------- matching and ranking


def match_and_rank(instances: QuerySet[ActivityInstance], query: Query) -> QuerySet[ActivityInstance]:
    """The runs whose activity matches every group of the query and none of its excluded words,
    annotated with `rank` (higher first)."""
    if not query.groups:
        return instances.annotate(rank=Value(0.0))
    if connection.vendor == "postgresql":
        return _postgresql(instances, query)
    return _sqlite(instances, query)


def _terms(alternative: Alternative) -> list[tuple[str, bool]]:
    """Each word of the alternative and whether it matches as a prefix: words of `PREFIX_FROM` letters
    or more, in a phrase only the last (FTS5 allows no other)."""
    last = len(alternative.words) - 1
    return [
        (
            word,
            (index == last or not alternative.phrase)
            and (alternative.stem or len(word) >= PREFIX_FROM)
            and not word.isdigit(),
        )
        for index, word in enumerate(alternative.words)
    ]


def _tsquery(alternatives: Iterable[Alternative]) -> str:
    """to_tsquery text for alternatives (any of them); words hold only letters and digits. Python's
    stems are left out: to_tsquery stems every word with the same Snowball stemmers."""
    found = []
    for alternative in alternatives:
        if alternative.stem:
            continue
        terms = [f"{word}:*" if prefix else word for word, prefix in _terms(alternative)]
        found.append("(" + (" <-> " if alternative.phrase else " & ").join(terms) + ")")
    return " | ".join(found)


def _postgresql(instances: QuerySet[ActivityInstance], query: Query) -> QuerySet[ActivityInstance]:
    from django.contrib.postgres.search import SearchQuery, SearchRank

    def either(text: str) -> SearchQuery:
        """Stemmed in Danish or in English (English pages are found with English words)."""
        return SearchQuery(text, config="ajour_danish", search_type="raw") | SearchQuery(
            text, config="ajour_english", search_type="raw"
        )

    def tsquery(of: Query, *, excluding: bool) -> SearchQuery:
        combined = either(_tsquery(of.groups[0].alternatives))
        for group in of.groups[1:]:
            combined &= either(_tsquery(group.alternatives))
        if excluding and of.excluded:  # neither in Danish nor in English
            excluded = _tsquery(Alternative((word,)) for word in of.excluded)
            combined &= ~SearchQuery(excluded, config="ajour_danish", search_type="raw")
            combined &= ~SearchQuery(excluded, config="ajour_english", search_type="raw")
        return combined

    document = F("activity__search_document")
    rank = sum_of(
        weight * SearchRank(document, tsquery(of, excluding=False), weights=WEIGHTS)
        for weight, of in query.ranked()
    )
    return instances.filter(activity__search_document=tsquery(query, excluding=True)).annotate(rank=rank)


def _fts(alternatives: Iterable[Alternative]) -> str:
    """An FTS5 MATCH expression for alternatives (any of them); words hold only letters and digits."""
    found = []
    for alternative in alternatives:
        terms = [(f'"{word}"*' if prefix else f'"{word}"') for word, prefix in _terms(alternative)]
        if alternative.phrase:  # one quoted phrase; a prefix mark can only follow it
            found.append(f'"{" ".join(alternative.words)}"' + ("*" if terms[-1].endswith("*") else ""))
        else:
            found.append("(" + " AND ".join(terms) + ")")
    return "(" + " OR ".join(found) + ")"


def _match(query: Query, *, excluding: bool) -> str:
    expression = " AND ".join(_fts(group.alternatives) for group in query.groups)
    if excluding and query.excluded:
        expression = f"({expression}) NOT {_fts(Alternative((word,)) for word in query.excluded)}"
    return expression


def _hits(column: int) -> str:
    """The matches in one column of the FTS5 row (marked by highlight()), at most MAX_HITS."""
    marked = f"highlight(catalogue_activity_fts, {column}, char(1), '')"
    return f"min(length({marked}) - length(replace({marked}, char(1), '')), {MAX_HITS})"


class _Score(Expression):
    """How well the activity's FTS5 row matches an expression: its matches per column, weighted like
    PostgreSQL's ts_rank weights A, B, C (NULL: no match). FTS5's own bm25 is left out on purpose: it
    divides by the length of the whole row, so a long description would bury a match in the title.

    The scores of all matching activities are one materialised CTE, computed once per statement (a
    correlated MATCH per run cost a hundred times more); each run looks its activity up in it."""

    output_field = FloatField()
    template = (
        "(WITH scores AS MATERIALIZED (SELECT rowid AS activity_id, "
        + " + ".join(f"{weight} * {_hits(column)}" for column, weight in enumerate(COLUMN_WEIGHTS))
        + " AS score FROM catalogue_activity_fts WHERE catalogue_activity_fts MATCH %s) "
        "SELECT score FROM scores WHERE activity_id = {activity})"
    )

    def __init__(self, match: str, activity: Combinable) -> None:
        super().__init__()
        self.match = match
        self.activity = activity

    def get_source_expressions(self) -> list[Combinable]:
        return [self.activity]

    def set_source_expressions(self, expressions: Sequence[Combinable]) -> None:
        (self.activity,) = expressions

    def as_sql(
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper
    ) -> tuple[str, tuple[str | int, ...]]:
        column, params = compiler.compile(self.activity)  # type: ignore[arg-type]
        return self.template.format(activity=column), (self.match, *params)


def _sqlite(instances: QuerySet[ActivityInstance], query: Query) -> QuerySet[ActivityInstance]:
    matching = RawSQL(
        "SELECT rowid FROM catalogue_activity_fts WHERE catalogue_activity_fts MATCH %s",
        (_match(query, excluding=True),),
    )
    rank = sum_of(
        weight * Coalesce(_Score(_match(of, excluding=False), F("activity_id")), 0.0)
        for weight, of in query.ranked()
    )
    return instances.filter(activity_id__in=matching).annotate(rank=rank)


def sum_of(terms: Iterable[Combinable]) -> Combinable:
    total: Combinable | None = None
    for term in terms:
        total = term if total is None else total + term
    assert total is not None
    return total

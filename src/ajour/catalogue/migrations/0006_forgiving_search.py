"""The forgiving search index (ajour.catalogue.search), kept by database triggers on both databases.

PostgreSQL (needs the extensions `unaccent` and `pg_trgm`; CREATE EXTENSION needs a superuser once, or
have the DBA create them in the database before migrating):
- text search configurations `ajour_danish` and `ajour_english`: the Danish and English stemmers after
  `unaccent` (Ménière = meniere);
- the stored document of 0004 now holds the title (weight A), the topic's and its parent topic's names in
  Danish and English (B) and the description (C), each in both configurations; a topic rename refreshes
  its activities' documents;
- the vocabulary `catalogue_search_term(term, doc)`: every word of the activities' titles and
  descriptions and of the topic names, with the number of rows using it, kept by row triggers (and
  rebuilt after TRUNCATE), with a pg_trgm GIN index for similarity and LIKE.

SQLite: an FTS5 table `catalogue_activity_fts(title, topics, description)` (rowid = activity id, the
unicode61 tokenizer), kept by triggers, and `catalogue_search_term`, FTS5's vocabulary of it (fts5vocab).
"""

from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

TOPICS_OF = (  # the names of the activity row NEW's topic and of its parent topic
    "(SELECT concat_ws(' ', t.name_da, t.name_en, p.name_da, p.name_en) FROM catalogue_topic t "
    "LEFT JOIN catalogue_topic p ON p.id = t.parent_id WHERE t.id = NEW.topic_id)"
)
COUNT_ALL = """INSERT INTO catalogue_search_term (term, doc)
    SELECT t, count(*) FROM (
      SELECT unnest(catalogue_search_terms_of(concat_ws(' ', title, description))) FROM catalogue_activity
      UNION ALL
      SELECT unnest(catalogue_search_terms_of(concat_ws(' ', name_da, name_en))) FROM catalogue_topic
    ) AS words (t) GROUP BY t"""


def _document(part: str, weight: str) -> str:
    return " || ".join(
        f"setweight(to_tsvector('{config}'::regconfig, COALESCE({part}, '')), '{weight}')"
        for config in ("ajour_danish", "ajour_english")
    )


POSTGRESQL = [
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE TEXT SEARCH CONFIGURATION ajour_danish (COPY = pg_catalog.danish)",
    "ALTER TEXT SEARCH CONFIGURATION ajour_danish ALTER MAPPING FOR hword, hword_part, word "
    "WITH unaccent, danish_stem",
    "CREATE TEXT SEARCH CONFIGURATION ajour_english (COPY = pg_catalog.english)",
    "ALTER TEXT SEARCH CONFIGURATION ajour_english ALTER MAPPING FOR hword, hword_part, word "
    "WITH unaccent, english_stem",
    # The document.
    "DROP TRIGGER IF EXISTS catalogue_activity_search_document ON catalogue_activity",
    f"""CREATE OR REPLACE FUNCTION catalogue_activity_search_document() RETURNS trigger AS $$
    DECLARE topics text := {TOPICS_OF};
    BEGIN
      NEW.search_document := {_document("NEW.title", "A")} || {_document("topics", "B")}
        || {_document("NEW.description", "C")};
      RETURN NEW;
    END $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER catalogue_activity_search_document
    BEFORE INSERT OR UPDATE OF title, description, topic_id, search_document ON catalogue_activity
    FOR EACH ROW EXECUTE FUNCTION catalogue_activity_search_document()""",
    """CREATE FUNCTION catalogue_topic_search_document() RETURNS trigger AS $$
    BEGIN
      UPDATE catalogue_activity SET search_document = NULL
      WHERE topic_id = NEW.id OR topic_id IN (SELECT id FROM catalogue_topic WHERE parent_id = NEW.id);
      RETURN NULL;
    END $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER catalogue_topic_search_document
    AFTER UPDATE OF name_da, name_en, parent_id ON catalogue_topic
    FOR EACH ROW EXECUTE FUNCTION catalogue_topic_search_document()""",
    # The vocabulary.
    "CREATE TABLE catalogue_search_term (term text PRIMARY KEY, doc integer NOT NULL)",
    "CREATE INDEX catalogue_search_term_trigram ON catalogue_search_term USING GIN (term gin_trgm_ops)",
    """CREATE FUNCTION catalogue_search_terms_of(body text) RETURNS text[] AS $$
      SELECT tsvector_to_array(to_tsvector('simple', regexp_replace(COALESCE(body, ''), '[^[:alnum:]]+', ' ', 'g')))
    $$ LANGUAGE sql IMMUTABLE""",
    # Counts change for the words that differ between the old and the new text, locked in word order.
    """CREATE FUNCTION catalogue_search_terms_count(old_body text, new_body text) RETURNS void AS $$
    DECLARE
      old_terms text[] := catalogue_search_terms_of(old_body);
      new_terms text[] := catalogue_search_terms_of(new_body);
      gone text[] := ARRAY(SELECT unnest(old_terms) EXCEPT SELECT unnest(new_terms));
      added text[] := ARRAY(SELECT unnest(new_terms) EXCEPT SELECT unnest(old_terms));
    BEGIN
      PERFORM 1 FROM catalogue_search_term WHERE term = ANY(gone || added) ORDER BY term FOR UPDATE;
      UPDATE catalogue_search_term SET doc = doc - 1 WHERE term = ANY(gone);
      DELETE FROM catalogue_search_term WHERE term = ANY(gone) AND doc <= 0;
      INSERT INTO catalogue_search_term (term, doc) SELECT t, 1 FROM unnest(added) t ORDER BY t
      ON CONFLICT (term) DO UPDATE SET doc = catalogue_search_term.doc + 1;
    END $$ LANGUAGE plpgsql""",
    """CREATE FUNCTION catalogue_activity_search_terms() RETURNS trigger AS $$
    BEGIN
      PERFORM catalogue_search_terms_count(
        CASE WHEN TG_OP = 'INSERT' THEN NULL ELSE concat_ws(' ', OLD.title, OLD.description) END,
        CASE WHEN TG_OP = 'DELETE' THEN NULL ELSE concat_ws(' ', NEW.title, NEW.description) END);
      RETURN NULL;
    END $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER catalogue_activity_search_terms
    AFTER INSERT OR DELETE OR UPDATE OF title, description ON catalogue_activity
    FOR EACH ROW EXECUTE FUNCTION catalogue_activity_search_terms()""",
    """CREATE FUNCTION catalogue_topic_search_terms() RETURNS trigger AS $$
    BEGIN
      PERFORM catalogue_search_terms_count(
        CASE WHEN TG_OP = 'INSERT' THEN NULL ELSE concat_ws(' ', OLD.name_da, OLD.name_en) END,
        CASE WHEN TG_OP = 'DELETE' THEN NULL ELSE concat_ws(' ', NEW.name_da, NEW.name_en) END);
      RETURN NULL;
    END $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER catalogue_topic_search_terms
    AFTER INSERT OR DELETE OR UPDATE OF name_da, name_en ON catalogue_topic
    FOR EACH ROW EXECUTE FUNCTION catalogue_topic_search_terms()""",
    # Row triggers do not see TRUNCATE (Django's test flush uses it): count again from what is left.
    f"""CREATE FUNCTION catalogue_search_terms_rebuild() RETURNS trigger AS $$
    BEGIN DELETE FROM catalogue_search_term; {COUNT_ALL}; RETURN NULL; END $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER catalogue_activity_search_terms_truncate AFTER TRUNCATE ON catalogue_activity
    FOR EACH STATEMENT EXECUTE FUNCTION catalogue_search_terms_rebuild()""",
    """CREATE TRIGGER catalogue_topic_search_terms_truncate AFTER TRUNCATE ON catalogue_topic
    FOR EACH STATEMENT EXECUTE FUNCTION catalogue_search_terms_rebuild()""",
    # What is there already: documents again, and the vocabulary.
    "UPDATE catalogue_activity SET search_document = NULL",
    COUNT_ALL,
]
POSTGRESQL_BACK = [
    "DROP TRIGGER IF EXISTS catalogue_topic_search_terms_truncate ON catalogue_topic",
    "DROP TRIGGER IF EXISTS catalogue_activity_search_terms_truncate ON catalogue_activity",
    "DROP FUNCTION IF EXISTS catalogue_search_terms_rebuild()",
    "DROP TRIGGER IF EXISTS catalogue_topic_search_terms ON catalogue_topic",
    "DROP FUNCTION IF EXISTS catalogue_topic_search_terms()",
    "DROP TRIGGER IF EXISTS catalogue_activity_search_terms ON catalogue_activity",
    "DROP FUNCTION IF EXISTS catalogue_activity_search_terms()",
    "DROP FUNCTION IF EXISTS catalogue_search_terms_count(text, text)",
    "DROP FUNCTION IF EXISTS catalogue_search_terms_of(text)",
    "DROP TABLE IF EXISTS catalogue_search_term",
    "DROP TRIGGER IF EXISTS catalogue_topic_search_document ON catalogue_topic",
    "DROP FUNCTION IF EXISTS catalogue_topic_search_document()",
    "DROP TRIGGER IF EXISTS catalogue_activity_search_document ON catalogue_activity",
    # The document of 0004.
    """CREATE OR REPLACE FUNCTION catalogue_activity_search_document() RETURNS trigger AS $$
    BEGIN NEW.search_document := setweight(to_tsvector('danish'::regconfig, COALESCE(NEW.title, '')), 'A') ||
      setweight(to_tsvector('danish'::regconfig, COALESCE(NEW.description, '')), 'B'); RETURN NEW; END $$
    LANGUAGE plpgsql""",
    """CREATE TRIGGER catalogue_activity_search_document
    BEFORE INSERT OR UPDATE OF title, description, search_document ON catalogue_activity
    FOR EACH ROW EXECUTE FUNCTION catalogue_activity_search_document()""",
    "UPDATE catalogue_activity SET search_document = NULL",
    "DROP TEXT SEARCH CONFIGURATION IF EXISTS ajour_english",
    "DROP TEXT SEARCH CONFIGURATION IF EXISTS ajour_danish",
]

FTS_ROW = (  # the FTS5 rows of the activities `a` that {where} selects
    "INSERT INTO catalogue_activity_fts (rowid, title, topics, description) "
    "SELECT a.id, a.title, (SELECT t.name_da || ' ' || t.name_en || COALESCE(' ' || p.name_da || ' ' || p.name_en, '') "
    "FROM catalogue_topic t LEFT JOIN catalogue_topic p ON p.id = t.parent_id WHERE t.id = a.topic_id), "
    "a.description FROM catalogue_activity a WHERE {where}"
)
SQLITE = [
    "CREATE VIRTUAL TABLE catalogue_activity_fts USING fts5(title, topics, description, "
    "tokenize = 'unicode61 remove_diacritics 0')",
    "CREATE VIRTUAL TABLE catalogue_search_term USING fts5vocab(catalogue_activity_fts, 'row')",
    f"""CREATE TRIGGER catalogue_activity_fts_insert AFTER INSERT ON catalogue_activity BEGIN
      {FTS_ROW.format(where="a.id = NEW.id")}; END""",
    f"""CREATE TRIGGER catalogue_activity_fts_update AFTER UPDATE OF title, description, topic_id
    ON catalogue_activity
    WHEN OLD.title IS NOT NEW.title OR OLD.description IS NOT NEW.description OR OLD.topic_id IS NOT NEW.topic_id
    BEGIN
      DELETE FROM catalogue_activity_fts WHERE rowid = OLD.id;
      {FTS_ROW.format(where="a.id = NEW.id")};
    END""",
    """CREATE TRIGGER catalogue_activity_fts_delete AFTER DELETE ON catalogue_activity BEGIN
      DELETE FROM catalogue_activity_fts WHERE rowid = OLD.id; END""",
    f"""CREATE TRIGGER catalogue_topic_fts_update AFTER UPDATE OF name_da, name_en, parent_id ON catalogue_topic
    BEGIN
      DELETE FROM catalogue_activity_fts WHERE rowid IN (SELECT id FROM catalogue_activity
        WHERE topic_id = NEW.id OR topic_id IN (SELECT id FROM catalogue_topic WHERE parent_id = NEW.id));
      {FTS_ROW.format(where="a.topic_id = NEW.id OR a.topic_id IN (SELECT id FROM catalogue_topic WHERE parent_id = NEW.id)")};
    END""",
    FTS_ROW.format(where="1"),
]
SQLITE_BACK = [
    "DROP TRIGGER IF EXISTS catalogue_topic_fts_update",
    "DROP TRIGGER IF EXISTS catalogue_activity_fts_delete",
    "DROP TRIGGER IF EXISTS catalogue_activity_fts_update",
    "DROP TRIGGER IF EXISTS catalogue_activity_fts_insert",
    "DROP TABLE IF EXISTS catalogue_search_term",
    "DROP TABLE IF EXISTS catalogue_activity_fts",
]


def forward(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    vendor = schema_editor.connection.vendor
    for statement in POSTGRESQL if vendor == "postgresql" else SQLITE if vendor == "sqlite" else []:
        schema_editor.execute(statement, params=None)


def backward(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    vendor = schema_editor.connection.vendor
    for statement in POSTGRESQL_BACK if vendor == "postgresql" else SQLITE_BACK if vendor == "sqlite" else []:
        schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):
    dependencies = [("catalogue", "0005_activity_dge_group")]

    operations = [
        migrations.RunPython(forward, backward),
        migrations.AddIndex(
            model_name="activityinstance",
            index=models.Index(fields=["activity", "starts_on"], name="catalogue_run_activity_date"),
        ),
    ]

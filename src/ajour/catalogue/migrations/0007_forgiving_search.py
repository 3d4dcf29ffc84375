"""The forgiving search index (ajour.catalogue.search), kept by database triggers on both databases.

PostgreSQL (needs the extensions `unaccent` and `pg_trgm`; CREATE EXTENSION needs a superuser once, or
have the DBA create them in the database before migrating):
- text search configurations `ajour_danish` and `ajour_english`: the Danish and English stemmers after
  `unaccent` (Ménière = meniere);
- the stored document of 0004 now holds the title (weight A), the topic's and its parent topic's names in
  Danish and English (B) and the description (C), each in both configurations; a topic rename refreshes
  its activities' documents;
- the vocabulary `catalogue_search_term(term, doc)`: every word of the activities' titles and
  descriptions and of the topic names, with the number of rows using it, kept by statement triggers
  (one summed change per statement, so bulk loads write each word once; and
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


def _term_triggers(table: str, columns: list[str]) -> list[str]:
    """Statement triggers (with transition tables) that keep the vocabulary's counts for the text in
    `columns` of `table`: one summed change per statement, however many rows a bulk insert writes."""

    def body(rows: str) -> str:
        return "concat_ws(' ', " + ", ".join(f"{rows}.{column}" for column in columns) + ")"

    function = f"{table}_search_terms"
    changed = f"FROM old_rows o JOIN new_rows n USING (id) WHERE {body('o')} IS DISTINCT FROM {body('n')}"
    return [
        f"""CREATE FUNCTION {function}() RETURNS trigger AS $$
        BEGIN
          IF TG_OP = 'INSERT' THEN
            PERFORM catalogue_search_terms_change('{{}}', ARRAY(SELECT {body("n")} FROM new_rows n));
          ELSIF TG_OP = 'DELETE' THEN
            PERFORM catalogue_search_terms_change(ARRAY(SELECT {body("o")} FROM old_rows o), '{{}}');
          ELSE
            PERFORM catalogue_search_terms_change(ARRAY(SELECT {body("o")} {changed}),
                                                   ARRAY(SELECT {body("n")} {changed}));
          END IF;
          RETURN NULL;
        END $$ LANGUAGE plpgsql""",
        f"""CREATE TRIGGER {function}_insert AFTER INSERT ON {table} REFERENCING NEW TABLE AS new_rows
        FOR EACH STATEMENT EXECUTE FUNCTION {function}()""",
        f"""CREATE TRIGGER {function}_delete AFTER DELETE ON {table} REFERENCING OLD TABLE AS old_rows
        FOR EACH STATEMENT EXECUTE FUNCTION {function}()""",
        f"""CREATE TRIGGER {function}_update AFTER UPDATE ON {table}
        REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
        FOR EACH STATEMENT EXECUTE FUNCTION {function}()""",
    ]


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
    # A statement's rows change the counts of the words that differ, summed, locked in word order.
    """CREATE FUNCTION catalogue_search_terms_change(old_bodies text[], new_bodies text[]) RETURNS void AS $$
    DECLARE terms text[]; deltas integer[];
    BEGIN
      SELECT array_agg(t ORDER BY t), array_agg(d ORDER BY t) INTO terms, deltas FROM (
        SELECT t, sum(d)::integer AS d FROM (
          SELECT unnest(catalogue_search_terms_of(b)) AS t, 1 AS d FROM unnest(new_bodies) AS b
          UNION ALL
          SELECT unnest(catalogue_search_terms_of(b)), -1 FROM unnest(old_bodies) AS b
        ) AS words GROUP BY t HAVING sum(d) <> 0
      ) AS delta;
      IF terms IS NULL THEN RETURN; END IF;
      PERFORM 1 FROM catalogue_search_term WHERE term = ANY(terms) ORDER BY term FOR UPDATE;
      INSERT INTO catalogue_search_term (term, doc) SELECT * FROM unnest(terms, deltas) ORDER BY 1
      ON CONFLICT (term) DO UPDATE SET doc = catalogue_search_term.doc + EXCLUDED.doc;
      DELETE FROM catalogue_search_term WHERE term = ANY(terms) AND doc <= 0;
    END $$ LANGUAGE plpgsql""",
    *_term_triggers("catalogue_activity", ["title", "description"]),
    *_term_triggers("catalogue_topic", ["name_da", "name_en"]),
    # TRUNCATE fires no row triggers (Django's test flush uses it): count again from what is left.
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
    *(
        f"DROP TRIGGER IF EXISTS {table}_search_terms_{event} ON {table}"
        for table in ("catalogue_topic", "catalogue_activity")
        for event in ("insert", "delete", "update")
    ),
    "DROP FUNCTION IF EXISTS catalogue_topic_search_terms()",
    "DROP FUNCTION IF EXISTS catalogue_activity_search_terms()",
    "DROP FUNCTION IF EXISTS catalogue_search_terms_change(text[], text[])",
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
    dependencies = [("catalogue", "0006_free_text_length")]

    operations = [
        migrations.RunPython(forward, backward),
        migrations.AddIndex(
            model_name="activityinstance",
            index=models.Index(
                fields=["activity", "starts_on", "ends_on", "region", "town", "venue", "id"],
                name="catalogue_run_identical",
            ),
        ),
    ]

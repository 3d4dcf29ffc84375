"""A stored Danish full-text document per activity, kept by a trigger and GIN-indexed (PostgreSQL only).

The expression index of 0003 made PostgreSQL recompute the vector for every matching run when ranking;
a stored column makes ranking and counting cheap. SQLite gets the (always empty) column and nothing else.
"""

import django.contrib.postgres.search
from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

DOCUMENT = (
    "setweight(to_tsvector('danish'::regconfig, COALESCE(NEW.title, '')), 'A') || "
    "setweight(to_tsvector('danish'::regconfig, COALESCE(NEW.description, '')), 'B')"
)
FORWARD = [
    "DROP INDEX IF EXISTS catalogue_activity_search_danish",
    f"""CREATE OR REPLACE FUNCTION catalogue_activity_search_document() RETURNS trigger AS $$
    BEGIN NEW.search_document := {DOCUMENT}; RETURN NEW; END $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER catalogue_activity_search_document
    BEFORE INSERT OR UPDATE OF title, description, search_document ON catalogue_activity
    FOR EACH ROW EXECUTE FUNCTION catalogue_activity_search_document()""",
    "UPDATE catalogue_activity SET title = title",
    "CREATE INDEX catalogue_activity_search_document ON catalogue_activity USING GIN (search_document)",
]
BACKWARD = [
    "DROP INDEX IF EXISTS catalogue_activity_search_document",
    "DROP TRIGGER IF EXISTS catalogue_activity_search_document ON catalogue_activity",
    "DROP FUNCTION IF EXISTS catalogue_activity_search_document()",
]


def forward(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        for statement in FORWARD:
            schema_editor.execute(statement)


def backward(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        for statement in BACKWARD:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("catalogue", "0003_search_index")]

    operations = [
        migrations.AddField(
            model_name="activity",
            name="search_document",
            field=django.contrib.postgres.search.SearchVectorField(editable=False, null=True),
        ),
        migrations.RunPython(forward, backward),
    ]

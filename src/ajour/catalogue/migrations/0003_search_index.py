"""A GIN index for Danish full-text search of activities, on PostgreSQL only (SQLite searches with LIKE).

The indexed expression is exactly the one `ajour.catalogue.selectors._text_match` builds with
SearchVector(title, weight A) + SearchVector(description, weight B), config 'danish', so the planner uses it.
"""

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

INDEX = "catalogue_activity_search_danish"
VECTOR = (
    "(setweight(to_tsvector('danish'::regconfig, COALESCE(\"title\", '')), 'A') || "
    "setweight(to_tsvector('danish'::regconfig, COALESCE(\"description\", '')), 'B'))"
)


def create_index(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {INDEX} ON catalogue_activity USING GIN ({VECTOR})")


def drop_index(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("catalogue", "0002_approval_workflow")]

    operations = [migrations.RunPython(create_index, drop_index)]

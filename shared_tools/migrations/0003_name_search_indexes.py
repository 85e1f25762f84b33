"""Indexes for the tool library's search (`shared_tools.search`): a substring of the name or the
id. On SQLite a trigram full-text index over both columns (FTS5, `tokenize='trigram'`, SQLite
3.34+), kept in step by triggers; on PostgreSQL trigram GIN indexes on UPPER(display_name) and
UPPER(telnyx_id) (what `icontains` compiles to) when pg_trgm can be had. Without them the search
reads every name (100,000 tools: bench/pages_at_scale.py), as before.

Caution: on SQLite an AlterField on `shared_tools_sharedtool` makes Django copy the table and drop
these triggers silently; change the table with separate operations (tests/shared_tools/test_search.py
checks the index follows inserts, renames and deletes)."""

import sqlite3

from django.db import migrations

from core.migration_ops import fts5_trigram, trigram_available

TABLE = "shared_tools_search_trigram"
SOURCE = "shared_tools_sharedtool"
SQLITE_CREATE, SQLITE_DROP = fts5_trigram(TABLE, SOURCE, ["display_name", "telnyx_id"], triggers="shared_tools_search")
POSTGRES_CREATE = [
    f"CREATE INDEX IF NOT EXISTS shared_tool_name_upper_trgm ON {SOURCE} USING GIN (UPPER(display_name::text) gin_trgm_ops)",
    f"CREATE INDEX IF NOT EXISTS shared_tool_id_upper_trgm ON {SOURCE} USING GIN (UPPER(telnyx_id::text) gin_trgm_ops)",
]
POSTGRES_DROP = ["DROP INDEX IF EXISTS shared_tool_id_upper_trgm", "DROP INDEX IF EXISTS shared_tool_name_upper_trgm"]


def create(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite" and sqlite3.sqlite_version_info >= (3, 34):
        for statement in SQLITE_CREATE:
            schema_editor.execute(statement)
    elif vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            if trigram_available(cursor):
                for statement in POSTGRES_CREATE:
                    cursor.execute(statement)


def drop(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for statement in {"sqlite": SQLITE_DROP, "postgresql": POSTGRES_DROP}.get(vendor, []):
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("shared_tools", "0002_changelist_order_indexes")]

    operations = [migrations.RunPython(create, drop)]

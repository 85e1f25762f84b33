"""Indexes for the tool library's search (`shared_tools.search`): a substring of the name or the
id. On SQLite a trigram full-text index over both columns (FTS5, `tokenize='trigram'`, SQLite
3.34+), kept in step by triggers; on PostgreSQL trigram GIN indexes on UPPER(display_name) and
UPPER(telnyx_id) (what `icontains` compiles to) when pg_trgm can be had. Without them the search
reads every name (100,000 tools: bench/pages_at_scale.py), as before.

Caution: on SQLite an AlterField on `shared_tools_sharedtool` makes Django copy the table and drop
these triggers silently; change the table with separate operations (tests/shared_tools/test_search.py
checks the index follows inserts, renames and deletes)."""

import sqlite3

from django.db import migrations, transaction

TABLE = "shared_tools_search_trigram"
SOURCE = "shared_tools_sharedtool"
SQLITE_CREATE = [
    f"""CREATE VIRTUAL TABLE IF NOT EXISTS {TABLE} USING fts5(
           display_name, telnyx_id, content='{SOURCE}', content_rowid='id', tokenize='trigram')""",
    f"INSERT INTO {TABLE}({TABLE}) VALUES ('rebuild')",
    f"""CREATE TRIGGER IF NOT EXISTS shared_tools_search_ai AFTER INSERT ON {SOURCE} BEGIN
           INSERT INTO {TABLE}(rowid, display_name, telnyx_id) VALUES (new.id, new.display_name, new.telnyx_id); END""",
    f"""CREATE TRIGGER IF NOT EXISTS shared_tools_search_ad AFTER DELETE ON {SOURCE} BEGIN
           INSERT INTO {TABLE}({TABLE}, rowid, display_name, telnyx_id)
           VALUES ('delete', old.id, old.display_name, old.telnyx_id); END""",
    f"""CREATE TRIGGER IF NOT EXISTS shared_tools_search_au AFTER UPDATE OF display_name, telnyx_id ON {SOURCE} BEGIN
           INSERT INTO {TABLE}({TABLE}, rowid, display_name, telnyx_id)
           VALUES ('delete', old.id, old.display_name, old.telnyx_id);
           INSERT INTO {TABLE}(rowid, display_name, telnyx_id) VALUES (new.id, new.display_name, new.telnyx_id); END""",
]
SQLITE_DROP = ["DROP TRIGGER IF EXISTS shared_tools_search_au", "DROP TRIGGER IF EXISTS shared_tools_search_ad",
               "DROP TRIGGER IF EXISTS shared_tools_search_ai", f"DROP TABLE IF EXISTS {TABLE}"]
POSTGRES_CREATE = [
    f"CREATE INDEX IF NOT EXISTS shared_tool_name_upper_trgm ON {SOURCE} USING GIN (UPPER(display_name::text) gin_trgm_ops)",
    f"CREATE INDEX IF NOT EXISTS shared_tool_id_upper_trgm ON {SOURCE} USING GIN (UPPER(telnyx_id::text) gin_trgm_ops)",
]
POSTGRES_DROP = ["DROP INDEX IF EXISTS shared_tool_id_upper_trgm", "DROP INDEX IF EXISTS shared_tool_name_upper_trgm"]


def trigram_available(cursor) -> bool:
    """pg_trgm installed, or installable by this role (a failed CREATE EXTENSION is rolled back)."""
    cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")
    if cursor.fetchone():
        return True
    cursor.execute("SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm'")
    if not cursor.fetchone():
        return False
    try:
        with transaction.atomic():
            cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except Exception:  # no privilege: the search scans, nothing else changes
        return False
    return True


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

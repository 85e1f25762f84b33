"""On SQLite, a trigram full-text index over conversation names (FTS5, `tokenize='trigram'`,
SQLite 3.34+), kept in step by triggers, so the call log's name side finds a substring through
an index as PostgreSQL's pg_trgm index does (migration 0010) instead of reading every name
(0.2 s per query at 100,000). An older SQLite without the trigram tokenizer keeps the scan.
Also an index on LOWER(telnyx_id): the id prefix, case-insensitive as `istartswith`, becomes a
range on it (SQLite's LIKE reads every row)."""

import sqlite3

from django.db import migrations

from core.migration_ops import fts5_trigram

TABLE = "conversations_name_trigram"
CREATE, _DROP_INDEX = fts5_trigram(TABLE, "conversations_conversation", ["name"], triggers="conversations_name")
ID_LOWER = "CREATE INDEX IF NOT EXISTS conv_telnyx_id_lower ON conversations_conversation (LOWER(telnyx_id))"
DROP = ["DROP INDEX IF EXISTS conv_telnyx_id_lower", *_DROP_INDEX]


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(ID_LOWER)
    if schema_editor.connection.vendor == "sqlite" and sqlite3.sqlite_version_info >= (3, 34):
        for statement in CREATE:
            schema_editor.execute(statement)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for statement in DROP:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("conversations", "0011_transcript_measures")]

    operations = [migrations.RunPython(create, drop)]

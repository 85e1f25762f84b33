"""What the search-index migrations share: whether pg_trgm can be had on PostgreSQL, and the
statements of an FTS5 trigram index kept in step with its table by triggers on SQLite.

Migrations import these, so what they run must never change: a new need is a new function.
"""

from __future__ import annotations

from django.db import transaction


def trigram_available(cursor) -> bool:
    """pg_trgm installed, or installable by this role (a failed CREATE EXTENSION is rolled back).
    False means no trigram index: the search it would serve scans, nothing else changes."""
    cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")
    if cursor.fetchone():
        return True
    cursor.execute("SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm'")
    if not cursor.fetchone():
        return False
    try:
        with transaction.atomic():
            cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except Exception:  # noqa: BLE001 - no privilege: no trigram index
        return False
    return True


def fts5_trigram(table: str, source: str, columns: list[str], triggers: str) -> tuple[list[str], list[str]]:
    """The statements that make (and drop) `table`, an FTS5 trigram index (SQLite 3.34+) over
    `source`'s `columns` by its `id`, filled once and kept in step by the triggers
    `<triggers>_ai`, `_ad` and `_au` (on an update of one of `columns`)."""
    cols = ", ".join(columns)
    new = ", ".join(f"new.{c}" for c in columns)
    old = ", ".join(f"old.{c}" for c in columns)
    create = [
        f"""CREATE VIRTUAL TABLE IF NOT EXISTS {table} USING fts5(
           {cols}, content='{source}', content_rowid='id', tokenize='trigram')""",
        f"INSERT INTO {table}({table}) VALUES ('rebuild')",
        f"""CREATE TRIGGER IF NOT EXISTS {triggers}_ai AFTER INSERT ON {source} BEGIN
           INSERT INTO {table}(rowid, {cols}) VALUES (new.id, {new}); END""",
        f"""CREATE TRIGGER IF NOT EXISTS {triggers}_ad AFTER DELETE ON {source} BEGIN
           INSERT INTO {table}({table}, rowid, {cols}) VALUES ('delete', old.id, {old}); END""",
        f"""CREATE TRIGGER IF NOT EXISTS {triggers}_au AFTER UPDATE OF {cols} ON {source} BEGIN
           INSERT INTO {table}({table}, rowid, {cols}) VALUES ('delete', old.id, {old});
           INSERT INTO {table}(rowid, {cols}) VALUES (new.id, {new}); END""",
    ]
    drop = [f"DROP TRIGGER IF EXISTS {triggers}_au", f"DROP TRIGGER IF EXISTS {triggers}_ad",
            f"DROP TRIGGER IF EXISTS {triggers}_ai", f"DROP TABLE IF EXISTS {table}"]
    return create, drop

"""The call log's full-text index over transcripts, per database, and the new call-log columns
filled from each cached conversation's metadata (what the next sync would write anyway)."""

from django.db import migrations

SQLITE = [
    # External-content FTS5 over the transcripts table, kept in step by triggers.
    """CREATE VIRTUAL TABLE conversations_transcript_fts USING fts5(
           text, content='conversations_conversationtranscript', content_rowid='id', tokenize='unicode61')""",
    """CREATE TRIGGER conversations_transcript_ai AFTER INSERT ON conversations_conversationtranscript BEGIN
           INSERT INTO conversations_transcript_fts(rowid, text) VALUES (new.id, new.text); END""",
    """CREATE TRIGGER conversations_transcript_ad AFTER DELETE ON conversations_conversationtranscript BEGIN
           INSERT INTO conversations_transcript_fts(conversations_transcript_fts, rowid, text) VALUES ('delete', old.id, old.text); END""",
    """CREATE TRIGGER conversations_transcript_au AFTER UPDATE ON conversations_conversationtranscript BEGIN
           INSERT INTO conversations_transcript_fts(conversations_transcript_fts, rowid, text) VALUES ('delete', old.id, old.text);
           INSERT INTO conversations_transcript_fts(rowid, text) VALUES (new.id, new.text); END""",
]
SQLITE_DROP = ["DROP TRIGGER IF EXISTS conversations_transcript_au", "DROP TRIGGER IF EXISTS conversations_transcript_ad",
               "DROP TRIGGER IF EXISTS conversations_transcript_ai", "DROP TABLE IF EXISTS conversations_transcript_fts"]
POSTGRES = ["""CREATE INDEX conversations_transcript_tsv ON conversations_conversationtranscript
               USING GIN (to_tsvector('simple', text))"""]
POSTGRES_DROP = ["DROP INDEX IF EXISTS conversations_transcript_tsv"]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)
    return run


def backfill(apps, schema_editor):
    from core.traffic import is_test_traffic

    Conversation = apps.get_model("conversations", "Conversation")
    changed = []
    for row in Conversation.objects.only("pk", "payload", "created_at", "last_message_at").iterator(chunk_size=2000):
        metadata = (row.payload or {}).get("metadata") or {}
        row.caller = str(metadata.get("telnyx_end_user_target") or "")[:100]
        row.callee = str(metadata.get("telnyx_agent_target") or "")[:100]
        row.is_test = is_test_traffic(metadata)
        row.end_reason = str(metadata.get("end_reason") or metadata.get("hangup_cause") or "")[:100]
        if row.created_at and row.last_message_at and row.last_message_at >= row.created_at:
            row.duration_seconds = int((row.last_message_at - row.created_at).total_seconds())
        changed.append(row)
        if len(changed) >= 2000:
            Conversation.objects.bulk_update(changed, ["caller", "callee", "is_test", "end_reason", "duration_seconds"])
            changed = []
    if changed:
        Conversation.objects.bulk_update(changed, ["caller", "callee", "is_test", "end_reason", "duration_seconds"])


class Migration(migrations.Migration):
    dependencies = [("conversations", "0006_call_log")]

    operations = [
        migrations.RunPython(_run({"sqlite": SQLITE, "postgresql": POSTGRES}),
                             _run({"sqlite": SQLITE_DROP, "postgresql": POSTGRES_DROP})),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]

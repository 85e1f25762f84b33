"""What bench/changelists.py and bench/repeat_view.py share: the environment (bench.settings over
BENCH_DATABASE_URL, or a new SQLite file), a fresh database, Django set up on import; the demo
account (`prepare`), the conversation and test caches as a finished sync leaves them, and every
listing marked freshly synced (`mark_synced`), so no measured page starts a sync.

    import bench.seeding as seeding   # first: sets the environment up and calls django.setup()
"""

from __future__ import annotations

import os
import sys
import tempfile
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PORT = int(os.environ.get("BENCH_PORT", "8115"))
DB_URL = os.environ.get("BENCH_DATABASE_URL", f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3")
os.environ.update({
    "DJANGO_SETTINGS_MODULE": "bench.settings", "DATABASE_URL": DB_URL, "PORT": str(PORT), "DEBUG": "false",
    "SECRET_KEY": "bench-secret-key-" + "x" * 40, "LOG_LEVEL": "WARNING", "CACHE_TTL": "86400",
    "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
})
os.environ.pop("TELNYX_API_KEY", None)
CONVERSATIONS = int(os.environ.get("BENCH_CONVERSATIONS", "100000"))
TESTS, SUITES = 10_000, 1_000


def fresh_database() -> None:
    if DB_URL.startswith("postgres"):
        import psycopg

        base, name = DB_URL.rsplit("/", 1)
        with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name}")
            conn.execute(f"CREATE DATABASE {name}")


import django  # noqa: E402

fresh_database()
django.setup()

from django.core.management import call_command  # noqa: E402
from django.utils import timezone  # noqa: E402

from assistants.models import Assistant  # noqa: E402
from conversations.models import Conversation  # noqa: E402
from conversations.rollups import rebuild as rebuild_rollups  # noqa: E402
from portal.models import SyncState  # noqa: E402
from sandbox.behaviour.bulk_seed import bulk_conversations  # noqa: E402
from sandbox.models import SbConversation  # noqa: E402
from testing.models import AssistantTest, TestSuite  # noqa: E402

# Filled by their own sync (over HTTP from the server's sandbox); the big lists are seeded directly.
SEEDED_DIRECTLY = {"conversations", "assistant-tests", "test-suites"}


def seed_cache_conversations() -> None:
    """The cache as a finished sync leaves it, written straight from the sandbox's rows, with the
    per-day rollups a sync keeps (the list's count reads them: without them it showed no rows)."""
    now, batch = timezone.now(), []
    rows = SbConversation.objects.order_by().values_list("id", "name", "metadata", "created_at", "last_message_at")
    for telnyx_id, name, metadata, created, last in rows.iterator(chunk_size=5000):
        batch.append(Conversation(
            telnyx_id=telnyx_id, name=name, assistant_id=metadata.get("assistant_id", ""),
            assistant_version_id=metadata.get("assistant_version_id", ""),
            channel=metadata.get("telnyx_conversation_channel", ""), created_at=created, last_message_at=last,
            payload={"id": telnyx_id, "name": name, "metadata": metadata}, synced_at=now))
        if len(batch) == 5000:
            Conversation.objects.bulk_create(batch, ignore_conflicts=True)
            batch = []
    Conversation.objects.bulk_create(batch, ignore_conflicts=True)
    rebuild_rollups()


def seed_cache_tests() -> None:
    now = timezone.now()
    destinations = list(Assistant.objects.values_list("telnyx_id", flat=True)) or [""]
    AssistantTest.objects.all().delete()
    TestSuite.objects.all().delete()
    TestSuite.objects.bulk_create([TestSuite(telnyx_id=f"suite-{s:04d}", name=f"suite-{s:04d}", synced_at=now)
                                   for s in range(SUITES)], batch_size=1000)
    AssistantTest.objects.bulk_create([
        AssistantTest(telnyx_id=f"bench-test-{i:05d}", name=f"Bench test {i:05d}", test_suite=f"suite-{i % SUITES:04d}",
                      destination=destinations[i % len(destinations)], channel=("web_chat", "phone_call")[i % 2],
                      instructions="Ask about opening hours and check the answer.", created_at=now - timedelta(minutes=i),
                      payload={"test_id": f"bench-test-{i:05d}"}, synced_at=now)
        for i in range(TESTS)], batch_size=2000)




def prepare() -> None:
    """The schema, static files, the sandbox's demo account and the `admin` login."""
    quiet = open(os.devnull, "w")
    call_command("migrate", verbosity=0)
    call_command("collectstatic", "--noinput", verbosity=0)
    call_command("sandbox_seed", "--demo", stdout=quiet)
    call_command("ensure_login", stdout=quiet)


def seed_conversations(n: int = CONVERSATIONS, *, messages_each: int = 1) -> None:
    """n conversations in the sandbox, and in the cache as a finished sync leaves it."""
    bulk_conversations(n, messages_each=messages_each)
    seed_cache_conversations()


def mark_synced(*resources: str) -> None:
    """These listings and every one with a sync state count as freshly synced."""
    for resource in [*resources, *SyncState.objects.values_list("resource", flat=True)]:
        SyncState.objects.update_or_create(resource=resource, defaults={"synced_at": timezone.now(), "lease_until": None})

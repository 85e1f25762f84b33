"""Benchmark: the top-bar search page and the conversations list's search (the call log) over
1,000 vs 100,000 cached conversations, interleaved.

Fills the conversation cache directly (no sandbox: the search reads the cache only), with a
caller number and a transcript per conversation, copies the SQLite database, trims the copy
to 1,000 rows, then alternates rounds between the two: on /search/ a rare name, an id prefix
and a word in every name; on /conversations/ a rare and a common transcript word (the FTS5
index), a caller number prefix (the caller index) and an assistant name. The query count
must be equal, the time close, and a list page under 200 KB.

    .venv/bin/python bench/search_at_scale.py [N] [ROUNDS]     # default 100000 5
    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/NAME .venv/bin/python bench/search_at_scale.py
        # PostgreSQL: databases NAME (N rows) and NAME_small (1,000 rows) are dropped and made afresh
    BENCH_KEEP=/tmp/search-bench ...    # seed once, reuse: SQLite files kept in that folder; on PostgreSQL
        # (BENCH_KEEP=1) the two databases are kept; a later run with the same N migrates them and measures
"""

import os
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
KEEP = os.environ.get("BENCH_KEEP", "")
PG_URL = os.environ.get("BENCH_DATABASE_URL", "")
if KEEP and not PG_URL:
    Path(KEEP).mkdir(parents=True, exist_ok=True)
BIG = Path(KEEP if KEEP and not PG_URL else tempfile.mkdtemp()) / "big.sqlite3"
os.environ["DJANGO_SETTINGS_MODULE"] = "portal.settings"
os.environ["DATABASE_URL"] = PG_URL or f"sqlite:///{BIG}"
os.environ.pop("TELNYX_API_KEY", None)
os.environ.setdefault("LOG_LEVEL", "WARNING")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth.models import User  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client, override_settings  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402
from django.utils import timezone  # noqa: E402

from assistants.models import Assistant  # noqa: E402
from conversations.models import Conversation, ConversationTranscript  # noqa: E402
from core.changelist.kept import forget_recent_pages  # noqa: E402

TERMS = {"rare name": "zebra", "id prefix": "", "common word": "call"}
# The call log's search: (page, query)
LIST_TERMS = {"rare transcript word": "zanzibar", "common transcript word": "refund", "caller prefix": "+1555000012",
              "assistant name": "acme", "conversation name": "Support call 4242"}
PAGES = {**{term: ("/search/", q) for term, q in TERMS.items()},
         **{term: ("/conversations/", q) for term, q in LIST_TERMS.items()}}
WORDS = ["booking", "friday", "refund", "table", "cancel", "hours", "address", "thanks"]


def use_database(path) -> None:
    connection.close()
    connection.settings_dict["NAME"] = str(path)


def fresh_postgres_databases(*names: str) -> None:
    """Each database made afresh (with BENCH_KEEP: made only where missing)."""
    import psycopg

    with psycopg.connect(PG_URL.rsplit("/", 1)[0] + "/postgres", autocommit=True) as admin:
        for name in names:
            if KEEP and admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
                continue
            admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
            admin.execute(f'CREATE DATABASE "{name}"')


def conversation_id(i: int) -> str:
    return str(uuid.UUID(int=(i * 2654435761) % (1 << 128)))


def seeded(n: int) -> bool:
    """The database already holds this bench's n conversations (BENCH_KEEP): migrate only."""
    call_command("migrate", verbosity=0)
    return bool(KEEP) and Conversation.objects.count() == n


def fill(n: int) -> None:
    TERMS["id prefix"] = conversation_id(n // 2)[:8]
    if seeded(n):
        return
    now = timezone.now()
    rows = [Conversation(telnyx_id=conversation_id(i), name=f"Support call {i}",
                         assistant_id="assistant-1", channel="phone_call", created_at=now - timezone.timedelta(seconds=i),
                         caller=f"+1555{i:07d}", callee="+15550100000", duration_seconds=60 + i % 300, turns=4 + i % 9,
                         synced_at=now) for i in range(n)]
    Conversation.objects.bulk_create(rows, batch_size=5000)
    Assistant.objects.create(telnyx_id="assistant-1", name="Acme Support", synced_at=now, payload={})
    # Every transcript speaks of refunds; one in 5,000 mentions Zanzibar.
    ConversationTranscript.objects.bulk_create([
        ConversationTranscript(conversation_id=row.telnyx_id, turns=row.turns, text=" ".join(
            [f"Hello, I need help with my {WORDS[i % len(WORDS)]} and a refund.",
             "Of course, let me look that up.", "It was booked for Zanzibar." if i % 5000 == 7 else "Thanks, bye."]))
        for i, row in enumerate(rows)], batch_size=5000)
    if connection.vendor == "postgresql":
        # As the conversation sync does after writing (conversations.services._finish): the planner's statistics.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def bench_user():
    return User.objects.filter(username="bench").first() or User.objects.create_superuser("bench", password="x")


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    big_name = connection.settings_dict["NAME"]
    if PG_URL:
        small = f"{big_name}_small"
        fresh_postgres_databases(big_name, small)
        use_database(small)
        fill(1000)
        bench_user()
        use_database(big_name)
    reused = KEEP and not PG_URL and BIG.with_name("small.sqlite3").exists() and BIG.exists()
    fill(n)
    setup_test_environment()
    override_settings(STORAGES={**settings.STORAGES, "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}).enable()
    client = Client()
    from django.contrib.sessions.models import Session

    Session.objects.all().delete()
    client.force_login(bench_user())
    if PG_URL:
        session, password = Session.objects.get(), User.objects.get(username="bench").password
        use_database(small)
        Session.objects.filter(session_key=session.session_key).delete()
        User.objects.filter(username="bench").update(password=password)  # the session's auth hash holds
        Session.objects.create(session_key=session.session_key, session_data=session.session_data,
                               expire_date=session.expire_date)
        sizes = {"1,000": small, f"{n:,}": big_name}
    else:
        small = BIG.with_name("small.sqlite3")
        connection.close()
        if reused:  # the session is new: carry it over (the user was copied with the file)
            use_database(BIG)
            session = Session.objects.get()
            use_database(small)
            call_command("migrate", verbosity=0)
            Session.objects.all().delete()
            Session.objects.create(session_key=session.session_key, session_data=session.session_data,
                                   expire_date=session.expire_date)
        else:
            shutil.copy(BIG, small)
            use_database(small)
            kept = list(Conversation.objects.order_by("pk").values_list("telnyx_id", flat=True)[:1000])
            Conversation.objects.exclude(telnyx_id__in=kept).delete()
            ConversationTranscript.objects.exclude(conversation_id__in=kept).delete()
        sizes = {"1,000": small, f"{n:,}": BIG}
    times = {(label, term): [] for label in sizes for term in PAGES}
    queries = {(label, term): set() for label in sizes for term in PAGES}
    size = {(label, term): 0 for label in sizes for term in PAGES}
    for _ in range(rounds):
        for label, path in sizes.items():
            use_database(path)
            for term, (url, q) in PAGES.items():
                cache.clear()  # kept fragments and choices: every request searches, cold, at both sizes
                forget_recent_pages()  # this process's copies of kept pages too
                with CaptureQueriesContext(connection) as captured:
                    started = time.perf_counter()
                    response = client.get(url, {"q": q})
                    elapsed = time.perf_counter() - started
                assert response.status_code == 200
                times[(label, term)].append(elapsed)
                queries[(label, term)].add(len(captured.captured_queries))
                size[(label, term)] = max(size[(label, term)], len(response.content))
    print(f"database: {connection.vendor}; {rounds} interleaved rounds; /search/ and /conversations/ through the test client")
    for term in PAGES:
        for label in sizes:
            s = times[(label, term)]
            print(f"{PAGES[term][0]} {term:22} {label:>8} conversations: min {min(s):.3f} s, median {statistics.median(s):.3f} s, "
                  f"max {max(s):.3f} s, queries {sorted(queries[(label, term)])}, page {size[(label, term)] / 1024:.0f} KB")
        small_label, big_label = list(sizes)
        ratio = statistics.median(times[(big_label, term)]) / statistics.median(times[(small_label, term)])
        print(f"{PAGES[term][0]} {term:22} median ratio {big_label} / {small_label}: {ratio:.2f}x")


if __name__ == "__main__":
    main()

"""Benchmark: the top-bar search page over 1,000 vs 100,000 cached conversations, interleaved.

Fills the conversation cache directly (no sandbox: the search reads the cache only), copies
the SQLite database, trims the copy to 1,000 rows, then alternates rounds between the two
for three searches: a rare name, an id prefix and a word in every name. The query count
must be equal, the time close.

    .venv/bin/python bench/search_at_scale.py [N] [ROUNDS]     # default 100000 5
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
BIG = Path(tempfile.mkdtemp()) / "big.sqlite3"
os.environ["DJANGO_SETTINGS_MODULE"] = "portal.settings"
os.environ["DATABASE_URL"] = f"sqlite:///{BIG}"
os.environ.pop("TELNYX_API_KEY", None)
os.environ.setdefault("LOG_LEVEL", "WARNING")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth.models import User  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client, override_settings  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402
from django.utils import timezone  # noqa: E402

from conversations.models import Conversation  # noqa: E402

TERMS = {"rare name": "zebra", "id prefix": "", "common word": "call"}


def use_database(path: Path) -> None:
    connection.close()
    connection.settings_dict["NAME"] = str(path)


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    call_command("migrate", verbosity=0)
    now = timezone.now()
    rows = [Conversation(telnyx_id=str(uuid.UUID(int=(i * 2654435761) % (1 << 128))), name=f"Support call {i}",
                         assistant_id="assistant-1", channel="phone_call", created_at=now - timezone.timedelta(seconds=i),
                         synced_at=now) for i in range(n)]
    Conversation.objects.bulk_create(rows, batch_size=5000)
    TERMS["id prefix"] = rows[n // 2].telnyx_id[:8]
    setup_test_environment()
    override_settings(STORAGES={**settings.STORAGES, "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}).enable()
    client = Client()
    client.force_login(User.objects.create_superuser("bench", password="x"))
    small = BIG.with_name("small.sqlite3")
    connection.close()
    shutil.copy(BIG, small)
    use_database(small)
    Conversation.objects.exclude(pk__in=list(Conversation.objects.order_by("pk").values_list("pk", flat=True)[:1000])).delete()
    sizes = {"1,000": small, f"{n:,}": BIG}
    times = {(label, term): [] for label in sizes for term in TERMS}
    queries = {(label, term): set() for label in sizes for term in TERMS}
    for _ in range(rounds):
        for label, path in sizes.items():
            use_database(path)
            for term, q in TERMS.items():
                with CaptureQueriesContext(connection) as captured:
                    started = time.perf_counter()
                    response = client.get("/search/", {"q": q})
                    elapsed = time.perf_counter() - started
                assert response.status_code == 200
                times[(label, term)].append(elapsed)
                queries[(label, term)].add(len(captured.captured_queries))
    print(f"database: {connection.vendor}; {rounds} interleaved rounds; /search/ through the test client")
    for term in TERMS:
        for label in sizes:
            s = times[(label, term)]
            print(f"{term:12} {label:>8} conversations: min {min(s):.3f} s, median {statistics.median(s):.3f} s, "
                  f"max {max(s):.3f} s, queries {sorted(queries[(label, term)])}")
        small_label, big_label = list(sizes)
        ratio = statistics.median(times[(big_label, term)]) / statistics.median(times[(small_label, term)])
        print(f"{term:12} median ratio {big_label} / {small_label}: {ratio:.2f}x")


if __name__ == "__main__":
    main()

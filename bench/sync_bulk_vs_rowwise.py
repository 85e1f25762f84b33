"""Benchmark: replacing a cached listing in bulk (what syncs do) vs row by row.

Prints times measured side by side in one run and their ratio, for a first sync (empty
cache) and a re-sync (every row updated). Uses its own database: SQLite in a temp file
by default, or BENCH_DATABASE_URL, an existing scratch database
(e.g. postgres://postgres@127.0.0.1:5432/test); its tables are migrated and emptied.

    .venv/bin/python bench/sync_bulk_vs_rowwise.py [N]
"""

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ["DJANGO_SETTINGS_MODULE"] = "portal.settings"
os.environ["DATABASE_URL"] = os.environ.get(
    "BENCH_DATABASE_URL", f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3"
)

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import transaction  # noqa: E402

from assistants.models import Assistant  # noqa: E402
from assistants.services.assistants import assistant_cache_put, assistant_fields  # noqa: E402
from core.sync import replace_cache  # noqa: E402


def items(n: int, revision: int) -> list[dict]:
    return [
        {
            "id": f"assistant-{i:08d}",
            "name": f"Assistant {i} r{revision}",
            "model": "meta-llama/Meta-Llama-3.1-70B-Instruct",
            "instructions": "You are helpful. " * 20,
            "tags": ["support", f"team-{i % 7}"],
            "created_at": "2026-11-01T10:00:00Z",
            "version_created_at": "2026-11-20T10:00:00Z",
        }
        for i in range(n)
    ]


def timed(fn) -> float:
    started = time.perf_counter()
    with transaction.atomic():
        fn()
    return time.perf_counter() - started


def rowwise(data: list[dict]) -> None:
    for item in data:
        assistant_cache_put(item)


RUNS = int(os.environ.get("BENCH_RUNS", "3"))


def spread(xs: list[float]) -> str:
    return f"{min(xs):6.2f} / {statistics.median(xs):6.2f} / {max(xs):6.2f} s"


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
    call_command("migrate", verbosity=0)
    print(f"database: {django.db.connection.vendor}; {n} assistants; {RUNS} interleaved runs, min / median / max")
    for label, revision in (("first sync", 1), ("re-sync (all rows change)", 2)):
        bulk, slow = [], []
        for _ in range(RUNS):  # A, B, A, B...: both see the same machine load
            for times, run in ((bulk, lambda: replace_cache(Assistant, items(n, revision), assistant_fields)),
                               (slow, lambda: rowwise(items(n, revision)))):
                Assistant.objects.all().delete()
                if revision == 2:
                    replace_cache(Assistant, items(n, 1), assistant_fields)
                times.append(timed(run))
                assert Assistant.objects.count() == n
        print(f"{label:28s} bulk {spread(bulk)}   row-by-row {spread(slow)}   "
              f"bulk is {statistics.median(slow) / statistics.median(bulk):4.1f}x faster")


if __name__ == "__main__":
    main()

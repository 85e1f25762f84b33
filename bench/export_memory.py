"""Benchmark: peak memory of the streamed CSV export vs building the whole CSV in memory.

Seeds N conversations (default 100,000) into a fresh SQLite cache, each with the result of two
insight templates, then exports the conversations list as a Viewer would (`?_export=csv`, so
the file carries every template's result and structured fields) in two ways, interleaved
A,B,A,B… RUNS times:
  A  streamed: the portal's view, `StreamingHttpResponse` over `values_list().iterator(chunk_size)`,
     the body consumed chunk by chunk and dropped (as a socket would);
  B  built: the same query and columns, every row read into a list and the CSV written into one
     string first (what `HttpResponse(csv_text)` needs).
Peak Python memory is traced with tracemalloc around each run (both pay its overhead alike).

    .venv/bin/python bench/export_memory.py            # 100,000 conversations, 3 rounds
    .venv/bin/python bench/export_memory.py 20000 5
"""

from __future__ import annotations

import gc
import io
import json
import os
import statistics
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DB = Path(tempfile.mkdtemp()) / "export.sqlite3"
os.environ["DJANGO_SETTINGS_MODULE"] = "portal.settings"
os.environ["DATABASE_URL"] = f"sqlite:///{DB}"
os.environ.pop("TELNYX_API_KEY", None)
os.environ.setdefault("LOG_LEVEL", "WARNING")

import django  # noqa: E402

django.setup()

from django.contrib.auth.models import Group, User  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402
from django.utils import timezone  # noqa: E402

from conversations.exports import CONVERSATIONS_EXPORT  # noqa: E402
from conversations.models import Conversation, InsightResult, InsightTemplate  # noqa: E402
from conversations.selectors import conversation_queryset  # noqa: E402
from core.export import csv_chunks, export_rows  # noqa: E402
from portal.models import SyncState  # noqa: E402
from portal.roles import ensure_roles  # noqa: E402


def seed(n: int) -> None:
    now = timezone.now()
    InsightTemplate.objects.bulk_create([InsightTemplate(telnyx_id="t-csat", name="Satisfaction", synced_at=now),
                                         InsightTemplate(telnyx_id="t-sum", name="Summary", synced_at=now)])
    for start in range(0, n, 5000):
        ids = range(start, min(start + 5000, n))
        Conversation.objects.bulk_create([
            Conversation(telnyx_id=f"conv-{i:06d}", name=f"Conversation {i}", assistant_id=f"assistant-{i % 7}",
                         assistant_version_id=f"version-{i % 3}", channel="phone_call", created_at=now, synced_at=now,
                         payload={"id": f"conv-{i:06d}"}) for i in ids])
        results = []
        for i in ids:
            csat = {"score": i % 5, "resolved": i % 2 == 0, "sentiment": "calm"}
            results += [
                InsightResult(conversation_id=f"conv-{i:06d}", template_id="t-csat", assistant_id=f"assistant-{i % 7}",
                              assistant_version_id=f"version-{i % 3}", result=json.dumps(csat), values=csat,
                              status="completed", occurred_at=now),
                InsightResult(conversation_id=f"conv-{i:06d}", template_id="t-sum", assistant_id=f"assistant-{i % 7}",
                              assistant_version_id=f"version-{i % 3}", status="completed", occurred_at=now,
                              result=f"The caller asked about order {i} and was helped; no follow-up needed."),
            ]
        InsightResult.objects.bulk_create(results)
    SyncState.objects.create(resource="conversations", synced_at=now, item_count=n)


def traced(run) -> tuple[float, float, int]:
    """(peak MB, seconds, bytes of CSV) of one run."""
    gc.collect()
    tracemalloc.start()
    started = time.perf_counter()
    size = run()
    elapsed = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 2**20, elapsed, size


def streamed(client: Client) -> int:
    response = client.get("/conversations/", {"_export": "csv"})
    assert response.streaming, "the export must stream"
    return sum(len(chunk) for chunk in response.streaming_content)


def built() -> int:
    queryset = CONVERSATIONS_EXPORT.prepare(conversation_queryset().order_by("-created_at", "-pk"))
    columns = CONVERSATIONS_EXPORT.resolved_columns()
    rows = list(export_rows(queryset, columns))  # everything in memory first
    text = io.StringIO()
    for chunk in csv_chunks(rows, [c.header for c in columns]):
        text.write(chunk)
    body = text.getvalue().encode()
    return len(body)


def summary(values: list[float]) -> str:
    return f"{min(values):.1f} / {statistics.median(values):.1f} / {max(values):.1f}"


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    setup_test_environment()
    call_command("migrate", verbosity=0)
    ensure_roles()
    viewer = User.objects.create_user("bench-viewer", password="bench-pass-123")
    viewer.groups.add(Group.objects.get(name="Viewer"))
    print(f"seeding {n:,} conversations with 2 insight results each…", flush=True)
    seed(n)
    client = Client()
    client.force_login(viewer)
    streamed(client)  # warm up once, untraced: imports, templates and the kept choices are not the export's
    a, b = [], []
    for round_ in range(rounds):
        peak, secs, size = traced(lambda: streamed(client))
        a.append(peak)
        print(f"round {round_ + 1}: A streamed {peak:7.1f} MB peak, {secs:5.1f} s, {size / 2**20:.1f} MB of CSV", flush=True)
        peak, secs, size = traced(built)
        b.append(peak)
        print(f"round {round_ + 1}: B built    {peak:7.1f} MB peak, {secs:5.1f} s, {size / 2**20:.1f} MB of CSV", flush=True)
    print(f"\npeak traced memory, min / median / max over {rounds} interleaved rounds, {n:,} conversations:")
    print(f"  A streamed export   {summary(a)} MB")
    print(f"  B built in memory   {summary(b)} MB")
    print(f"  B ÷ A (median)      {statistics.median(b) / statistics.median(a):.1f}x")


if __name__ == "__main__":
    main()

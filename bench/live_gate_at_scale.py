"""Benchmark: one live-gate evaluation (`releases.services.gates.live_gate`) over 1,000 vs
100,000 cached conversations with insight results, interleaved, on SQLite or PostgreSQL.

The engine evaluates the gate at every tick (15 s) of a live-gated step over every
conversation since the plan's first live step. Builds a database with N conversations (half
candidate, half main, each with one completed insight result of a score and a pass/fail
field, stored as the conversations happened), copies it and trims the copy to 1,000.

The gate keeps running tallies per plan (`releases.services.gate_fold`): its first check reads
everything (a full recompute, timed once per size as "first check"); each later check folds in
only what changed. Before every timed tick both databases get the same tick's traffic (20 new
conversations with results, 5 results replaced), so the ticks fold real work; rounds alternate
between the sizes. Telnyx reads are left out (bench/conversations_sync.py measures the sync).

    .venv/bin/python bench/live_gate_at_scale.py [N] [ROUNDS]     # default 100000 5
    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/gate_bench .venv/bin/python bench/live_gate_at_scale.py
      (PostgreSQL: that database for N, <name>_small for 1,000; both dropped and made again)
"""

import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BIG = Path(tempfile.mkdtemp()) / "big.sqlite3"
DB_URL = os.environ.get("BENCH_DATABASE_URL", f"sqlite:///{BIG}")
POSTGRES = DB_URL.startswith("postgres")
os.environ["DJANGO_SETTINGS_MODULE"] = "portal.settings"
os.environ["DATABASE_URL"] = DB_URL
os.environ.pop("TELNYX_API_KEY", None)
os.environ.setdefault("LOG_LEVEL", "WARNING")

import django  # noqa: E402

django.setup()

from django.contrib.auth.models import User  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import F  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from conversations.models import Conversation, InsightResult  # noqa: E402
from releases.models import RolloutPlan, RolloutStep  # noqa: E402
from releases.services import gates, traffic  # noqa: E402

AID = "assistant-bench"


def seed(n: int) -> None:
    rng = random.Random(1)
    now = timezone.now()
    start = now - timedelta(hours=6)
    conversations, results = [], []
    for i in range(n):
        version = "v-cand" if i % 2 else "v-main"
        at = start + timedelta(seconds=i * 6 * 3600 / n)
        conversations.append(Conversation(telnyx_id=f"c-{i}", assistant_id=AID, assistant_version_id=version,
                                          created_at=at, synced_at=now, insights_synced_at=now))
        results.append(InsightResult(conversation_id=f"c-{i}", template_id="t", assistant_id=AID,
                                     assistant_version_id=version, status="completed", occurred_at=at,
                                     values={"score": round(0.6 + 0.35 * rng.random(), 3), "resolved": rng.random() < 0.85}))
    Conversation.objects.bulk_create(conversations, batch_size=5000)
    InsightResult.objects.bulk_create(results, batch_size=5000)
    InsightResult.objects.update(updated_at=F("occurred_at"))  # stored as the conversations happened
    admin = User.objects.create_superuser("bench", "bench@example.com", "x")
    plan = RolloutPlan.objects.create(assistant_id=AID, candidate_version_id="v-cand", main_version_id="v-main",
                                      status="running", created_by=admin, metrics="score, resolved", max_sample=10 ** 6)
    RolloutStep.objects.create(plan=plan, index=0, kind="percent", weight=50, gate_live=True, state="holding",
                               applied_at=start - timedelta(minutes=1))


def trim(keep: int) -> None:
    Conversation.objects.exclude(telnyx_id__in=[f"c-{i}" for i in range(keep)]).delete()
    InsightResult.objects.exclude(conversation_id__in=[f"c-{i}" for i in range(keep)]).delete()


def use_database(name: str) -> None:
    connection.close()
    connection.settings_dict["NAME"] = name


def postgres_admin(sql: str) -> None:
    import psycopg

    settings = connection.settings_dict
    with psycopg.connect(host=settings["HOST"], port=settings["PORT"] or 5432, user=settings["USER"],
                         password=settings["PASSWORD"], dbname="postgres", autocommit=True) as admin:
        admin.execute(sql)


def prepare(n: int) -> tuple[str, str]:
    """(small, big) database names, both seeded; the small one a trimmed copy of the big."""
    big = connection.settings_dict["NAME"]
    if POSTGRES:
        small = f"{big}_small"
        connection.close()
        postgres_admin(f"DROP DATABASE IF EXISTS {big}")
        postgres_admin(f"CREATE DATABASE {big}")
    call_command("migrate", verbosity=0)
    seed(n)
    connection.close()
    if POSTGRES:
        postgres_admin(f"DROP DATABASE IF EXISTS {small}")
        postgres_admin(f"CREATE DATABASE {small} TEMPLATE {big}")
    else:
        small = str(BIG.with_name("small.sqlite3"))
        shutil.copy(BIG, small)
    use_database(small)
    trim(1000)
    if POSTGRES:
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    return small, big


def tick_traffic(tick: int) -> None:
    """One tick's traffic: 20 new conversations with a result, 5 results replaced."""
    now = timezone.now()
    rng = random.Random(tick)
    for i in range(20):
        cid, version = f"new-{tick}-{i}", "v-cand" if i % 2 else "v-main"
        Conversation.objects.create(telnyx_id=cid, assistant_id=AID, assistant_version_id=version,
                                    created_at=now, synced_at=now, insights_synced_at=now)
        InsightResult.objects.create(conversation_id=cid, template_id="t", assistant_id=AID,
                                     assistant_version_id=version, status="completed", occurred_at=now,
                                     values={"score": round(0.6 + 0.35 * rng.random(), 3), "resolved": rng.random() < 0.85})
    for i in range(5):
        InsightResult.objects.filter(conversation_id=f"c-{rng.randrange(1000)}").update(
            values={"score": round(0.6 + 0.35 * rng.random(), 3), "resolved": rng.random() < 0.85},
            occurred_at=now, updated_at=now)


def evaluate() -> tuple[float, int, dict]:
    plan = RolloutPlan.objects.get()
    step = plan.steps.get()
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        result = gates.live_gate(plan, step)
        elapsed = time.perf_counter() - started
    return elapsed, len(queries.captured_queries), result.details["counts"]


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    small, big = prepare(n)
    # No Telnyx here: the reads of new traffic are another bench's subject.
    traffic.sync_conversations_since = lambda **kwargs: 0
    traffic.read_insights = lambda **kwargs: 0
    sizes = (("1,000", small), (f"{n:,}", big))
    print(connection.vendor)
    for label, name in sizes:
        use_database(name)
        elapsed, count, counts = evaluate()
        print(f"  first check (full recompute, tallies written) {label:>8} conversations: {elapsed:.3f} s, "
              f"{count} queries", flush=True)
    times = {label: [] for label, _ in sizes}
    for tick in range(rounds):
        for label, name in sizes:
            use_database(name)
            tick_traffic(tick)
            elapsed, count, counts = evaluate()
            times[label].append(elapsed)
            print(f"  tick {tick}: {label:>8} conversations {counts}: {elapsed:.3f} s, {count} queries", flush=True)
    medians = {label: statistics.median(values) for label, values in times.items()}
    for label, values in times.items():
        print(f"{label:>8}: min / median / max {min(values):.3f} / {medians[label]:.3f} / {max(values):.3f} s")
    print(f"ratio of medians {medians[f'{n:,}'] / medians['1,000']:.2f}x")


if __name__ == "__main__":
    main()

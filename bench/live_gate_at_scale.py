"""Benchmark: one live-gate evaluation (`releases.services.gates.live_gate`) over 1,000 vs
100,000 cached conversations with insight results, interleaved.

The engine evaluates the gate at every tick (15 s) of a live-gated step over every
conversation since the plan's first live step, so this is what a long plan costs per tick.
Builds a SQLite database with N conversations (half candidate, half main, each with one
completed insight result of a score and a pass/fail field), copies it and trims the copy to
1,000; rounds alternate between the two. Telnyx reads are left out (the sync of new
conversations is measured by bench/conversations_sync.py): only the database reads and the
statistics are timed.

    .venv/bin/python bench/live_gate_at_scale.py [N] [ROUNDS]     # default 100000 5
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
os.environ["DJANGO_SETTINGS_MODULE"] = "portal.settings"
os.environ["DATABASE_URL"] = f"sqlite:///{BIG}"
os.environ.pop("TELNYX_API_KEY", None)
os.environ.setdefault("LOG_LEVEL", "WARNING")

import django  # noqa: E402

django.setup()

from django.contrib.auth.models import User  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
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
    admin = User.objects.create_superuser("bench", "bench@example.com", "x")
    plan = RolloutPlan.objects.create(assistant_id=AID, candidate_version_id="v-cand", main_version_id="v-main",
                                      status="running", created_by=admin, metrics="score, resolved", max_sample=10 ** 6)
    RolloutStep.objects.create(plan=plan, index=0, kind="percent", weight=50, gate_live=True, state="holding",
                               applied_at=start - timedelta(minutes=1))


def trim(path: Path, keep: int) -> None:
    use_database(path)
    Conversation.objects.exclude(telnyx_id__in=[f"c-{i}" for i in range(keep)]).delete()
    InsightResult.objects.exclude(conversation_id__in=[f"c-{i}" for i in range(keep)]).delete()


def use_database(path: Path) -> None:
    connection.close()
    connection.settings_dict["NAME"] = str(path)


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
    call_command("migrate", verbosity=0)
    seed(n)
    small = BIG.with_name("small.sqlite3")
    connection.close()
    shutil.copy(BIG, small)
    trim(small, 1000)
    # No Telnyx here: the reads of new traffic are another bench's subject.
    traffic.sync_conversations_since = lambda **kwargs: 0
    traffic.read_insights = lambda **kwargs: 0
    times = {"1,000": [], f"{n:,}": []}
    for _ in range(rounds):
        for label, path in (("1,000", small), (f"{n:,}", BIG)):
            use_database(path)
            elapsed, count, counts = evaluate()
            times[label].append(elapsed)
            print(f"  {label:>8} conversations {counts}: {elapsed:.3f} s, {count} queries", flush=True)
    medians = {label: statistics.median(values) for label, values in times.items()}
    for label, values in times.items():
        print(f"{label:>8}: min / median / max {min(values):.3f} / {medians[label]:.3f} / {max(values):.3f} s")
    print(f"ratio of medians {medians[f'{n:,}'] / medians['1,000']:.1f}x")


if __name__ == "__main__":
    main()

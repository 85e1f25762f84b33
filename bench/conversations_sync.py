"""Benchmark: syncing 100,000 conversations in steps, as the Conversations page does.

Seeds the sandbox in bulk, serves it with gunicorn, then runs the stepwise sync through the
real client over HTTP with two batch sizes, interleaved (250, 1000, 250, 1000… ×BENCH_RUNS).
Prints min / median / max of the total time and of the slowest single step (what one
browser request waits for: never the whole listing), and the ratio of the medians.

    .venv/bin/python bench/conversations_sync.py [N]        # default 100000
    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test .venv/bin/python bench/conversations_sync.py
"""

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PORT = int(os.environ.get("BENCH_PORT", "18201"))
RUNS = int(os.environ.get("BENCH_RUNS", "3"))
os.environ["DJANGO_SETTINGS_MODULE"] = "portal.settings"
os.environ["DATABASE_URL"] = os.environ.get("BENCH_DATABASE_URL", f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3")
os.environ["PORT"] = str(PORT)
os.environ.pop("TELNYX_API_KEY", None)
os.environ.setdefault("LOG_LEVEL", "WARNING")

import django  # noqa: E402

django.setup()

import requests  # noqa: E402
from django.core.management import call_command  # noqa: E402

from conversations import services  # noqa: E402
from conversations.models import Conversation  # noqa: E402
from portal.models import SyncState  # noqa: E402


def run_sync(batch_size: int) -> tuple[float, list[float]]:
    services.BATCH_SIZE = batch_size
    Conversation.objects.all().delete()
    SyncState.objects.filter(resource=services.RESOURCE).delete()
    steps, run_id = [], ""
    started = time.perf_counter()
    while True:
        step_started = time.perf_counter()
        outcome = services.conversations_sync_step(run_id=run_id)
        steps.append(time.perf_counter() - step_started)
        if outcome.error or outcome.busy:
            raise SystemExit(f"sync failed: {outcome}")
        if outcome.done:
            return time.perf_counter() - started, steps
        run_id = outcome.run_id


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    call_command("migrate", verbosity=0)
    call_command("sandbox_seed", "--reset", "--demo", verbosity=0)
    seeded = time.perf_counter()
    call_command("sandbox_seed", "--bulk", "--conversations", str(n), "--messages-per-conversation", "0", verbosity=0)
    print(f"database: {django.db.connection.vendor}; seeded {n} conversations in {time.perf_counter() - seeded:.1f} s")
    server = subprocess.Popen(
        [str(ROOT / ".venv/bin/gunicorn"), "portal.wsgi:application", "--bind", f"127.0.0.1:{PORT}",
         "--workers", "1", "--threads", "4", "--worker-class", "gthread", "--log-level", "warning"],
        cwd=ROOT, env=os.environ.copy(),
    )
    try:
        for _ in range(100):
            try:
                requests.get(f"http://127.0.0.1:{PORT}/login/", timeout=1)
                break
            except requests.RequestException:
                time.sleep(0.2)
        totals, slowest, counts = {250: [], 1000: []}, {250: [], 1000: []}, {}
        for _ in range(RUNS):
            for size in totals:
                seconds, steps = run_sync(size)
                totals[size].append(seconds)
                slowest[size].append(max(steps))
                counts[size] = len(steps)
        total = Conversation.objects.count()

        def spread(xs):
            return f"{min(xs):6.2f} / {statistics.median(xs):6.2f} / {max(xs):6.2f} s"

        print(f"min / median / max over {RUNS} interleaved runs")
        for size in totals:
            print(f"batch {size:5d}: {counts[size]:4d} steps, total {spread(totals[size])}, "
                  f"slowest step {spread(slowest[size])}")
        ratio = statistics.median(totals[250]) / statistics.median(totals[1000])
        print(f"cached {total} conversations; batches of 1000 are {ratio:.2f}x faster overall than 250 (medians)")
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    main()

"""Benchmark: the live gate's full recompute at N conversations in one transaction vs in short
ones (`releases.services.gate_fold.REBUILD_CHUNK`), and what a page's write waits meanwhile.

Seeds N conversations of one assistant with a result each (bench/live_gate_at_scale.py's seed:
half candidate, half main), then, interleaved ×ROUNDS: drops the plan's fold and runs the gate
(the first check: a full recompute) with REBUILD_CHUNK = N (the whole fold in one transaction,
as before) and = 1,000 (the default), while a second thread does what a page or a sync does
every 0.1 s: a small write transaction (a SyncState row saved), timing each. Prints the
recompute's time and the writes' p95 and longest wait (min / median / max over the rounds).
On SQLite one writer at a time holds the file, so a long transaction makes every write wait.

    .venv/bin/python bench/gate_rebuild.py [N] [ROUNDS]     # default 100000 3
    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/NAME .venv/bin/python bench/gate_rebuild.py
"""

import os
import statistics
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import live_gate_at_scale as lg  # noqa: E402  (sets up Django on the bench database)
from django.core.management import call_command  # noqa: E402
from django.db import OperationalError, connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from portal.models import SyncState  # noqa: E402
from releases.models import GateResult, LiveGateFold, RolloutPlan  # noqa: E402
from releases.services import gate_fold, gates, traffic  # noqa: E402


def probe(stop: threading.Event, waits: list[float], failed: list[float]) -> None:
    """A page's small write every 0.1 s, timed, on this thread's own connection; a write that gave
    up ("database is locked" after SQLite's 20 s busy timeout) is counted in `failed`."""
    try:
        while not stop.is_set():
            started = time.perf_counter()
            try:
                with transaction.atomic():
                    SyncState.objects.update_or_create(resource="bench-probe", defaults={"synced_at": timezone.now()})
            except OperationalError:
                failed.append(time.perf_counter() - started)
            waits.append(time.perf_counter() - started)
            time.sleep(0.1)
    finally:
        connection.close()


def recompute(chunk: int) -> tuple[float, list[float], list[float]]:
    LiveGateFold.objects.all().delete()
    GateResult.objects.all().delete()
    gate_fold.REBUILD_CHUNK = chunk
    plan = RolloutPlan.objects.get()
    step = plan.steps.get()
    stop, waits, failed = threading.Event(), [], []
    thread = threading.Thread(target=probe, args=(stop, waits, failed))
    thread.start()
    started = time.perf_counter()
    gates.live_gate(plan, step)
    elapsed = time.perf_counter() - started
    stop.set()
    thread.join()
    return elapsed, waits, failed


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    if lg.POSTGRES:
        name = connection.settings_dict["NAME"]
        connection.close()
        lg.postgres_admin(f"DROP DATABASE IF EXISTS {name}")
        lg.postgres_admin(f"CREATE DATABASE {name}")
    call_command("migrate", verbosity=0)
    lg.seed(n)
    traffic.sync_conversations_since = lambda **kwargs: 0
    traffic.read_insights = lambda **kwargs: 0
    variants = {"one transaction": n, f"chunks of {gate_fold.REBUILD_CHUNK:,}": gate_fold.REBUILD_CHUNK}
    figures = {name: {"time": [], "p95": [], "max": []} for name in variants}
    tallies = {}
    for r in range(rounds):
        for name, chunk in variants.items():
            elapsed, waits, failed = recompute(chunk)
            waits.sort()
            p95 = waits[int(0.95 * (len(waits) - 1))] if waits else 0.0
            figures[name]["time"].append(elapsed)
            figures[name]["p95"].append(p95)
            figures[name]["max"].append(max(waits, default=0.0))
            tallies[name] = LiveGateFold.objects.values_list("tallies", "counts").get()
            print(f"round {r + 1}, {name}: recompute {elapsed:.1f} s; {len(waits)} writes meanwhile, p95 {p95 * 1000:.0f} ms, "
                  f"longest {max(waits, default=0.0) * 1000:.0f} ms, {len(failed)} gave up (database locked); load {os.getloadavg()[0]:.1f}", flush=True)
    print(f"\n{time.strftime('%Y-%m-%d %H:%M')}; {connection.vendor}; {n:,} conversations; {rounds} interleaved rounds")
    for name, values in figures.items():
        line = "; ".join(f"{k} {min(v):.3f} / {statistics.median(v):.3f} / {max(v):.3f} s" for k, v in values.items())
        print(f"{name:>18}: {line} (min / median / max)")
    first, *others = tallies.values()
    print("same tallies and counts both ways:", all(other == first for other in others))


if __name__ == "__main__":
    main()

"""Benchmark: what the sandbox's per-key rate limit costs a request, and what 250 assistants cost.

A: `GET /ai/assistants?page[size]=1` with SANDBOX_RATE_LIMIT off; B: the same with a budget no
request reaches (the check runs, never refuses). Then the 250-assistant walk the assistants sync
makes (3 pages of 100). Django's test client in process (no network), on a throwaway SQLite
database, interleaved A,B,A,B… ×BENCH_RUNS (3), BENCH_REQUESTS (300) requests a run; prints
min/median/max and the B/A ratio of the medians.

    .venv/bin/python bench/sandbox_rate_limit.py
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.update({"DJANGO_SETTINGS_MODULE": "portal.settings", "LOG_LEVEL": "WARNING", "SECRET_KEY": "bench-" + "x" * 40,
                   "DATABASE_URL": f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3", "SANDBOX_API_KEY": "KEYbench"})

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.test import Client, override_settings  # noqa: E402
from django.utils import timezone  # noqa: E402

RUNS = int(os.environ.get("BENCH_RUNS", "3"))
REQUESTS = int(os.environ.get("BENCH_REQUESTS", "300"))
HEADERS = {"Authorization": "Bearer KEYbench"}


def timed(budget: str, path: str, n: int) -> float:
    client = Client()
    with override_settings(SANDBOX_RATE_LIMIT=budget, SANDBOX_LATENCY=""):
        started = time.perf_counter()
        for _ in range(n):
            assert client.get(path, headers=HEADERS).status_code == 200
        return (time.perf_counter() - started) / n * 1000


def report(label: str, values: list[float]) -> str:
    return f"{label}: min {min(values):.3f} ms, median {statistics.median(values):.3f} ms, max {max(values):.3f} ms"


def main() -> None:
    call_command("migrate", verbosity=0)
    from sandbox.behaviour.assistants import assistant_create

    start = timezone.now() - timedelta(days=1)
    for n in range(250):
        assistant_create(config={"name": f"Bench {n:03d}"}, created_at=start + timedelta(seconds=n))
    path = "/sandbox/v2/ai/assistants?page[size]=1"
    timed("off", path, 20)  # warm up: imports, first queries
    off, on = [], []
    for _ in range(RUNS):
        off.append(timed("off", path, REQUESTS))
        on.append(timed("100000000/1", path, REQUESTS))
    print(f"one request, {REQUESTS} a run, {RUNS} runs interleaved")
    print(report("A limit off", off))
    print(report("B limit on ", on))
    print(f"B/A (medians): {statistics.median(on) / statistics.median(off):.3f}")
    pages = []
    for _ in range(RUNS):
        started = time.perf_counter()
        for number in (1, 2, 3):
            assert Client().get(f"/sandbox/v2/ai/assistants?page[size]=250&page[number]={number}", headers=HEADERS).status_code == 200
        pages.append((time.perf_counter() - started) * 1000)
    print(report("250 assistants, 3 pages of 100 (the whole walk)", pages))


if __name__ == "__main__":
    main()

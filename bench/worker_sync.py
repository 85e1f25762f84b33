"""Benchmark: the 100,000-conversation sync on one Celery worker vs two, and what a page
waits for meanwhile.

Seeds the sandbox in bulk, serves the sandbox (BENCH_SANDBOX_PORT, default 8120) and the portal
(BENCH_PORT, default 8106) with gunicorn, then, interleaved ×BENCH_RUNS: one worker fetching and storing in turn
(SYNC_PREFETCH=0, the old way), one worker reading the next batch while it stores (the
default), two workers:
- empties the conversations cache, starts the workers (`--concurrency 1` each), queues the
  sync as a Refresh click does, and times it until every conversation is cached;
- samples the peak resident memory of the worker processes (main process and pool child);
- times the Conversations changelist requested one after another while the sync runs,
  then the same number of requests once it is done and the workers are idle (p95 of each).

One listing syncs on one worker at a time (the sync's lease); the read-ahead makes the sandbox
answer while the worker writes, which is what two cores can overlap. The README says what the
figures show about a second worker.

    .venv/bin/python bench/worker_sync.py [N]                        # default 100000, embedded broker
    BENCH_REDIS_URL=redis://127.0.0.1:6379/1 .venv/bin/python bench/worker_sync.py
    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/celery ...
    BENCH_VARIANTS="1 worker;1 worker, nice 10" ...   # the worker at nice 0 and at bin/serve's WORKER_NICE

"1 worker, nice 10, own session" starts the worker in a session of its own, as this bench did
before 2026-12-07: with autogroup scheduling its nice level then counts for nothing (see start_worker).

Loopback only; every wait is bounded in time (BENCH_TIMEOUT seconds per sync).
"""

from __future__ import annotations

import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PORTAL_PORT = int(os.environ.get("BENCH_PORT", "8106"))
SANDBOX_PORT = int(os.environ.get("BENCH_SANDBOX_PORT", "8120"))
RUNS = int(os.environ.get("BENCH_RUNS", "3"))
TIMEOUT = float(os.environ.get("BENCH_TIMEOUT", "900"))
# Idle requests after each sync: as many as ran during it unless capped (a p95 of 500 is steady
# enough, and 2,000 idle requests take minutes a round on a loaded machine).
IDLE_REQUESTS = int(os.environ.get("BENCH_IDLE_REQUESTS", "0"))
PASSWORD = "bench-pass-123"
WORK = Path(tempfile.mkdtemp(prefix="worker-sync-"))
SERVERS: list = []  # the sandbox's and the portal's gunicorn (for CPU accounting)

os.environ.update({
    "DJANGO_SETTINGS_MODULE": "portal.settings",
    "DATABASE_URL": os.environ.get("BENCH_DATABASE_URL", f"sqlite:///{WORK}/bench.sqlite3"),
    "CELERY_BROKER_URL": os.environ.get("BENCH_REDIS_URL", "filesystem://"),
    "CELERY_BROKER_DIR": str(WORK / "broker"),
    "CELERY_TASK_DEFAULT_QUEUE": f"bench-{uuid.uuid4().hex[:8]}",
    "TELNYX_BASE_URL": f"http://127.0.0.1:{SANDBOX_PORT}/sandbox/v2",
    "PORT": str(PORTAL_PORT),
    "PORTAL_ADMIN_PASSWORD": PASSWORD,
    "LOG_LEVEL": os.environ.get("LOG_LEVEL", "WARNING"),
})
for name in ("TELNYX_API_KEY", "REDIS_URL"):
    os.environ.pop(name, None)

import django

django.setup()

import requests
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from conversations import services
from conversations.models import Conversation
from core.background import enqueue_listing_sync
from portal.models import SyncState, TaskRecord


def gunicorn(port: int, log: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [str(ROOT / ".venv/bin/gunicorn"), "portal.wsgi:application", "--bind", f"127.0.0.1:{port}",
         "--workers", "1", "--threads", "4", "--worker-class", "gthread", "--log-level", "warning"],
        cwd=ROOT, env=os.environ.copy(), stdout=log.open("w"), stderr=subprocess.STDOUT,
    )


def wait_up(port: int) -> None:
    for _ in range(150):
        try:
            requests.get(f"http://127.0.0.1:{port}/login/", timeout=1)
            return
        except requests.RequestException:
            time.sleep(0.2)
    raise SystemExit(f"server on {port} did not start")


def login() -> requests.Session:
    session = requests.Session()
    url = f"http://127.0.0.1:{PORTAL_PORT}/login/"
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', session.get(url, timeout=5).text).group(1)
    response = session.post(url, timeout=5, allow_redirects=False, headers={"Referer": url},
                            data={"username": "admin", "password": PASSWORD, "csrfmiddlewaretoken": token})
    assert response.status_code == 302, response.status_code
    return session


def start_worker(index: int, prefetch: bool, nice: int = 0, own_session: bool = False) -> tuple[subprocess.Popen, Path]:
    log = WORK / f"worker-{index}.log"
    proc = subprocess.Popen(
        [*(["nice", "-n", str(nice)] if nice else []), sys.executable, "-m", "celery", "-A", "portal", "worker", "--loglevel", "INFO", "--concurrency", "1",
         "--without-mingle", "--without-gossip", "-Q", os.environ["CELERY_TASK_DEFAULT_QUEUE"],
         "-n", f"bench-{index}-{uuid.uuid4().hex[:4]}@%h"],
        cwd=ROOT, env={**os.environ, "SYNC_PREFETCH": "1" if prefetch else "0"}, stdout=log.open("w"),
        # Its own process group (killed as one), but the portal's session: with the kernel's
        # autogroup scheduling (/proc/sys/kernel/sched_autogroup_enabled) a new session is a new
        # scheduling group that gets a full share of the CPU whatever its nice level, so `nice`
        # would mean nothing against the pages; bin/serve starts the worker in the server's session.
        # `own_session` starts it the way this bench did before (a new session), for comparison.
        stderr=subprocess.STDOUT, **({"start_new_session": True} if own_session else {"process_group": 0}),
    )
    return proc, log


def wait_ready(log: Path, proc: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if b"ready." in log.read_bytes():
            return
        if proc.poll() is not None:
            break
        time.sleep(0.2)
    raise SystemExit(f"worker did not start:\n{log.read_text()[-2000:]}")


def rss_kb(root_pid: int) -> int:
    """Resident memory of a process and its children (from /proc; no psutil needed)."""
    total = 0
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            text = status.read_text()
        except OSError:
            continue
        pid = int(re.search(r"^Pid:\s+(\d+)", text, re.MULTILINE).group(1))
        ppid = int(re.search(r"^PPid:\s+(\d+)", text, re.MULTILINE).group(1))
        rss = re.search(r"^VmRSS:\s+(\d+)", text, re.MULTILINE)
        if rss and root_pid in (pid, ppid):
            total += int(rss.group(1))
    return total


TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(root_pid: int) -> float:
    """CPU time (user + system) used so far by a process and its live children."""
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid, ppid = int(stat.parent.name), int(fields[1])
        if root_pid in (pid, ppid):
            total += int(fields[11]) + int(fields[12])
    return total / TICKS


def machine_busy() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine since boot, every session included."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]
    return (sum(values) - idle) / TICKS, sum(values) / TICKS


def autogroup() -> str:
    try:
        return "on" if Path("/proc/sys/kernel/sched_autogroup_enabled").read_text().strip() == "1" else "off"
    except OSError:
        return "n/a"


def p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[max(0, round(0.95 * len(ordered)) - 1)]


def timed_get(session: requests.Session, url: str) -> float:
    started = time.perf_counter()
    response = session.get(url, timeout=30)
    assert response.status_code == 200, response.status_code
    return time.perf_counter() - started


def one_round(workers: int, prefetch: bool, session: requests.Session, expected: int, nice: int = 0,
              own_session: bool = False) -> dict:
    Conversation.objects.all().delete()
    SyncState.objects.filter(resource=services.RESOURCE).delete()
    TaskRecord.objects.all().delete()
    procs = [start_worker(i, prefetch, nice, own_session) for i in range(workers)]
    for proc, log in procs:
        wait_ready(log, proc)
    url = f"http://127.0.0.1:{PORTAL_PORT}/conversations/"
    busy, peak, stop = [], [0], threading.Event()

    def sample_memory():
        while not stop.is_set():
            peak[0] = max(peak[0], sum(rss_kb(proc.pid) for proc, _ in procs))
            stop.wait(0.2)

    def request_pages():
        while not stop.is_set() and len(busy) < 2000:
            busy.append(timed_get(session, url))

    threads = [threading.Thread(target=sample_memory), threading.Thread(target=request_pages)]
    try:
        started = time.perf_counter()
        cpu_before = {"workers": sum(cpu_seconds(p.pid) for p, _ in procs),
                      "sandbox": cpu_seconds(SERVERS[0].pid), "portal": cpu_seconds(SERVERS[1].pid)}
        machine_before = machine_busy()
        since = timezone.now()
        enqueue_listing_sync(services.RESOURCE)
        for thread in threads:
            thread.start()
        while True:
            state = SyncState.objects.filter(resource=services.RESOURCE, synced_at__gte=since).first()
            if state is not None:
                break
            if time.perf_counter() - started > TIMEOUT:
                raise SystemExit(f"the sync did not finish in {TIMEOUT:.0f} s")
            time.sleep(0.25)
        seconds = time.perf_counter() - started
        cpu_after = {"workers": sum(cpu_seconds(p.pid) for p, _ in procs),
                     "sandbox": cpu_seconds(SERVERS[0].pid), "portal": cpu_seconds(SERVERS[1].pid)}
        machine_after = machine_busy()
        # Cores busy on average during the sync: ours by process, and the whole machine's.
        cores = {k: (cpu_after[k] - cpu_before[k]) / seconds for k in cpu_before}
        cores["machine"] = (machine_after[0] - machine_before[0]) / seconds
        stop.set()
        for thread in threads:
            thread.join(timeout=60)
        cached = Conversation.objects.count()
        if state.last_error or cached != expected:
            raise SystemExit(f"sync ended with {cached} of {expected} rows: {state.last_error}")
        idle = [timed_get(session, url) for _ in range(max(20, min(len(busy), IDLE_REQUESTS or len(busy))))]
    finally:
        stop.set()
        for proc, _ in procs:
            if proc.poll() is None:
                os.killpg(proc.pid, 15)
        for proc, _ in procs:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, 9)
    return {"seconds": seconds, "rss_mb": peak[0] / 1024, "busy_p95": p95(busy), "idle_p95": p95(idle),
            "requests": len(busy), "idle_requests": len(idle), "cores": cores}


def spread(values: list[float], unit: str) -> str:
    return f"min {min(values):.2f} / median {statistics.median(values):.2f} / max {max(values):.2f} {unit}"


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    call_command("migrate", verbosity=0)
    call_command("sandbox_seed", "--reset", "--demo", verbosity=0)
    seeded = time.perf_counter()
    call_command("sandbox_seed", "--bulk", "--conversations", str(n), "--messages-per-conversation", "0", verbosity=0)
    call_command("ensure_login", verbosity=0)
    from sandbox.models.conversations import SbConversation

    expected = SbConversation.objects.count()
    broker = os.environ["CELERY_BROKER_URL"].split("://")[0]
    print(f"{time.strftime('%Y-%m-%d')}; database {connection.vendor}, broker {broker}, {os.cpu_count()} cores, "
          f"load {os.getloadavg()[0]:.1f}, autogroup {autogroup()}; seeded {expected} conversations in {time.perf_counter() - seeded:.1f} s")
    servers = SERVERS[:] = [gunicorn(SANDBOX_PORT, WORK / "sandbox.log"), gunicorn(PORTAL_PORT, WORK / "portal.log")]
    try:
        wait_up(SANDBOX_PORT)
        wait_up(PORTAL_PORT)
        session = login()
        variants = {"1 worker, no read-ahead": (1, False, 0), "1 worker": (1, True, 0), "2 workers": (2, True, 0),
                    "1 worker, nice 10": (1, True, 10), "1 worker, nice 10, own session": (1, True, 10, True)}
        if os.environ.get("BENCH_VARIANTS"):  # ";"-separated, e.g. "1 worker;1 worker, nice 10"
            variants = {name: variants[name] for name in os.environ["BENCH_VARIANTS"].split(";")}
        else:
            variants.pop("1 worker, nice 10")
            variants.pop("1 worker, nice 10, own session")
        results: dict[str, list[dict]] = {name: [] for name in variants}
        for run in range(RUNS):
            for name, (workers, prefetch, nice, *own_session) in variants.items():
                result = one_round(workers, prefetch, session, expected, nice, *own_session)
                results[name].append(result)
                print(f"run {run + 1}, {name}: sync {result['seconds']:.1f} s, peak RSS "
                      f"{result['rss_mb']:.0f} MB, changelist p95 {result['busy_p95'] * 1000:.0f} ms during "
                      f"({result['requests']} requests) vs {result['idle_p95'] * 1000:.0f} ms idle ({result['idle_requests']}); cores busy: "
                      + ", ".join(f"{k} {v:.2f}" for k, v in result["cores"].items()), flush=True)
        for name, rounds in results.items():
            ratios = [r["busy_p95"] / r["idle_p95"] for r in rounds]
            print(f"{name}: sync {spread([r['seconds'] for r in rounds], 's')}; "
                  f"peak RSS {spread([r['rss_mb'] for r in rounds], 'MB')}; "
                  f"p95 during/idle {spread(ratios, 'x')}")
        median = {name: statistics.median(r["seconds"] for r in rounds) for name, rounds in results.items()}
        if "1 worker, no read-ahead" not in median or "2 workers" not in median:
            return
        print(f"median sync time, no read-ahead / read-ahead (one worker): "
              f"{median['1 worker, no read-ahead'] / median['1 worker']:.2f}x (above 1: read-ahead was faster)")
        print(f"median sync time, one worker / two workers: {median['1 worker'] / median['2 workers']:.2f}x "
              "(above 1: two were faster)")
    finally:
        for server in servers:
            server.terminate()
            server.wait(timeout=10)


if __name__ == "__main__":
    main()

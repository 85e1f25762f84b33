"""Benchmark and smoke check: two app servers side by side on one PostgreSQL and one Redis.

Starts two gunicorn servers in sandbox mode sharing the database and Redis, then
1. logs in on server A and uses the same session cookie on server B (shared sessions);
2. measures changelist throughput through one server and spread over both, interleaved
   (one, two, one, two… ×BENCH_RUNS, min / median / max). Two servers can only beat one
   when there are free cores for both: it needs at least 4 idle cores (2 per server, the
   client and PostgreSQL on top), and says how many this machine has. On a shared 2-core
   machine expect about 1.0x: the figure then measures the machine, not the portal;
3. fires simultaneous Refresh clicks at both servers and counts how many syncs ran
   (the sync lease lets one server sync at a time; the others show the cache).

    .venv/bin/python bench/two_app_servers.py
    BENCH_POSTGRES=postgres://postgres@127.0.0.1:5432 BENCH_REDIS=redis://127.0.0.1:6379/5 BENCH_PORTS=8116,8117 ...

Only loopback addresses are used; every loop is bounded in count and time.
"""

from __future__ import annotations

import os
import re
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psycopg
import requests

ROOT = Path(__file__).resolve().parent.parent
PG = os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432")
DB_NAME = os.environ.get("BENCH_DB_NAME", "scale_bench")
REDIS = os.environ.get("BENCH_REDIS", "redis://127.0.0.1:6379/7")
PORTS = tuple(int(p) for p in os.environ.get("BENCH_PORTS", "8116,8117").split(","))
RUNS = int(os.environ.get("BENCH_RUNS", "3"))
CORES_NEEDED = 4
PASSWORD = "bench-pass-123"
REQUESTS = int(os.environ.get("BENCH_REQUESTS", "300"))


def env_for(port: int) -> dict:
    return {
        **os.environ,
        "DATABASE_URL": f"{PG}/{DB_NAME}",
        "REDIS_URL": REDIS,
        "PORT": str(port),
        "PORTAL_ADMIN_PASSWORD": PASSWORD,
        "SECRET_KEY": "bench-secret-key-" + "x" * 40,
        "LOG_LEVEL": "INFO",
    }


def manage(*args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env_for(PORTS[0]), check=True,
                   stdout=subprocess.DEVNULL)


def start(port: int, log) -> subprocess.Popen:
    return subprocess.Popen(
        [str(ROOT / ".venv/bin/gunicorn"), "portal.wsgi:application", "--bind", f"127.0.0.1:{port}",
         "--workers", "1", "--threads", "8", "--worker-class", "gthread", "--log-level", "warning"],
        cwd=ROOT, env=env_for(port), stdout=log, stderr=log,
    )


def wait_up(port: int) -> None:
    for _ in range(100):
        try:
            requests.get(f"http://127.0.0.1:{port}/login/", timeout=1)
            return
        except requests.RequestException:
            time.sleep(0.2)
    raise SystemExit(f"server on {port} did not start")


def login(port: int) -> requests.Session:
    session = requests.Session()
    page = session.get(f"http://127.0.0.1:{port}/login/", timeout=5)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    response = session.post(f"http://127.0.0.1:{port}/login/", timeout=5, allow_redirects=False,
                            data={"username": "admin", "password": PASSWORD, "csrfmiddlewaretoken": token},
                            headers={"Referer": f"http://127.0.0.1:{port}/login/"})
    assert response.status_code == 302, response.status_code
    return session


def throughput(session: requests.Session, ports: tuple[int, ...]) -> float:
    urls = [f"http://127.0.0.1:{ports[i % len(ports)]}/assistants/?sort=-updated" for i in range(REQUESTS)]
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(lambda url: session.get(url, timeout=30).status_code, urls))
    elapsed = time.perf_counter() - started
    assert set(statuses) == {200}, set(statuses)
    return REQUESTS / elapsed


def main() -> None:
    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB_NAME}")
        conn.execute(f"CREATE DATABASE {DB_NAME}")
    manage("migrate", "--noinput")
    manage("collectstatic", "--noinput", "--verbosity", "0")  # as bin/serve does: pages link hashed static names
    manage("sandbox_seed", "--demo")
    manage("ensure_login")
    logs = [open(f"/tmp/bench-server-{port}.log", "w") for port in PORTS]
    servers = [start(port, log) for port, log in zip(PORTS, logs)]
    try:
        for port in PORTS:
            wait_up(port)
        session = login(PORTS[0])
        shared = session.get(f"http://127.0.0.1:{PORTS[1]}/", timeout=5, allow_redirects=False)
        print(f"session from server A accepted by server B: {shared.status_code == 200}")

        throughput(session, PORTS)  # warm both
        one, two = [], []
        for _ in range(RUNS):
            one.append(throughput(session, PORTS[:1]))
            two.append(throughput(session, PORTS))
        idle = max(0.0, os.cpu_count() - os.getloadavg()[0])
        print(f"changelist req/s min / median / max over {RUNS} interleaved runs ({REQUESTS} requests each, 8 clients):")
        print(f"  one server  {min(one):6.1f} / {statistics.median(one):6.1f} / {max(one):6.1f}")
        print(f"  two servers {min(two):6.1f} / {statistics.median(two):6.1f} / {max(two):6.1f}"
              f"   ratio {statistics.median(two) / statistics.median(one):4.2f}x")
        print(f"  cores: {os.cpu_count()}, about {idle:.1f} idle (load average); a gain needs {CORES_NEEDED} idle cores")

        # A Refresh click queues the listing's sync for a worker (none runs here): count the
        # syncs the servers ran themselves and the sync tasks queued.
        token = session.cookies.get("csrftoken")
        key = 'portal.tasks.sync_listing:["assistants"]:{}'
        with psycopg.connect(f"{PG}/{DB_NAME}", autocommit=True) as conn:
            conn.execute("DELETE FROM portal_taskrecord WHERE key = %s", (key,))
        before = sum(Path(f"/tmp/bench-server-{p}.log").read_text().count("GET /ai/assistants status") for p in PORTS)
        clicks = [PORTS[i % 2] for i in range(10)]
        with ThreadPoolExecutor(max_workers=10) as pool:
            codes = list(pool.map(lambda p: session.post(
                f"http://127.0.0.1:{p}/assistants/refresh/", timeout=30,
                headers={"X-CSRFToken": token, "HX-Request": "true", "Referer": f"http://127.0.0.1:{p}/"}).status_code, clicks))
        time.sleep(0.5)
        after = sum(Path(f"/tmp/bench-server-{p}.log").read_text().count("GET /ai/assistants status") for p in PORTS)
        with psycopg.connect(f"{PG}/{DB_NAME}", autocommit=True) as conn:
            queued = conn.execute("SELECT count(*) FROM portal_taskrecord WHERE key = %s", (key,)).fetchone()[0]
        print(f"10 simultaneous Refresh clicks over two servers: answers {sorted(set(codes))}, "
              f"syncs run in the servers {after - before}, sync tasks queued {queued}")
    finally:
        for server in servers:
            server.terminate()
        for server in servers:
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:  # a thread still finishing a request on a loaded machine
                server.kill()
                server.wait(timeout=10)


if __name__ == "__main__":
    main()

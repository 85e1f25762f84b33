"""Load benchmark: 32 connections for 60 s against the main pages as a logged-in user.

Serves the portal the way `bin/serve` does (gunicorn, the repo's gunicorn.conf.py, 2 gthread
workers × 8 threads, sandbox mode with the demo seed) on its own SQLite file at
127.0.0.1:$BENCH_PORT, logs in as the Admin, then runs BENCH_CONNECTIONS client threads, each
with its own keep-alive connection, cycling through the main pages until BENCH_SECONDS have
passed. Prints errors (anything but a 200, or no answer; the goal is 0), throughput and
latency percentiles; with BENCH_RUNS > 1, min / median / max over the runs.

    .venv/bin/python bench/load.py
    BENCH_SECONDS=20 BENCH_RUNS=3 .venv/bin/python bench/load.py

Loopback only; every loop ends at its deadline and the server is stopped on the way out.
"""

from __future__ import annotations

import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
PORT = int(os.environ.get("BENCH_PORT", "8114"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "32"))
SECONDS = float(os.environ.get("BENCH_SECONDS", "60"))
RUNS = int(os.environ.get("BENCH_RUNS", "1"))
PASSWORD = "bench-load-pass-123"
PAGES = ("/", "/assistants/", "/mcp-servers/", "/integrations/", "/testing/tests/", "/testing/suites/",
         "/conversations/", "/conversations/insights/", "/knowledge/buckets/", "/knowledge/tasks/", "/inference/models/",
         "/inference/fine-tuning/", "/audit/")
BASE = f"http://{HOST}:{PORT}"


def environment(database: Path) -> dict:
    env = {key: value for key, value in os.environ.items() if key not in ("TELNYX_API_KEY", "REDIS_URL")}
    return {**env, "DATABASE_URL": f"sqlite:///{database}", "PORT": str(PORT), "PORTAL_ADMIN_PASSWORD": PASSWORD}


def manage(env: dict, *args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)


def serve(env: dict, log) -> subprocess.Popen:
    """gunicorn with bin/serve's flags (WEB_WORKERS / WEB_THREADS as there)."""
    return subprocess.Popen(
        [str(ROOT / ".venv/bin/gunicorn"), "portal.wsgi:application", "--bind", f"{HOST}:{PORT}",
         "--workers", env.get("WEB_WORKERS", "2"), "--threads", env.get("WEB_THREADS", "8"),
         "--worker-class", "gthread", "--timeout", "60", "--access-logfile", "-", "--log-level", "warning"],
        cwd=ROOT, env=env, stdout=log, stderr=log, start_new_session=True,
    )


def wait_up(server: subprocess.Popen) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and server.poll() is None:
        try:
            requests.get(f"{BASE}/login/", timeout=1)
            return
        except requests.RequestException:
            time.sleep(0.2)
    raise SystemExit("the server did not start (see the log)")


def login() -> requests.Session:
    session = requests.Session()
    page = session.get(f"{BASE}/login/", timeout=10)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    answer = session.post(f"{BASE}/login/", timeout=10, allow_redirects=False,
                          data={"username": "admin", "password": PASSWORD, "csrfmiddlewaretoken": token},
                          headers={"Referer": f"{BASE}/login/"})
    if answer.status_code != 302:
        raise SystemExit(f"login failed: {answer.status_code}")
    return session


def fill_caches(session: requests.Session) -> None:
    """One Refresh per list, as a first visit's automatic refresh would, so pages show rows."""
    token = session.cookies.get("csrftoken")
    for page in PAGES[1:]:
        html = session.get(BASE + page, timeout=30).text
        for refresh in sorted(set(re.findall(r'hx-post="(/[^"]*refresh/)"', html))):
            session.post(BASE + refresh, timeout=60, headers={"X-CSRFToken": token, "HX-Request": "true",
                                                              "Referer": BASE + page})


def one_run(cookies) -> dict:
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    deadline = time.monotonic() + SECONDS

    def client(n: int) -> None:
        session = requests.Session()
        session.cookies.update(cookies)
        mine, bad, i = [], [], n
        while time.monotonic() < deadline:
            page = PAGES[i % len(PAGES)]
            i += 1
            started = time.perf_counter()
            try:
                status = session.get(BASE + page, timeout=30, allow_redirects=False).status_code
            except requests.RequestException as exc:
                status = type(exc).__name__
            mine.append(time.perf_counter() - started)
            if status != 200:
                bad.append(f"{page} {status}")
        with lock:
            latencies.extend(mine)
            errors.extend(bad)

    started = time.perf_counter()
    threads = [threading.Thread(target=client, args=(n,)) for n in range(CONNECTIONS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    ordered = sorted(latencies)
    return {"requests": len(ordered), "errors": errors, "rps": len(ordered) / elapsed,
            "p50": ordered[len(ordered) // 2] * 1000, "p95": ordered[int(len(ordered) * 0.95)] * 1000,
            "max": ordered[-1] * 1000}


def main() -> None:
    workdir = Path(tempfile.mkdtemp(prefix="bench-load-"))
    env = environment(workdir / "db.sqlite3")
    print(f"==> preparing {workdir} (migrate, static files, demo seed, logins)")
    manage(env, "migrate", "--noinput")
    manage(env, "collectstatic", "--noinput", "--verbosity", "0")
    manage(env, "sandbox_seed", "--demo")
    manage(env, "ensure_login", "--demo-roles")
    log = open(workdir / "server.log", "w")
    server = serve(env, log)
    try:
        wait_up(server)
        session = login()
        fill_caches(session)
        for page in PAGES:  # warm every worker's templates
            session.get(BASE + page, timeout=30)
        results = []
        for run in range(RUNS):
            result = one_run(session.cookies)
            results.append(result)
            print(f"run {run + 1}: {result['requests']} requests in {SECONDS:.0f} s, {CONNECTIONS} connections, "
                  f"errors {len(result['errors'])}, {result['rps']:.1f} req/s, "
                  f"p50 {result['p50']:.0f} ms, p95 {result['p95']:.0f} ms, max {result['max']:.0f} ms")
            for error in sorted(set(result["errors"]))[:10]:
                print(f"   error: {error}")
        if RUNS > 1:
            for key, unit in (("rps", "req/s"), ("p95", "ms")):
                values = [r[key] for r in results]
                print(f"{key} min / median / max over {RUNS} runs: "
                      f"{min(values):.1f} / {statistics.median(values):.1f} / {max(values):.1f} {unit}")
        print(f"pages: {', '.join(PAGES)}")
    finally:
        os.killpg(server.pid, 15)
        server.wait(timeout=30)
        log.close()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()

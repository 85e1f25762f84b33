"""Do streamed chat replies block other requests? One gunicorn gthread worker with
WEB_THREADS=8 (as bin/serve), a sandbox that paces each streamed fragment, and:
page latency with no stream open vs with STREAMS replies streaming at once, interleaved
BENCH_RUNS times (min / median / max, ratio). In sandbox mode a stream holds two threads:
the portal's relay and the sandbox answering it.

    .venv/bin/python bench/stream_concurrency.py        (port 8107, a throwaway SQLite file)

Only loopback addresses are used; every loop is bounded in count and time.
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
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
PORT = int(os.environ.get("BENCH_PORT", "8107"))
BASE = f"http://127.0.0.1:{PORT}"
RUNS = int(os.environ.get("BENCH_RUNS", "3"))
STREAMS = int(os.environ.get("BENCH_STREAMS", "3"))
SAMPLES = 20
PASSWORD = "bench-pass-123"
DB = Path(tempfile.gettempdir()) / f"stream-bench-{PORT}.sqlite3"
ENV = {**os.environ, "DATABASE_URL": f"sqlite:///{DB}", "PORT": str(PORT), "PORTAL_ADMIN_PASSWORD": PASSWORD,
       "SECRET_KEY": "bench-secret-key-" + "x" * 40, "SANDBOX_STREAM_DELAY_MS": "150"}


def manage(*args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=ENV, check=True, stdout=subprocess.DEVNULL)


def login() -> requests.Session:
    session = requests.Session()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', session.get(f"{BASE}/login/", timeout=5).text).group(1)
    response = session.post(f"{BASE}/login/", allow_redirects=False, timeout=5, headers={"Referer": f"{BASE}/login/"},
                            data={"username": "admin", "password": PASSWORD, "csrfmiddlewaretoken": token})
    assert response.status_code == 302, response.status_code
    return session


def page_latency_ms(session: requests.Session) -> float:
    times = []
    for _ in range(SAMPLES):
        started = time.perf_counter()
        assert session.get(f"{BASE}/assistants/", timeout=30).status_code == 200
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def stream_one(session: requests.Session, assistant_id: str, done: list) -> None:
    token = session.cookies.get("csrftoken")
    with session.post(f"{BASE}/assistants/{assistant_id}/chat/stream/", stream=True, timeout=60,
                      data={"content": "Tell me all about your plans and prices, please, in detail."},
                      headers={"X-CSRFToken": token, "Referer": f"{BASE}/"}) as response:
        lines = list(response.iter_lines())
    if not any(line.startswith(b"event: done") for line in lines):
        print("  a stream did not finish:", response.status_code, response.headers.get("content-type"), lines[-3:])
    done.append(sum(1 for line in lines if line.startswith(b"event: delta")))


def with_streams(session: requests.Session, assistant_id: str) -> tuple[float, list]:
    done: list = []
    threads = [threading.Thread(target=stream_one, args=(login(), assistant_id, done)) for _ in range(STREAMS)]
    for thread in threads:
        thread.start()
    time.sleep(0.5)  # the streams are open and pacing
    latency = page_latency_ms(session)
    for thread in threads:
        thread.join(60)
    return latency, done


def main() -> None:
    DB.unlink(missing_ok=True)
    manage("migrate", "--noinput")
    manage("sandbox_seed", "--demo")
    manage("ensure_login")
    manage("collectstatic", "--noinput")
    log = open(f"/tmp/stream-bench-{PORT}.log", "w")
    server = subprocess.Popen([str(ROOT / ".venv/bin/gunicorn"), "portal.wsgi:application", "--bind", f"127.0.0.1:{PORT}",
                               "--workers", "1", "--threads", "8", "--worker-class", "gthread", "--log-level", "warning"],
                              cwd=ROOT, env=ENV, stdout=log, stderr=log)
    try:
        for _ in range(100):
            try:
                requests.get(f"{BASE}/login/", timeout=1)
                break
            except requests.RequestException:
                time.sleep(0.2)
        session = login()
        session.get(f"{BASE}/assistants/", timeout=30)
        # Straight from the sandbox (its fixed demo key): the portal's list fills on a worker sync.
        assistants = requests.get(f"{BASE}/sandbox/v2/ai/assistants", timeout=30,
                                  headers={"Authorization": "Bearer KEYSANDBOX_local_demo_key"}).json()["data"]
        assistant_id = assistants[0]["id"]
        idle, busy, deltas = [], [], []
        for _ in range(RUNS):
            idle.append(page_latency_ms(session))
            latency, done = with_streams(session, assistant_id)
            busy.append(latency)
            deltas += done
        print(f"/assistants/ median latency (ms) over {SAMPLES} requests, min / median / max of {RUNS} interleaved runs:")
        print(f"  no stream open     {min(idle):7.1f} / {statistics.median(idle):7.1f} / {max(idle):7.1f}")
        print(f"  {STREAMS} streams open    {min(busy):7.1f} / {statistics.median(busy):7.1f} / {max(busy):7.1f}"
              f"   ratio {statistics.median(busy) / statistics.median(idle):4.2f}x")
        print(f"  streams finished: {len(deltas)} of {STREAMS * RUNS}, delta events each: {sorted(set(deltas))}")
    finally:
        server.terminate()
        server.wait(10)
        DB.unlink(missing_ok=True)


if __name__ == "__main__":
    main()

"""Load benchmark: logged-in clients loading the main pages, with and without slow clients.

Serves the portal the way `bin/serve` does (`python -m portal.server`: waitress, 2 processes ×
8 threads; BENCH_SERVER=gunicorn serves it the way bin/serve did before, gunicorn gthread 2 × 8,
for comparison) in sandbox mode with the demo seed, on its own SQLite file at
127.0.0.1:$BENCH_PORT, logs in as the Admin, then per round:

- load: BENCH_CONNECTIONS client threads (32), each with its own keep-alive connection, cycling
  through the main pages for BENCH_SECONDS;
- quiet / stalled (the slow-client phase): BENCH_SLOW_CONNECTIONS logged-in clients (8) the same
  way, first alone, then while BENCH_STALLED anonymous connections (200) each send half a
  request and stall (half send nothing more, half trickle a header byte every 5 s; a closed one
  reconnects at once, as an attacker's would).

Prints errors (anything but a 200, or no answer within 30 s; the goal is 0), the error rate,
throughput and latency percentiles per run, and with BENCH_RUNS > 1 min / median / max over
the runs, rounds interleaved (load, quiet, stalled, load, quiet, stalled, ...).

    .venv/bin/python bench/load.py
    BENCH_SECONDS=20 BENCH_RUNS=3 .venv/bin/python bench/load.py
    BENCH_PHASES=quiet,stalled BENCH_SERVER=gunicorn .venv/bin/python bench/load.py

Loopback only; every loop ends at its deadline and the server is stopped on the way out.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
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
SLOW_CONNECTIONS = int(os.environ.get("BENCH_SLOW_CONNECTIONS", "8"))
STALLED = int(os.environ.get("BENCH_STALLED", "200"))
PHASES = os.environ.get("BENCH_PHASES", "load,quiet,stalled").split(",")
SERVER = os.environ.get("BENCH_SERVER", "serve")
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
    """As bin/serve runs the web server (WEB_WORKERS / WEB_THREADS as there), or as it did (gunicorn)."""
    if SERVER == "gunicorn":
        command = [str(ROOT / ".venv/bin/gunicorn"), "portal.wsgi:application", "--bind", f"{HOST}:{PORT}",
                   "--workers", env.get("WEB_WORKERS", "2"), "--threads", env.get("WEB_THREADS", "8"),
                   "--worker-class", "gthread", "--timeout", "60", "--access-logfile", "-", "--log-level", "warning"]
    else:
        command = [sys.executable, "-m", "portal.server"]
    return subprocess.Popen(command, cwd=ROOT, env={**env, "BIND": HOST, "LOG_LEVEL": "WARNING"},
                            stdout=log, stderr=log, start_new_session=True)


class Stalled:
    """`count` anonymous connections that each send half a request and stall until stopped."""

    HALF_REQUEST = f"POST /login/ HTTP/1.1\r\nHost: {HOST}\r\nContent-Type: application/x-www-form-urlencoded\r\n"

    def __init__(self, count: int):
        self.count, self.stop, self.opened = count, threading.Event(), 0
        self.thread = threading.Thread(target=self.run)

    def connect(self) -> socket.socket | None:
        try:
            sock = socket.create_connection((HOST, PORT), timeout=5)
            sock.sendall(self.HALF_REQUEST.encode())
            self.opened += 1
            return sock
        except OSError:
            return None

    def run(self) -> None:
        sockets = [self.connect() for _ in range(self.count)]
        tick = 0
        while not self.stop.wait(1):
            tick += 1
            for n, sock in enumerate(sockets):
                try:
                    if sock is None:
                        raise OSError
                    if n % 2 and tick % 5 == 0:
                        sock.sendall(b"X")  # the trickling half: one byte of a header every 5 s
                    sock.setblocking(False)
                    try:
                        if sock.recv(1024) == b"":  # closed by the server
                            raise OSError
                    except BlockingIOError:
                        pass
                    sock.setblocking(True)
                except OSError:
                    if sock is not None:
                        sock.close()
                    sockets[n] = self.connect()
        for sock in sockets:
            if sock is not None:
                sock.close()

    def __enter__(self):
        self.thread.start()
        time.sleep(2)  # all of them connected and stalled before the clients start
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join()


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


def one_run(cookies, connections: int) -> dict:
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
    threads = [threading.Thread(target=client, args=(n,)) for n in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    ordered = sorted(latencies)
    return {"requests": len(ordered), "errors": errors, "rps": len(ordered) / elapsed,
            "error_rate": len(errors) / max(1, len(ordered)),
            "p50": ordered[len(ordered) // 2] * 1000, "p95": ordered[int(len(ordered) * 0.95)] * 1000,
            "max": ordered[-1] * 1000}


def phase_run(phase: str, cookies) -> dict:
    if phase == "load":
        return one_run(cookies, CONNECTIONS)
    if phase == "quiet":
        return one_run(cookies, SLOW_CONNECTIONS)
    with Stalled(STALLED) as stalled:
        result = one_run(cookies, SLOW_CONNECTIONS)
    result["opened"] = stalled.opened
    return result


DESCRIBE = {"load": lambda: f"{CONNECTIONS} clients",
            "quiet": lambda: f"{SLOW_CONNECTIONS} clients, no stalled connections",
            "stalled": lambda: f"{SLOW_CONNECTIONS} clients + {STALLED} stalled anonymous connections"}


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
        results: dict[str, list[dict]] = {phase: [] for phase in PHASES}
        print(f"server: {SERVER} ({'gunicorn gthread' if SERVER == 'gunicorn' else 'python -m portal.server, waitress'}), "
              f"{os.environ.get('WEB_WORKERS', '2')} processes x {os.environ.get('WEB_THREADS', '8')} threads, "
              f"{os.cpu_count()} cores, {SECONDS:.0f} s per run")
        for run in range(RUNS):
            for phase in PHASES:  # interleaved: every phase once per round
                result = phase_run(phase, session.cookies)
                results[phase].append(result)
                opened = f", {result['opened']} stalled connections opened" if "opened" in result else ""
                print(f"round {run + 1} {phase:8} ({DESCRIBE[phase]()}): {result['requests']} requests, "
                      f"errors {len(result['errors'])} ({result['error_rate']:.1%}), {result['rps']:.1f} req/s, "
                      f"p50 {result['p50']:.0f} ms, p95 {result['p95']:.0f} ms, max {result['max']:.0f} ms{opened}",
                      flush=True)
                for error in sorted(set(result["errors"]))[:5]:
                    print(f"   error: {error}")
        print("summary, min / median / max over the rounds:")
        for phase in PHASES:
            line = []
            for key, unit, scale in (("error_rate", "%", 100), ("rps", "req/s", 1), ("p95", "ms", 1)):
                values = [r[key] * scale for r in results[phase]]
                line.append(f"{key} {min(values):.1f} / {statistics.median(values):.1f} / {max(values):.1f} {unit}")
            print(f"  {phase:8} ({DESCRIBE[phase]()}): " + ", ".join(line))
        print(f"pages: {', '.join(PAGES)}")
    finally:
        os.killpg(server.pid, 15)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:  # gunicorn waits for the requests its stalled threads hold
            os.killpg(server.pid, 9)
            server.wait()
        log.close()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()

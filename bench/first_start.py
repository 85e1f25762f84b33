"""Benchmark: the README's one command, `bin/serve`, from a fresh clone and on a restart, to the
first 200 of /login/ (issue 23's goals: a fresh clone under 60 s, a restart under 10 s).

Alternates fresh, restart, fresh, restart… ×N (default 3):
- fresh: `git clone` of this repository's committed HEAD into a new temporary directory (no
  .venv, no database, no static files), then `bin/serve` in it. pip runs with no cache
  (PIP_NO_CACHE_DIR=1), as on a new machine; BENCH_PIP_CACHE=1 lets it use this user's cache;
- restart: `bin/serve` again in the same clone, once the fresh one was stopped (everything
  installed, migrated, collected and seeded).
Each start is timed from launching `bin/serve` to the first 200 of GET /login/ (polled every
0.2 s), then stopped: SIGTERM to its process group, SIGKILL after BENCH_STOP_SECONDS (default
20), and its clone removed after its restart. Prints each run's steps as bin/serve printed them
(with the time since start each line appeared, so the venv and pip times can be read off), the
load average before each run, and min / median / max of each kind.

    .venv/bin/python bench/first_start.py [N]
    BENCH_PORT=8600 BENCH_PIP_CACHE=1 BENCH_TIMEOUT=900 .venv/bin/python bench/first_start.py 3
    BENCH_FRESH=0 BENCH_BASE_REF=main BENCH_PORT=8600 .venv/bin/python bench/first_start.py 5

BENCH_FRESH=0 times restarts only, this HEAD's against BENCH_BASE_REF's (default HEAD~1), interleaved
(ours, base, ours, base… ×N): each is cloned, given this checkout's .venv (its parts linked: no pip) and
started once untimed (migrate, seed), then restarted N times; prints min / median / max and the ratio.

Sandbox mode and SQLite (TELNYX_API_KEY, DATABASE_URL and REDIS_URL are removed from the
environment bin/serve gets), as the README's first command runs on a new machine. Only
loopback; every wait is bounded.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PORT = int(os.environ.get("BENCH_PORT", "8600"))
TIMEOUT = float(os.environ.get("BENCH_TIMEOUT", "900"))  # to the login page, per start
STOP_SECONDS = float(os.environ.get("BENCH_STOP_SECONDS", "20"))
PIP_CACHE = os.environ.get("BENCH_PIP_CACHE") == "1"
GOALS = {"fresh": 60.0, "restart": 10.0}
# The lines bin/serve (and serve_setup in the web server's start) print, kept in each run's report.
STEP = re.compile(r"^==> (Creating \.venv|Installing requirements|Requirements|Sandbox mode|Database|Static files"
                  r"|Sandbox demo data|Logins|Serving after)")


def serve_env() -> dict:
    env = {key: value for key, value in os.environ.items()
           if key not in {"TELNYX_API_KEY", "DATABASE_URL", "REDIS_URL", "VIRTUAL_ENV", "PYTHONPATH"}}
    env["PORT"] = str(PORT)
    env["PATH"] = os.pathsep.join(p for p in env.get("PATH", "").split(os.pathsep) if ".venv" not in p)
    if PIP_CACHE:
        env.pop("PIP_NO_CACHE_DIR", None)
    else:
        env["PIP_NO_CACHE_DIR"] = "1"
    return env


def port_free() -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", PORT)) != 0


def login_ok() -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{PORT}/login/", timeout=2) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


def stop(process: subprocess.Popen) -> None:
    """SIGTERM to bin/serve's process group (it stops its web server, worker and beat), SIGKILL
    to the group after STOP_SECONDS; then wait (bounded) for the port to be free again."""
    try:
        os.killpg(process.pid, signal.SIGTERM)
    except ProcessLookupError:
        pass
    try:
        process.wait(timeout=STOP_SECONDS)
    except subprocess.TimeoutExpired:
        print(f"    bin/serve did not stop within {STOP_SECONDS:.0f} s: SIGKILL to its group")
    try:  # children left in the group (a worker that outlived its parent) go too
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    process.wait(timeout=10)
    deadline = time.monotonic() + 30
    while not port_free() and time.monotonic() < deadline:
        time.sleep(0.2)


def start(clone: Path, kind: str) -> dict:
    """Run bin/serve in the clone until the login page answers 200; return its figures."""
    load = os.getloadavg()
    lines: list[tuple[float, str]] = []
    started = time.monotonic()
    process = subprocess.Popen([str(clone / "bin/serve")], cwd=clone, env=serve_env(), stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True, start_new_session=True)

    def read() -> None:
        for line in process.stdout:
            lines.append((time.monotonic() - started, line.rstrip()))
    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    seconds = None
    try:
        while time.monotonic() - started < TIMEOUT:
            if login_ok():
                seconds = time.monotonic() - started
                break
            if process.poll() is not None:
                break
            time.sleep(0.2)
    finally:
        stop(process)
        reader.join(timeout=5)
    if seconds is None:
        tail = "\n".join(f"      {text}" for _, text in lines[-20:])
        raise SystemExit(f"{kind}: no 200 on /login/ within {TIMEOUT:.0f} s (bin/serve status {process.returncode});"
                         f" its last lines:\n{tail}")
    steps = [(at, text) for at, text in lines if STEP.match(text)]
    return {"kind": kind, "seconds": seconds, "load": load, "steps": steps}


def report(run: dict) -> None:
    one, five, fifteen = run["load"]
    print(f"  {run['kind']:<7} {run['seconds']:7.1f} s to the login page   (load before {one:.1f} / {five:.1f} / {fifteen:.1f})")
    for at, text in run["steps"]:
        print(f"      at {at:6.1f} s  {text}")


def summary(runs: list[dict], kind: str) -> str:
    figures = [run["seconds"] for run in runs if run["kind"] == kind]
    goal = GOALS[kind]
    median = statistics.median(figures)
    return (f"{kind:<7} min / median / max {min(figures):6.1f} / {median:6.1f} / {max(figures):6.1f} s"
            f"   goal < {goal:.0f} s: {'met' if median < goal else 'not met'} (median)")


def restarts_only(rounds: int) -> None:
    """Restarts of HEAD and of BENCH_BASE_REF, interleaved, after one untimed first start of each."""
    base_ref = os.environ.get("BENCH_BASE_REF", "HEAD~1")
    workdir = Path(tempfile.mkdtemp(prefix="first-start-restarts-"))
    venv = (ROOT / ".venv").resolve()
    try:
        clones = {}
        for name, ref in (("ours", "HEAD"), ("base", base_ref)):
            clone = clones[name] = workdir / name
            subprocess.run(["git", "clone", "--quiet", "--no-checkout", str(ROOT), str(clone)], check=True, timeout=120)
            commit = subprocess.run(["git", "rev-parse", ref], cwd=ROOT, capture_output=True, text=True, check=True).stdout.strip()
            subprocess.run(["git", "checkout", "--quiet", commit], cwd=clone, check=True, timeout=120)
            # The venv's parts linked, its requirements stamp its own: bin/serve skips pip and
            # never writes into the shared venv.
            (clone / ".venv").mkdir()
            for part in venv.iterdir():
                if not part.name.startswith(".requirements-"):
                    (clone / ".venv" / part.name).symlink_to(part)
            digest = hashlib.sha256((clone / "requirements.txt").read_bytes()).hexdigest()[:16]
            (clone / ".venv" / f".requirements-{digest}").touch()
            first = start(clone, "fresh")
            print(f"{name}: {ref} ({commit[:9]}); first start (not counted) {first['seconds']:.1f} s")
        runs = {"ours": [], "base": []}
        for round_number in range(1, rounds + 1):
            for name, clone in clones.items():
                run = start(clone, "restart")
                runs[name].append(run["seconds"])
                print(f"round {round_number} {name:<4} restart {run['seconds']:5.1f} s (load before {run['load'][0]:.1f})")
                for at, text in run["steps"]:
                    print(f"      at {at:6.1f} s  {text}")
        print()
        for name, figures in runs.items():
            print(f"restart {name:<4} min / median / max {min(figures):5.1f} / {statistics.median(figures):5.1f} / "
                  f"{max(figures):5.1f} s")
        print(f"ours/base (median) {statistics.median(runs['ours']) / statistics.median(runs['base']):.2f}x;"
              f" load now {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def main() -> None:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    if os.environ.get("BENCH_FRESH") == "0":
        sys.stdout.reconfigure(line_buffering=True)
        if not port_free():
            raise SystemExit(f"port {PORT} is in use: set BENCH_PORT")
        restarts_only(rounds)
        return
    sys.stdout.reconfigure(line_buffering=True)  # each run's figures as it ends, also into a file
    if not port_free():
        raise SystemExit(f"port {PORT} is in use: set BENCH_PORT")
    head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                          check=True).stdout.strip()
    print(f"{time.strftime('%Y-%m-%d %H:%M', time.gmtime())} UTC; bin/serve from a git clone of {head}; port {PORT};"
          f" pip cache {'allowed' if PIP_CACHE else 'off (PIP_NO_CACHE_DIR=1)'}; {rounds} rounds of fresh, restart;"
          f" {os.cpu_count()} cores")
    runs = []
    for round_number in range(1, rounds + 1):
        workdir = Path(tempfile.mkdtemp(prefix="first-start-"))
        try:
            clone = workdir / "portal"
            cloned = time.monotonic()
            subprocess.run(["git", "clone", "--quiet", str(ROOT), str(clone)], check=True, timeout=120)
            print(f"round {round_number} (git clone {time.monotonic() - cloned:.1f} s, not counted)")
            for kind in ("fresh", "restart"):
                runs.append(start(clone, kind))
                report(runs[-1])
        finally:
            shutil.rmtree(workdir, ignore_errors=True)
    print()
    print(summary(runs, "fresh"))
    print(summary(runs, "restart"))
    loads = [run["load"][0] for run in runs]
    print(f"load average (1 min) before the runs: {min(loads):.1f} to {max(loads):.1f} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()

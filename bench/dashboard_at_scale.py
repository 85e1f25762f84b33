"""Benchmark: the dashboard over 1,000 vs 100,000 cached conversations, interleaved.

Seeds the sandbox in bulk, serves it with gunicorn, syncs every conversation into the
portal's cache over HTTP, then copies the SQLite database and trims the copy to 1,000
conversations. Rounds alternate between the two databases and render the dashboard
through the test client: the query count must be equal, the time close.

    .venv/bin/python bench/dashboard_at_scale.py [N] [ROUNDS]     # default 100000 5
    BENCH_PORT=8107 to pick the port the sandbox is served on.
"""

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PORT = int(os.environ.get("BENCH_PORT", "18202"))
BIG = Path(tempfile.mkdtemp()) / "big.sqlite3"
os.environ["DJANGO_SETTINGS_MODULE"] = "portal.settings"
os.environ["DATABASE_URL"] = f"sqlite:///{BIG}"
os.environ["PORT"] = str(PORT)
os.environ.pop("TELNYX_API_KEY", None)
os.environ.setdefault("LOG_LEVEL", "WARNING")

import django  # noqa: E402

django.setup()

import requests  # noqa: E402
from django.conf import settings  # noqa: E402
from django.contrib.auth.models import User  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client, override_settings  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402
from django.utils import timezone  # noqa: E402

from conversations import services  # noqa: E402
from conversations.models import Conversation  # noqa: E402
from conversations.rollups import rebuild  # noqa: E402
from portal.models import SyncState  # noqa: E402


def sync_all() -> None:
    run_id = ""
    while True:
        outcome = services.conversations_sync_step(run_id=run_id)
        if outcome.error or outcome.busy:
            raise SystemExit(f"sync failed: {outcome}")
        if outcome.done:
            return
        run_id = outcome.run_id


def use_database(path: Path) -> None:
    connection.close()
    connection.settings_dict["NAME"] = str(path)


def render_dashboard(client: Client) -> tuple[float, int]:
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        response = client.get("/")
        elapsed = time.perf_counter() - started
    assert response.status_code == 200, response.status_code
    return elapsed, len(queries.captured_queries)


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    call_command("migrate", verbosity=0)
    call_command("sandbox_seed", "--reset", "--demo", verbosity=0)
    call_command("sandbox_seed", "--bulk", "--conversations", str(n), "--messages-per-conversation", "0", verbosity=0)
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
        sync_all()
    finally:
        server.terminate()
        server.wait(timeout=10)
    # Spread the cache over the chart's two weeks so every day has bars to count.
    now = timezone.now()
    ids = list(Conversation.objects.values_list("pk", flat=True))
    for day in range(14):
        Conversation.objects.filter(pk__in=ids[day::14]).update(created_at=now - timezone.timedelta(days=day))
    rebuild()  # the re-dating above went around the write path: recount the per-day rollup
    SyncState.objects.filter(resource__in=("assistants", "models")).update(synced_at=now)
    setup_test_environment()
    # No collectstatic here: serve static names from the finders, as the tests do.
    override_settings(STORAGES={**settings.STORAGES, "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}).enable()
    client = Client()
    client.force_login(User.objects.create_superuser("bench", password="x"))  # before the copy: both hold the session
    small = BIG.with_name("small.sqlite3")
    connection.close()
    shutil.copy(BIG, small)
    use_database(small)
    keep = Conversation.objects.order_by("pk").values_list("pk", flat=True)[1000:1001]
    Conversation.objects.filter(pk__gte=keep[0]).delete()
    rebuild()
    sizes = {"1,000": small, f"{n:,}": BIG}
    times: dict[str, list[float]] = {label: [] for label in sizes}
    queries: dict[str, set[int]] = {label: set() for label in sizes}
    counts = {}
    for _ in range(rounds):
        for label, path in sizes.items():
            use_database(path)
            counts[label] = Conversation.objects.count()
            elapsed, q = render_dashboard(client)
            times[label].append(elapsed)
            queries[label].add(q)
    print(f"database: {connection.vendor}; {rounds} interleaved rounds; dashboard render through the test client")
    for label, samples in times.items():
        print(f"{counts[label]:>7,} conversations: min {min(samples):.3f} s, median {statistics.median(samples):.3f} s, "
              f"max {max(samples):.3f} s, queries {sorted(queries[label])}")
    if os.environ.get("BENCH_SHOW_QUERIES"):
        use_database(BIG)
        with CaptureQueriesContext(connection) as slow:
            client.get("/")
        for q in sorted(slow.captured_queries, key=lambda q: -float(q["time"]))[:5]:
            print(f"{q['time']} s  {q['sql'][:160]}")
    labels = list(sizes)
    ratio = statistics.median(times[labels[1]]) / statistics.median(times[labels[0]])
    print(f"median ratio {labels[1]} / {labels[0]}: {ratio:.2f}x")


if __name__ == "__main__":
    main()

"""Benchmark: our changelists against the stock Django admin and a hello-world view, at scale.

Seeds 100,000 conversations into the sandbox and the cache, and 10,000 tests in 1,000
suites into the cache (no list page reads the sandbox, so the tests skip it); syncs every
other list from the demo sandbox. Then serves `bench.settings` (the portal, plus the stock
`django.contrib.admin` over the same cache tables and a hello view behind login, mounted
only here) with gunicorn as `bin/serve` does, and prints, interleaved A,B,A,B… ×RUNS:
ours vs the admin on the default page, search + filter, page 1,000 and a page nobody asked
before (nothing kept serves it); ours vs hello; and queries and bytes per page for every list.
Repeat views of one URL are served from kept fragments (`core.changelist.Fragments`).

    .venv/bin/python bench/changelists.py
    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/scale_bench .venv/bin/python bench/changelists.py

BENCH_SECONDS (2.0) is how long one run keeps its clients busy, BENCH_CLIENTS (4) how many
requests are in flight, BENCH_RUNS (3) how many A,B pairs. Loopback only; bounded.

BENCH_BASE names another checkout (say `git archive main | tar -x -C /tmp/base`, its `.venv`
linked): a second server runs its code on BENCH_PORT+1 over the same database, and the default
page vs hello is measured on both, interleaved (ours, hello, base, base's hello ×RUNS), so a
change is judged against its base at the same load. BENCH_BASE_ENV=NAME=value,… sets the base
server's environment apart (BENCH_BASE=. BENCH_BASE_ENV=DATABASE_PREPARED=false with
DATABASE_PREPARED=true compares a setting on one checkout). BENCH_ONLY_HELLO=1 skips the admin comparisons;
BENCH_ONLY_WEIGHTS=1 stops after the queries and bytes per page (no throughput runs); BENCH_SQL=text
prints the queries of the pages whose URL holds that text.

The hello comparisons run twice: against the 5-byte hello, and against a hello whose body is the
list page's size (`/bench-hello/<bytes>/`): the second counts the server's work alone, the first
also the sending and reading of 65 KB, which the bench's own client does on the same two cores.
"""

from __future__ import annotations

import itertools
import os
import re
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import bench.seeding as seeding  # noqa: E402, I001  (first: the environment, a fresh database, django.setup())

import requests  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from assistants.models import Assistant  # noqa: E402
from bench.seeding import CONVERSATIONS, PORT, ROOT  # noqa: E402
from conversations.models import Conversation  # noqa: E402
from testing.models import AssistantTest, TestSuite  # noqa: E402

# Filled by their own sync (over HTTP from the server's sandbox); the big lists are seeded directly.
SEEDED_DIRECTLY = {"conversations", "assistant-tests", "test-suites"}
SECONDS = float(os.environ.get("BENCH_SECONDS", "2.0"))
CLIENTS = int(os.environ.get("BENCH_CLIENTS", "4"))
RUNS = int(os.environ.get("BENCH_RUNS", "3"))
PASSWORD = "bench-pass-123"


def seed() -> Client:
    """Needs the server up: the other lists sync from its sandbox over HTTP."""
    started = time.monotonic()
    client = Client()
    user = get_user_model().objects.get(username="admin")
    client.force_login(user)
    from core.background import listings

    for resource, listing in listings().items():  # the other lists, synced here rather than on a worker
        if resource not in SEEDED_DIRECTLY:
            listing.sync()
    seeding.seed_conversations(CONVERSATIONS)
    seeding.seed_cache_tests()
    seeding.mark_synced("conversations", "assistant-tests", "test-suites")  # no page starts a sync while measured
    print(f"seeded {Conversation.objects.count():,} conversations, {AssistantTest.objects.count():,} tests in "
          f"{TestSuite.objects.count():,} suites, {Assistant.objects.count()} assistants "
          f"({time.monotonic() - started:.0f} s, {connection.vendor})")
    return client


BASE = os.environ.get("BENCH_BASE", "")


def start_server(log, root: Path = ROOT, port: int = PORT, extra: dict | None = None) -> subprocess.Popen:
    """As `bin/serve` runs it: gthread workers, WEB_WORKERS × WEB_THREADS."""
    return subprocess.Popen(
        [str(ROOT / ".venv/bin/gunicorn"), "portal.wsgi:application", "--bind", f"127.0.0.1:{port}",
         "--workers", os.environ.get("WEB_WORKERS", "2"), "--threads", os.environ.get("WEB_THREADS", "8"),
         "--worker-class", "gthread", "--timeout", "120", "--log-level", "warning"],
        cwd=root, env={**os.environ, **(extra or {}), "PORT": str(port), "PYTHONPATH": str(root)}, stdout=log, stderr=log)


def login() -> requests.Session:
    base = f"http://127.0.0.1:{PORT}"
    get_user_model().objects.filter(username="admin").update(is_staff=True, is_superuser=True)
    user = get_user_model().objects.get(username="admin")
    user.set_password(PASSWORD)
    user.save()
    for _ in range(100):
        try:
            requests.get(f"{base}/login/", timeout=2)
            break
        except requests.RequestException:
            time.sleep(0.2)
    session = requests.Session()
    page = session.get(f"{base}/login/", timeout=10)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    answer = session.post(f"{base}/login/", data={"username": "admin", "password": PASSWORD, "csrfmiddlewaretoken": token},
                          headers={"Referer": f"{base}/login/"}, allow_redirects=False, timeout=10)
    assert answer.status_code == 302, answer.status_code
    return session


def throughput(session: requests.Session, path: str, port: int = PORT) -> float:
    """Requests per second with CLIENTS in flight for about SECONDS (each client finishes its request)."""
    url, done, lock = f"http://127.0.0.1:{port}{path}", [], threading.Lock()
    deadline = time.perf_counter() + SECONDS
    pages = itertools.count(2)

    def client():
        while True:
            # `{n}` in a path: every request asks a page nobody asked before (nothing kept serves it).
            response = session.get(url.format(n=next(pages) % 1900 + 2), timeout=300)
            assert response.status_code == 200, (path, response.status_code)
            with lock:
                done.append(1)
            if time.perf_counter() > deadline:
                return

    started = time.perf_counter()
    threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return len(done) / (time.perf_counter() - started)


def compare(session: requests.Session, label: str, ours: str, theirs: str, their_name: str) -> None:
    for path in (ours, theirs):
        session.get(f"http://127.0.0.1:{PORT}{path.format(n=1)}", timeout=300)  # warm up
    a, b = [], []
    for _ in range(RUNS):
        a.append(throughput(session, ours))
        b.append(throughput(session, theirs))

    def stats(xs):
        return f"{min(xs):7.1f} / {statistics.median(xs):7.1f} / {max(xs):7.1f}"

    print(f"{label:<34} ours {stats(a)}   {their_name:<5} {stats(b)}   "
          f"ours/{their_name} {statistics.median(a) / statistics.median(b):5.2f}x")


def against_base(session: requests.Session) -> None:
    """The default page vs hello on this checkout and on BENCH_BASE's, interleaved."""
    base_port = PORT + 1
    for _ in range(100):
        try:
            requests.get(f"http://127.0.0.1:{base_port}/login/", timeout=2)
            break
        except requests.RequestException:
            time.sleep(0.2)
    sizes = {port: len(session.get(f"http://127.0.0.1:{port}/conversations/", timeout=300).content) for port in (PORT, base_port)}
    plan = [("ours", "/conversations/", PORT), ("ours hello", "/bench-hello/", PORT),
            ("ours hello sized", f"/bench-hello/{sizes[PORT]}/", PORT),
            ("base", "/conversations/", base_port), ("base hello", "/bench-hello/", base_port),
            ("base hello sized", f"/bench-hello/{sizes[base_port]}/", base_port)]
    runs: dict[str, list[float]] = {name: [] for name, _, _ in plan}
    for _, path, port in plan:
        for _ in range(3):  # warm up: every worker and thread of both servers
            session.get(f"http://127.0.0.1:{port}{path}", timeout=300)
    for _ in range(RUNS):
        for name, path, port in plan:
            runs[name].append(throughput(session, path, port))
    for name, xs in runs.items():
        print(f"conversations default page, {name:<16} {min(xs):7.1f} / {statistics.median(xs):7.1f} / {max(xs):7.1f} req/s")
    for side, port in (("ours", PORT), ("base", base_port)):
        print(f"{side}: conversations/hello {statistics.median(runs[side]) / statistics.median(runs[side + ' hello']):5.2f}x, "
              f"conversations/hello of its {sizes[port] / 1024:.1f} KB "
              f"{statistics.median(runs[side]) / statistics.median(runs[side + ' hello sized']):5.2f}x")
    print(f"ours/base conversations {statistics.median(runs['ours']) / statistics.median(runs['base']):5.2f}x")


def page_weights(client: Client) -> None:
    """Queries and bytes of every list's default page, measured in-process."""
    assistant = Assistant.objects.order_by("name").first()
    lists = ["/conversations/", "/testing/tests/", "/testing/suites/", "/assistants/", "/assistants/deleted/",
             "/audit/", "/mcp-servers/", "/integrations/", "/knowledge/buckets/", "/knowledge/tasks/",
             "/knowledge/clusters/", "/inference/models/", "/inference/fine-tuning/", "/conversations/insights/",
             "/conversations/insights/groups/"]
    if assistant:
        lists += [f"/assistants/{assistant.telnyx_id}/versions/", f"/assistants/{assistant.telnyx_id}/scheduled/"]
    suite = TestSuite.objects.order_by("name").first()
    if suite:
        lists.append(f"/testing/suites/{suite.name}/")
    print(f"\n{'list (default page)':<60} {'status':>6} {'queries':>8} {'KB':>8}")
    for url in lists:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        print(f"{url:<60} {response.status_code:>6} {len(queries):>8} {len(response.content) / 1024:>8.1f}")
        if os.environ.get("BENCH_SQL") and os.environ["BENCH_SQL"] in url:  # what the page's queries are
            for query in queries.captured_queries:
                print(f"    {query['sql'][:160]}")


def main() -> None:
    seeding.prepare()
    log = open(f"/tmp/bench-changelists-{PORT}.log", "w")
    server = start_server(log)
    base_env = dict(pair.split("=", 1) for pair in os.environ.get("BENCH_BASE_ENV", "").split(",") if pair)
    base = start_server(log, Path(BASE).resolve(), PORT + 1, base_env) if BASE else None
    try:
        session = login()
        client = seed()
        page_weights(client)
        if os.environ.get("BENCH_ONLY_WEIGHTS"):
            return
        assistant = Conversation.objects.exclude(assistant_id="").values_list("assistant_id", flat=True).first()
        print(f"\nreq/s min / median / max, {RUNS} interleaved runs of {SECONDS:.0f} s, {CLIENTS} clients, "
              f"gunicorn {os.environ.get('WEB_WORKERS', '2')}x{os.environ.get('WEB_THREADS', '8')}, {os.cpu_count()} cores; "
              f"load {os.getloadavg()[0]:.1f}")
        if BASE:
            against_base(session)
        if os.environ.get("BENCH_ONLY_HELLO"):
            if not BASE:  # without a base to compare with, the hello lines are the whole point
                size = len(session.get(f"http://127.0.0.1:{PORT}/conversations/", timeout=300).content)
                compare(session, "conversations: default page", "/conversations/", "/bench-hello/", "hello")
                compare(session, f"conversations vs hello of {size / 1024:.0f} KB", "/conversations/", f"/bench-hello/{size}/", "hello")
                compare(session, "tests: default page", "/testing/tests/", "/bench-hello/", "hello")
            return
        compare(session, "conversations: default page", "/conversations/",
                "/bench-admin/conversations/conversation/", "admin")
        compare(session, "conversations: search + filter", f"/conversations/?q=ab&channel=web_chat&assistant={assistant}",
                f"/bench-admin/conversations/conversation/?q=ab&channel=web_chat&assistant_id={assistant}", "admin")
        compare(session, "conversations: page 1,000", "/conversations/?page=1000",
                "/bench-admin/conversations/conversation/?p=1000", "admin")
        compare(session, "tests: default page", "/testing/tests/", "/bench-admin/testing/assistanttest/", "admin")
        compare(session, "tests: search + filter", "/testing/tests/?q=test 00&channel=web_chat",
                "/bench-admin/testing/assistanttest/?q=test 00&channel=web_chat", "admin")
        compare(session, "conversations: a new page each time", "/conversations/?page={n}",
                "/bench-admin/conversations/conversation/?p={n}", "admin")
        compare(session, "conversations: default page", "/conversations/", "/bench-hello/", "hello")
        compare(session, "tests: default page", "/testing/tests/", "/bench-hello/", "hello")
        print(f"load {os.getloadavg()[0]:.1f}")
    finally:
        for process in (server, base):
            if process is not None:
                process.terminate()
                process.wait(timeout=30)


if __name__ == "__main__":
    main()

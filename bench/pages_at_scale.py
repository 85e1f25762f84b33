"""Benchmark: every account page at 1,000 vs 100,000 conversations, interleaved.

Seeds one SQLite database with the 100,000-conversation account — conversations stored through
the sync's write path (`cache_put_many`, so the per-day rollups move as a sync moves them), an
insight result per conversation, 10,000 tests in 1,000 suites with their runs, 100,000 audit
events, versions, a running rollout plan with 2,000 gate evaluations — then copies it and trims
the copy to 1,000 conversations (and a hundredth of everything else), through the same write path.

For every page it prints: queries on a first view (nothing of the page kept; the viewer's
permission set kept, as after login) and on a repeat view, the body's size, and the median
time of a first view and of a repeat view at each size, the two databases alternating page by
page (×ROUNDS), with the ratio of the medians. Then, unless BENCH_SYNC=0, the conversations
list's p95 while a 100,000-conversation sync runs on a worker ÷ its idle p95, from
`bench/worker_sync.py` (one worker, the default settings), run in its own process.

    .venv/bin/python bench/pages_at_scale.py [N] [ROUNDS]        # default 100000 3
    BENCH_SEED=tools .venv/bin/python bench/pages_at_scale.py    # only the shared tool library, seeded alone

N shared tools are seeded too (the library's list, search, filter, pages and a tool's "used by").

PostgreSQL: `BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/NAME` seeds NAME and copies it
to NAME_small (`CREATE DATABASE … TEMPLATE`). `BENCH_KEEP=DIR` (SQLite: the two files in DIR;
PostgreSQL: any value) keeps the seeded databases and reuses them on the next run, so one seed
serves many measurements; `BENCH_PAGES=audit,suites` measures only the pages whose name holds
one of the words.
On PostgreSQL both databases are ANALYZEd once ready: the planner's statistics, as autovacuum keeps
them after a sync's writes (the seed's bulk writes leave none); the tool library is vacuumed too, as
its sync leaves it (`core.sync.vacuum_analyze`).
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
KEEP = os.environ.get("BENCH_KEEP", "")
PG_URL = os.environ.get("BENCH_DATABASE_URL", "")
WORK = Path(KEEP) if KEEP and not PG_URL else Path(tempfile.mkdtemp(prefix="pages-at-scale-"))
WORK.mkdir(parents=True, exist_ok=True)
BIG = WORK / "big.sqlite3"
os.environ.update({"DJANGO_SETTINGS_MODULE": "portal.settings", "DATABASE_URL": PG_URL or f"sqlite:///{BIG}",
                   "LOG_LEVEL": os.environ.get("LOG_LEVEL", "WARNING"),
                   # Pages read the cache; the one live read (the conversation page) is refused at once
                   # and the page shows the cached copy: no Telnyx time in the figures.
                   "TELNYX_BASE_URL": "http://127.0.0.1:9/unreachable", "TELNYX_MAX_RETRIES": "0"})
os.environ.pop("TELNYX_API_KEY", None)

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth.models import Group, User  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client, override_settings  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402
from django.utils import timezone  # noqa: E402

from assistants.models import Assistant, AssistantVersion  # noqa: E402
from conversations.models import Conversation, InsightResult, InsightTemplate  # noqa: E402
from conversations.rollups import rebuild  # noqa: E402
from conversations.services import conversation_fields  # noqa: E402
from core.cache import cache_delete, cache_put_many  # noqa: E402
from core.changelist import PAGE_SIZE  # noqa: E402
from core.changelist.kept import forget_recent_pages  # noqa: E402
from core.sync import vacuum_analyze  # noqa: E402
from portal import audit_days  # noqa: E402
from portal.models import AuditEvent, SyncState, TaskRecord  # noqa: E402
from releases.models import GateResult, RolloutPlan, RolloutStep  # noqa: E402
from releases.views.plans import CHART_LOOKS  # noqa: E402
from shared_tools.models import SharedTool  # noqa: E402
from shared_tools.services import tool_fields  # noqa: E402
from testing.models import AssistantTest, SuiteRun, TestRun, TestSuite  # noqa: E402

NOW = timezone.now()
ASSISTANTS = [f"assistant-{i}" for i in range(5)]
VERSIONS_PER_ASSISTANT = 10
BATCH = 1000
TOOL_TYPES = ("webhook", "retrieval", "handoff", "transfer", "hangup", "send_dtmf")
# BENCH_SEED=tools: only the shared tool library (its rows and the assistants that use them).
ONLY = os.environ.get("BENCH_SEED", "")


def tool(i: int) -> dict:
    kind = TOOL_TYPES[i % len(TOOL_TYPES)]
    return {"id": f"tool-{i:06d}", "display_name": f"{('Refund', 'Booking', 'Billing')[i % 3]} lookup {i}", "type": kind,
            "timeout_ms": 5000, "created_at": (NOW - timedelta(seconds=i)).isoformat(),
            "tool_definition": {"name": f"lookup_{i}", "description": "Look an order up", "url": "https://example.com/"}}


def seed_tools(n: int) -> None:
    """n shared tools stored as the sync stores them; each assistant uses ten of them."""
    for start in range(0, n, BATCH):
        cache_put_many(SharedTool, [tool(i) for i in range(start, min(n, start + BATCH))], tool_fields)
    for a, assistant in enumerate(ASSISTANTS):
        Assistant.objects.filter(telnyx_id=assistant).update(
            payload={"id": assistant, "tool_ids": [f"tool-{a * 10 + k:06d}" for k in range(10)]})
    SyncState.objects.update_or_create(resource="shared_tools", defaults={"synced_at": NOW, "item_count": n})


def conversation(i: int) -> dict:
    assistant = ASSISTANTS[i % len(ASSISTANTS)]
    return {"id": f"conv-{i:06d}", "name": f"{('Refund', 'Booking', 'Billing')[i % 3]} call {i}",
            "created_at": (NOW - timedelta(days=i % 14, seconds=i)).isoformat(), "last_message_at": NOW.isoformat(),
            "metadata": {"assistant_id": assistant, "assistant_version_id": f"{assistant}-v{i % VERSIONS_PER_ASSISTANT}",
                         "telnyx_conversation_channel": ("phone_call", "web_chat", "sms")[i % 3]}}


def seed(n: int) -> None:
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    for i, assistant in enumerate(ASSISTANTS):
        Assistant.objects.create(telnyx_id=assistant, name=f"Assistant {i}", version_id=f"{assistant}-v0",
                                 payload={"id": assistant}, synced_at=NOW)
        AssistantVersion.objects.bulk_create([
            AssistantVersion(telnyx_id=f"{assistant}:{assistant}-v{v}", assistant_id=assistant,
                             version_id=f"{assistant}-v{v}", name=f"Version {v}", is_main=v == 0,
                             created_at=NOW - timedelta(days=v), synced_at=NOW) for v in range(VERSIONS_PER_ASSISTANT)])
    seed_tools(n)
    if ONLY == "tools":
        admin = User.objects.create_user("bench", password="x")
        admin.groups.add(Group.objects.get(name="Admin"))
        print(f"seeded {n:,} shared tools in {time.perf_counter() - started:.0f} s", flush=True)
        return
    for start in range(0, n, BATCH):  # as the sync stores its batches
        cache_put_many(Conversation, [conversation(i) for i in range(start, min(n, start + BATCH))], conversation_fields)
    InsightTemplate.objects.create(telnyx_id="t-csat", name="Satisfaction", synced_at=NOW)
    for start in range(0, n, 5000):
        InsightResult.objects.bulk_create([
            InsightResult(conversation_id=f"conv-{i:06d}", template_id="t-csat", assistant_id=ASSISTANTS[i % 5],
                          assistant_version_id=f"{ASSISTANTS[i % 5]}-v{i % VERSIONS_PER_ASSISTANT}", status="completed",
                          occurred_at=NOW - timedelta(days=i % 14, seconds=i), source="sync",
                          result=json.dumps({"score": i % 5 + 1, "resolved": i % 3 > 0}),
                          values={"score": float(i % 5 + 1), "resolved": i % 3 > 0})
            for i in range(start, min(n, start + 5000))])
    rebuild()  # the results went around the store: count them into the rollup once
    tests, suites = n // 10, n // 100
    TestSuite.objects.bulk_create([TestSuite(telnyx_id=f"suite-{s:05d}", name=f"suite-{s:05d}", synced_at=NOW)
                                   for s in range(suites)], batch_size=1000)
    AssistantTest.objects.bulk_create([
        AssistantTest(telnyx_id=f"test-{t:05d}", name=f"Refund test {t}", test_suite=f"suite-{t // 10:05d}",
                      destination=ASSISTANTS[t % 5], channel="web_chat", payload={}, created_at=NOW, synced_at=NOW)
        for t in range(tests)], batch_size=1000)
    TestRun.objects.bulk_create([
        TestRun(telnyx_id=f"run-{t:05d}", test_id=f"test-{t:05d}", status=("passed", "failed")[t % 7 == 0],
                suite_run_id=f"batch-{t // 10:05d}", created_at=NOW - timedelta(minutes=t), synced_at=NOW)
        for t in range(tests)], batch_size=1000)
    SuiteRun.objects.bulk_create([
        SuiteRun(batch_id=f"batch-{s:05d}", suite=f"suite-{s:05d}", version_id=f"{ASSISTANTS[s % 5]}-v0",
                 run_ids=[f"run-{s * 10 + k:05d}" for k in range(10)], started_at=NOW - timedelta(minutes=s),
                 finished_at=NOW, status="passed", total=10, passed=9, failed=1) for s in range(suites)], batch_size=1000)
    for start in range(0, n, 5000):
        AuditEvent.objects.bulk_create([
            AuditEvent(action="update", resource_type="assistant", resource_id=ASSISTANTS[i % 5],
                       resource_label=f"Assistant {i % 5}", summary=f"Changed the refund rule ({i})", username="ada",
                       outcome=("success", "failure")[i % 50 == 0], created_at=NOW - timedelta(seconds=5 * i))
            for i in range(start, min(n, start + 5000))])
    audit_days.rebuild()  # the events went around save(): count them per day once
    plan = RolloutPlan.objects.create(assistant_id=ASSISTANTS[0], candidate_version_id=f"{ASSISTANTS[0]}-v1",
                                      main_version_id=f"{ASSISTANTS[0]}-v0", status="running", started_at=NOW)
    step = RolloutStep.objects.create(plan=plan, index=0, kind="percent", weight=10, state="running", applied_at=NOW,
                                      gate_live=True)
    GateResult.objects.bulk_create([
        GateResult(plan=plan, step=step, kind="live", verdict=("waiting", "pass")[g % 10 == 0], summary=f"Gate {g}",
                   evaluated_at=NOW - timedelta(minutes=g)) for g in range(n // 50)], batch_size=1000)
    # Every listing a page reads was synced (the canary deploys and the test runs' listing too: never
    # synced, each first view of the dashboard or the tests list would find their sync queued, 7 queries
    # more, on a first run after the seed only — later runs found the rows that run left, marked fresh).
    for resource in ("assistants", "conversations", "tests", "suites", "models", "conversation-insights",
                     "canary_deploys", "assistant-tests", *(f"versions:{a}" for a in ASSISTANTS)):
        SyncState.objects.update_or_create(resource=resource, defaults={"synced_at": NOW, "item_count": n})
    admin = User.objects.create_user("bench", password="x")
    admin.groups.add(Group.objects.get(name="Admin"))
    print(f"seeded {n:,} conversations, {n:,} insight results, {tests:,} tests in {suites:,} suites, {n:,} audit events, "
          f"{n // 50:,} gate evaluations in {time.perf_counter() - started:.0f} s", flush=True)


def trim(keep: int) -> None:
    """The copy keeps `keep` conversations (deleted through the write path) and as large a share of
    the rest, but at least one full page of suites (with their tests and runs) and a rollout plan's
    chartful of gate evaluations: a page draws the same number of rows at both sizes, so its time
    compares the tables, not the rows drawn."""
    tools = SharedTool.objects.order_by("telnyx_id").values_list("telnyx_id", flat=True)
    cache_delete(SharedTool.objects.filter(telnyx_id__gt=tools[keep - 1]))
    if ONLY == "tools":
        return
    share = keep / Conversation.objects.count()
    suite_share = max(share, PAGE_SIZE / max(1, TestSuite.objects.count()))
    # The plan page draws its latest CHART_LOOKS live looks: as many at both sizes, so it too compares the tables.
    gate_share = max(share, CHART_LOOKS / max(1, GateResult.objects.count()))
    last = Conversation.objects.order_by("telnyx_id").values_list("telnyx_id", flat=True)[keep - 1]
    cache_delete(Conversation.objects.filter(telnyx_id__gt=last))
    InsightResult.objects.filter(conversation_id__gt=last).delete()
    rebuild()
    for model, key, kept_share in ((AssistantTest, "telnyx_id", suite_share), (TestRun, "telnyx_id", suite_share),
                                   (SuiteRun, "batch_id", suite_share), (TestSuite, "telnyx_id", suite_share),
                                   (GateResult, "pk", gate_share)):
        rows = model.objects.order_by(key).values_list(key, flat=True)
        cut = rows[max(1, int(rows.count() * kept_share)) - 1]
        model.objects.filter(**{f"{key}__gt": cut}).delete()
    events = AuditEvent.objects.order_by("pk").values_list("pk", flat=True)
    cut = events[max(1, int(events.count() * share)) - 1]
    AuditEvent.objects.filter(pk__gt=cut)._raw_delete(connection.alias)  # not one signal per event:
    audit_days.rebuild()  # counted again once


def pages() -> dict[str, str]:
    tools = {
        "tools": "/tools/",
        "tools: search": "/tools/?q=refund",
        "tools: filter": "/tools/?type=webhook",
        "tools: search + filter": "/tools/?q=lookup+42&type=retrieval",  # 2 rows drawn at 1,000, 50 at N
        # Searched and filtered with a full page at both sizes: a word every name holds (many: the
        # type's name order walked) and an id prefix the first 1,000 tools hold (few: read by key).
        "tools: word + filter": "/tools/?q=lookup&type=retrieval",
        "tools: id search + filter": "/tools/?q=tool-000&type=retrieval",
        "tools: page 50": "/tools/?page=50",
        "tool + used by": "/tools/tool-000003/",
    }
    if ONLY == "tools":
        return tools
    plan = RolloutPlan.objects.get()
    return {**tools,
        "dashboard": "/",
        "dashboard by version": "/?by=version",
        "conversations": "/conversations/",
        "conversations: filtered": f"/conversations/?assistant={ASSISTANTS[1]}&channel=web_chat",
        "conversations: search": "/conversations/?q=refund",
        "conversations: page 50": "/conversations/?page=50",
        "conversation + insights": "/conversations/conv-000000/",
        "insight analytics": "/conversations/insights/analytics/",
        "tests": "/testing/tests/",
        "suites": "/testing/suites/",
        "release timeline": f"/assistants/{ASSISTANTS[0]}/releases/",
        "rollout plan (gates)": f"/assistants/{ASSISTANTS[0]}/releases/plans/{plan.pk}/",
        "top-bar search": "/search/?q=refund",
        "audit log": "/audit/",
    }


def use(path: Path | str) -> None:
    connection.close()
    connection.settings_dict["NAME"] = str(path)


def _pg_admin(*statements: str) -> None:
    import psycopg

    with psycopg.connect(PG_URL.rsplit("/", 1)[0] + "/postgres", autocommit=True) as admin:
        for statement in statements:
            admin.execute(statement)


def _seeded(name: Path | str) -> bool:
    """Both databases kept from an earlier run (BENCH_KEEP) hold the bench's viewer."""
    if not KEEP or (not PG_URL and not Path(name).exists()):
        return False
    use(name)
    try:
        return User.objects.filter(username="bench").exists()
    except Exception:  # noqa: BLE001 - a database never made or never migrated: seed it
        return False


def databases(n: int) -> dict[str, Path | str]:
    """The 1,000 and the n database, seeded (or kept from an earlier run with BENCH_KEEP)."""
    big = connection.settings_dict["NAME"] if PG_URL else BIG
    small = f"{big}_small" if PG_URL else BIG.with_name("small.sqlite3")
    if os.environ.get("BENCH_RETRIM") and _seeded(big):  # the kept big one, copied and trimmed again
        call_command("migrate", verbosity=0)
        connection.close()
        if PG_URL:
            _pg_admin(f'DROP DATABASE IF EXISTS "{small}"', f'CREATE DATABASE "{small}" TEMPLATE "{big}"')
        else:
            shutil.copy(BIG, small)
        use(small)
        trim(1000)
    elif not (_seeded(big) and _seeded(small)):
        use(big)
        if PG_URL:
            connection.close()
            _pg_admin(f'DROP DATABASE IF EXISTS "{small}"', f'DROP DATABASE IF EXISTS "{big}"', f'CREATE DATABASE "{big}"')
        seed(n)
        connection.close()
        if PG_URL:
            _pg_admin(f'CREATE DATABASE "{small}" TEMPLATE "{big}"')
        else:
            shutil.copy(BIG, small)
        use(small)
        trim(1000)
    for name in (small, big):  # kept from an earlier run: bring the schema up to this commit's,
        use(name)            # and every listing as just synced (as after the seed): no view queues a sync
        call_command("migrate", verbosity=0)
        SyncState.objects.update(synced_at=timezone.now(), lease_until=None, run_id="")
        TaskRecord.objects.all().delete()
        if PG_URL:  # the planner's statistics, as autovacuum keeps them after a sync's writes, and the
            with connection.cursor() as cursor:  # tool library vacuumed, as its sync leaves it (`vacuum_analyze`)
                cursor.execute("ANALYZE")
            vacuum_analyze(SharedTool)
    return {"1,000": small, f"{n:,}": big}


def login(client: Client, sizes: dict[str, Path | str]) -> None:
    """One session the client carries to both databases (the same row stored in each)."""
    from django.contrib.sessions.models import Session

    first, *others = sizes.values()
    use(first)
    client.force_login(User.objects.get(username="bench"))
    session = Session.objects.get(session_key=client.session.session_key)
    for name in others:
        use(name)
        Session.objects.update_or_create(session_key=session.session_key, defaults={
            "session_data": session.session_data, "expire_date": session.expire_date})


def view(client: Client, url: str, *, first: bool) -> tuple[float, int, int]:
    if first:
        cache.clear()
        forget_recent_pages()  # this process's copies of kept pages too
        User.objects.get(username="bench").get_all_permissions()  # the permission set kept, as after login
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        response = client.get(url)
        elapsed = time.perf_counter() - started
    assert response.status_code == 200, (url, response.status_code)
    return elapsed, len(queries), len(response.content)


def worker_sync_ratio(n: int) -> str:
    """The p95-during-sync line of bench/worker_sync.py, run on its own (one worker, read-ahead)."""
    env = {**os.environ, "BENCH_VARIANTS": "1 worker", "BENCH_RUNS": os.environ.get("BENCH_SYNC_RUNS", "3")}
    for name in ("DATABASE_URL", "TELNYX_BASE_URL"):
        env.pop(name, None)
    result = subprocess.run([sys.executable, str(ROOT / "bench/worker_sync.py"), str(n)], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=3600)
    lines = [line for line in result.stdout.splitlines() if "p95" in line]
    return "\n".join(lines) or f"worker_sync.py failed:\n{result.stdout[-1500:]}\n{result.stderr[-1500:]}"


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    sizes = databases(n)
    setup_test_environment()
    # Every listing stays fresh for the whole run (a run outlasts CACHE_TTL at this load): no view queues a sync.
    override_settings(CACHE_TTL=86400, STORAGES={**settings.STORAGES, "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}).enable()
    client = Client()
    login(client, sizes)
    urls = pages()
    wanted = [w.strip() for w in os.environ.get("BENCH_PAGES", "").split(",") if w.strip()]
    if wanted:
        urls = {name: url for name, url in urls.items() if any(w in name for w in wanted)}
    samples = {(name, size, kind): [] for name in urls for size in sizes for kind in ("first", "repeat")}
    counts: dict[tuple, set] = {}
    for url in urls.values():  # compile the templates once
        for path in sizes.values():
            use(path)
            view(client, url, first=True)
    for _ in range(rounds):
        for name, url in urls.items():
            for size, path in sizes.items():
                use(path)
                for kind in ("first", "repeat"):
                    elapsed, queries, size_bytes = view(client, url, first=kind == "first")
                    samples[(name, size, kind)].append(elapsed)
                    counts.setdefault((name, size, kind), set()).add(queries)
                    counts.setdefault((name, size, "bytes"), set()).add(size_bytes)
    small_label, big_label = sizes
    print(f"\n{time.strftime('%Y-%m-%d %H:%M')}; {'PostgreSQL' if PG_URL else 'SQLite'}; {rounds} interleaved rounds; load {os.getloadavg()[0]:.1f} on "
          f"{os.cpu_count()} cores; in-process test client; first view = nothing of the page kept")
    print(f"{'page':<26} {'queries first/repeat':>21} {'KB at ' + big_label:>12}   "
          f"{'first view median ms':>28} {'ratio':>6}   {'repeat view median ms':>24} {'ratio':>6}")
    for name in urls:
        def queries(kind: str) -> str:
            small_q, big_q = (",".join(str(v) for v in sorted(counts[(name, s, kind)])) for s in sizes)
            return big_q if small_q == big_q else f"{small_q}→{big_q}"
        q = f"{queries('first')} / {queries('repeat')}"
        kb = max(counts[(name, big_label, "bytes")]) / 1024
        med = {(s, k): statistics.median(samples[(name, s, k)]) * 1000 for s in sizes for k in ("first", "repeat")}
        print(f"{name:<26} {q:>21} {kb:>12.1f}   "
              f"{med[(small_label, 'first')]:>12.1f} vs {med[(big_label, 'first')]:>10.1f} "
              f"{med[(big_label, 'first')] / med[(small_label, 'first')]:>6.2f}x   "
              f"{med[(small_label, 'repeat')]:>9.1f} vs {med[(big_label, 'repeat')]:>9.1f} "
              f"{med[(big_label, 'repeat')] / med[(small_label, 'repeat')]:>6.2f}x", flush=True)
    print("\nmin / median / max ms of each page's views:")
    for name in urls:
        spread = "   ".join(f"{k} at {s}: " + " / ".join(f"{f(samples[(name, s, k)]) * 1000:.0f}" for f in (
            min, statistics.median, max)) for k in ("first", "repeat") for s in sizes)
        print(f"{name:<26} {spread}", flush=True)
    if os.environ.get("BENCH_SYNC", "1") != "0" and not ONLY:
        print("\nconversations list p95 while a sync runs on a worker ÷ idle (bench/worker_sync.py):", flush=True)
        print(worker_sync_ratio(n))
    if not KEEP:
        connection.close()
        if PG_URL:
            _pg_admin(*(f'DROP DATABASE IF EXISTS "{name}"' for name in reversed(list(sizes.values()))))
        shutil.rmtree(WORK, ignore_errors=True)


if __name__ == "__main__":
    main()

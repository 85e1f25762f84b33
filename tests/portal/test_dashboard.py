"""The dashboard: charts from the cache, canary status, recent failures, counts with their sync time."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from assistants.models import Assistant, AssistantVersion, CanaryConfig, CanaryDeployCache
from conversations.models import Conversation
from conversations.rollups import rebuild_volume
from portal.models import AuditEvent, SyncState
from testing.models import AssistantTest, SuiteRun, TestRun

pytestmark = pytest.mark.django_db


def fresh_syncs():
    """Mark the listings the dashboard refreshes as fresh, so no sync is attempted."""
    for resource in ("assistants", "models", "canary_deploys"):
        SyncState.objects.update_or_create(resource=resource, defaults={"synced_at": timezone.now()})


def make_assistant(telnyx_id, name, version="v-main"):
    return Assistant.objects.create(telnyx_id=telnyx_id, name=name, version_id=version, synced_at=timezone.now())


def make_conversations(n, *, assistant="a1", version="v-main", days_ago=0, start=0):
    at = timezone.now() - timedelta(days=days_ago)
    Conversation.objects.bulk_create(
        Conversation(telnyx_id=f"c-{assistant}-{version}-{days_ago}-{start + i}", assistant_id=assistant,
                     assistant_version_id=version, created_at=at, synced_at=at)
        for i in range(n)
    )
    rebuild_volume()  # rows seeded around the write path: recount the per-day rollup the dashboard reads


def get_dashboard(client, **params):
    return client.get(reverse("dashboard"), params).content.decode()


def section(content, testid):
    start = content.index(f'data-testid="{testid}"')
    return content[start:content.index("</section>", start)]


def test_conversations_per_day_are_stacked_per_assistant_with_a_data_table(viewer_client):
    fresh_syncs()
    make_assistant("a1", "Support bot")
    make_assistant("a2", "Sales bot")
    make_conversations(3, assistant="a1")
    make_conversations(2, assistant="a2", days_ago=1)
    chart = section(get_dashboard(viewer_client), "conversations-per-day")
    today, yesterday = timezone.localdate(), timezone.localdate() - timedelta(days=1)
    assert f"<title>Support bot: 3 on {today:%-d %b}</title>" in chart
    assert f"<title>Sales bot: 2 on {yesterday:%-d %b}</title>" in chart
    assert "5 in all over 14 days" in chart and "<th scope=\"col\">Support bot</th>" in chart


def test_conversations_can_be_split_per_version_by_name(viewer_client):
    fresh_syncs()
    make_assistant("a1", "Support bot")
    AssistantVersion.objects.create(telnyx_id="a1:v-2", assistant_id="a1", version_id="v-2", name="Friendlier tone",
                                    synced_at=timezone.now())
    make_conversations(4, assistant="a1", version="v-2")
    chart = section(get_dashboard(viewer_client, by="version"), "conversations-per-day")
    assert "Support bot · Friendlier tone: 4 on" in chart


def test_dashboard_queries_do_not_grow_with_conversations(viewer_client):
    fresh_syncs()
    make_assistant("a1", "Support bot")
    make_conversations(5)
    viewer_client.get("/users/")  # loads and keeps the viewer's permissions (a 403), as any earlier page would
    with CaptureQueriesContext(connection) as few:
        get_dashboard(viewer_client)
    make_conversations(500, days_ago=2, start=100)
    make_conversations(300, assistant="a2", version="v-x", days_ago=3)
    with CaptureQueriesContext(connection) as many:
        content = get_dashboard(viewer_client)
    assert len(many.captured_queries) == len(few.captured_queries)
    assert ">805</div>" in content  # the Conversations tile counts the whole cache


def test_count_tiles_say_when_the_cache_was_synced_never_not_loaded(viewer_client):
    fresh_syncs()
    make_conversations(2)
    content = get_dashboard(viewer_client)
    assert "not loaded" not in content and "not synced from Telnyx yet" in content
    SyncState.objects.create(resource="conversations", synced_at=timezone.now() - timedelta(minutes=5), item_count=2)
    content = get_dashboard(viewer_client)
    tile = content[content.index('<div class="stat-label">Conversations</div>'):][:300]
    assert "in the cache, synced" in tile and "5\xa0minutes ago" in tile


def test_suite_pass_rate_chart_links_each_run_and_labels_a_single_run(viewer_client):
    fresh_syncs()
    SuiteRun.objects.create(batch_id="b1", suite="booking", started_at=timezone.now() - timedelta(days=1),
                            status="failed", total=4, passed=3, failed=1)
    chart = section(get_dashboard(viewer_client), "suite-pass-rate")
    assert reverse("testing:suite-run-detail", args=["booking", "b1"]) in chart
    assert "booking: 75% on" in chart and "3/4 passed" in chart
    assert "75% · " in chart  # one run is labelled with its value and date, not a lone dot


def test_canary_status_names_versions_and_shows_the_traffic_split(viewer_client, team_admin):
    fresh_syncs()
    make_assistant("a1", "Support bot", version="v-main")
    AssistantVersion.objects.create(telnyx_id="a1:v-2", assistant_id="a1", version_id="v-2", name="Friendlier tone",
                                    synced_at=timezone.now())
    CanaryDeployCache.objects.create(telnyx_id="a1", exists=True, synced_at=timezone.now(),
                                     payload={"rules": [{"serve": {"rollout": [{"version_id": "v-2", "weight": 20}]}}]})
    make_conversations(8, version="v-main")
    make_conversations(2, version="v-2")
    make_assistant("a2", "Sales bot")
    status = section(get_dashboard(viewer_client), "canary-status")
    assert "20% to Friendlier tone, rest to main" in status
    assert "Friendlier tone 20% (2)" in status and "v-main (main) 80% (8)" in status
    assert "Not read from Telnyx yet</span> · <a class=\"in-text\" href=\"/assistants/" in status and "No conversations" in status


def test_a_canary_set_outside_the_portal_is_read_from_telnyx_not_called_never_set(viewer_client, telnyx_base):
    import responses

    fresh_syncs()
    SyncState.objects.filter(resource="canary_deploys").delete()  # never read
    make_assistant("a1", "Support bot")
    make_assistant("a2", "Sales bot")
    # An old portal save says "deleted", but Telnyx has a 20% canary now: Telnyx wins.
    CanaryConfig.objects.create(assistant_id="a1", kind="deleted", saved_at=timezone.now(), rules=[])
    with responses.RequestsMock() as mock:
        mock.get(f"{telnyx_base}/ai/assistants/a1/canary-deploys",
                 json={"assistant_id": "a1", "rules": [{"serve": {"rollout": [{"version_id": "v-2", "weight": 20}]}}]})
        mock.get(f"{telnyx_base}/ai/assistants/a2/canary-deploys", status=404, json={"errors": [{"title": "Not found"}]})
        status = section(get_dashboard(viewer_client), "canary-status")
    assert "20% to v-2" in status.split('data-testid="canary-a1"')[1].split("</td>")[0]
    assert "None: all traffic to main" in status.split('data-testid="canary-a2"')[1].split("</td>")[0]
    assert "Never set" not in status


def test_recent_failed_runs_and_failed_writes_are_listed(viewer_client):
    fresh_syncs()
    AssistantTest.objects.create(telnyx_id="t1", name="Books a table", synced_at=timezone.now())
    TestRun.objects.create(telnyx_id="r1", test_id="t1", status="failed", created_at=timezone.now(), synced_at=timezone.now())
    TestRun.objects.create(telnyx_id="r2", test_id="t1", status="passed", created_at=timezone.now(), synced_at=timezone.now())
    AuditEvent.objects.create(action="update", resource_type="assistant", summary="Tried to rename “Support bot”",
                              outcome=AuditEvent.Outcome.FAILURE, telnyx_status=503, error_message="Telnyx is unavailable")
    content = get_dashboard(viewer_client)
    runs = section(content, "failed-runs")
    assert "Books a table" in runs and reverse("testing:run-detail", args=["t1", "r1"]) in runs and "r2" not in runs
    writes = section(content, "failed-writes")
    assert "Tried to rename “Support bot”" in writes and "HTTP 503: Telnyx is unavailable" in writes


def test_last_syncs_group_the_per_assistant_version_syncs_into_one_named_row(viewer_client):
    fresh_syncs()
    now = timezone.now()
    for n, synced in enumerate((now - timedelta(hours=3), now - timedelta(minutes=5), None)):
        SyncState.objects.create(resource=f"versions:assistant-{n:04d}-uuid", synced_at=synced, item_count=2,
                                 last_error="Telnyx is unavailable (503)." if synced is None else "")
    content = get_dashboard(viewer_client)
    table = content[content.index("Last syncs from Telnyx"):]
    assert "versions:assistant" not in table and "assistant-0001" not in table
    assert "Versions lists" in table and "3 assistants" in table
    row = table[table.index("Versions lists"):].split("</tr>")[0]
    assert "5\xa0minutes ago" in row or "5 minutes ago" in row
    assert ">6<" in row and "Last attempt failed: Telnyx is unavailable (503)." in row


@pytest.mark.usefixtures("telnyx_base")
def test_refresh_loads_unopened_version_lists_so_canary_bars_name_versions(viewer_client, telnyx_base, assistant_json):
    import responses

    fresh_syncs()
    make_assistant("a1", "Support bot", version="v-main")
    make_conversations(3, version="v-main")
    make_conversations(1, version="v-new")
    first = get_dashboard(viewer_client)
    assert "v-new 25% (1)" in section(first, "canary-status")  # nobody opened the versions list yet
    assert 'data-testid="auto-refresh"' in first  # so the overview refreshes itself
    with responses.RequestsMock() as mock:
        mock.get(f"{telnyx_base}/ai/assistants/a1", json=assistant_json(1, id="a1", version_id="v-main"))
        mock.get(f"{telnyx_base}/ai/assistants/a1/versions", json={"data": [
            {**assistant_json(1, id="a1"), "version_id": "v-main", "version_name": "initial"},
            {**assistant_json(1, id="a1"), "version_id": "v-new", "version_name": "Shorter greeting"}]})
        refreshed = viewer_client.post(reverse("dashboard-refresh"), headers={"HX-Request": "true"}).content.decode()
    assert "Shorter greeting 25% (1)" in section(refreshed, "canary-status")
    again = get_dashboard(viewer_client)
    assert "Shorter greeting" in again and 'data-testid="auto-refresh"' not in again

"""The insights analytics page: per assistant, version and template, per day, from the store only."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest
import responses
from django.urls import reverse
from django.utils import timezone

from assistants.models import Assistant
from conversations.insights.analytics import insight_analytics
from conversations.insights.store import insight_result_store
from conversations.models import Conversation, InsightTemplate

pytestmark = pytest.mark.django_db

PAGE = reverse("insights:analytics-detail")


def _result(n: int, version: str, day: datetime, score: float, resolved: bool, template: str = "t-csat"):
    Conversation.objects.get_or_create(telnyx_id=f"c-{version}-{n}", defaults={
        "assistant_id": "a-1", "assistant_version_id": version, "created_at": day, "synced_at": day})
    insight_result_store(conversation_id=f"c-{version}-{n}", template_id=template, status="completed", occurred_at=day,
                         result=json.dumps({"score": score, "resolved": resolved, "summary": "ok"}))


@pytest.fixture
def results():
    now = timezone.now()
    Assistant.objects.create(telnyx_id="a-1", name="Acme Support", synced_at=now)
    InsightTemplate.objects.create(telnyx_id="t-csat", name="Satisfaction", synced_at=now)
    yesterday, today = now - timedelta(days=1), now
    _result(1, "v-1", yesterday, 4, True)
    _result(2, "v-1", yesterday, 2, False)
    _result(3, "v-1", today, 3, True)
    _result(4, "v-2", today, 5, True)
    _result(5, "v-2", today - timedelta(days=60), 1, False)  # outside the default 30 days
    return now


def test_aggregation_per_version_and_day(results):
    today = timezone.localdate()
    analytics = insight_analytics(template_id="t-csat", since=today - timedelta(days=29), until=today)
    assert [(f.key, f.kind) for f in analytics.fields] == [("resolved", "flag"), ("score", "score")]
    assert analytics.total == 4
    assert analytics.summary_rows == [["Acme Support · v-1", "3", "67%", "3"], ["Acme Support · v-2", "1", "100%", "5"]]
    assert len(analytics.charts) == 3  # results per day, the flag's rate, the score's average
    # One line per assistant: average 3 yesterday (4 and 2), 4 today (3 and 5).
    assert [(r[0], r[2]) for r in analytics.charts[2][1].table_rows] == [("Acme Support", "3"), ("Acme Support", "4")]
    by_version = insight_analytics(template_id="t-csat", assistant_id="a-1", since=today - timedelta(days=29), until=today)
    v1_days = [r for r in by_version.charts[2][1].table_rows if r[0] == "Acme Support · v-1"]
    assert [r[2] for r in v1_days] == ["3", "3"]  # an assistant chosen: one line per version


def test_filters_narrow_by_version_and_dates(results):
    today = timezone.localdate()
    analytics = insight_analytics(template_id="t-csat", version_id="v-2", since=today - timedelta(days=90), until=today)
    assert analytics.summary_rows == [["Acme Support · v-2", "2", "50%", "3"]]


@responses.activate
def test_viewer_sees_the_page_with_charts_and_filters(viewer_client, results):
    content = viewer_client.get(PAGE).content.decode()
    assert "Satisfaction" in content and "Acme Support · v-1" in content
    assert content.count('data-testid="analytics-chart"') == 3 and "<svg" in content
    assert "Show the data as a table" in content  # the charts' text alternative
    assert len(responses.calls) == 0


def test_a_bad_date_range_is_a_field_error_not_a_500(viewer_client, results):
    response = viewer_client.get(PAGE, {"since": "2026-11-10", "until": "2026-11-01"})
    assert response.status_code == 200 and "The end is before the start." in response.content.decode()


def test_no_results_says_how_to_get_some(viewer_client):
    assert "No insight results yet" in viewer_client.get(PAGE).content.decode()


def test_page_links_from_sidebar_and_insights_tabs(viewer_client):
    content = viewer_client.get(reverse("insights:template-list")).content.decode()
    assert content.count(f'href="{PAGE}"') >= 2


def test_the_page_runs_the_same_queries_at_any_number_of_results(viewer_client, results):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries() -> int:
        viewer_client.get(PAGE)  # warm the kept choices
        with CaptureQueriesContext(connection) as captured:
            assert viewer_client.get(PAGE).status_code == 200
        return len(captured)

    few = queries()
    for n in range(10, 70):
        _result(n, f"v-{n % 4}", timezone.now() - timedelta(days=n % 20), n % 5, n % 2 == 0)
    assert queries() == few

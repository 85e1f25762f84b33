"""Structured insight fields on the conversations list: a column, filters, and in the CSV export."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from conversations.insights.store import insight_result_store
from conversations.models import Conversation, InsightTemplate
from portal.models import SyncState

pytestmark = pytest.mark.django_db

LIST = reverse("conversations:conversation-list")


def _conversations(count: int, start: int = 0):
    now = timezone.now()
    for n in range(start, start + count):
        Conversation.objects.create(telnyx_id=f"conv-{n}", name=f"Call {n}", assistant_id="a-1", assistant_version_id="v1",
                                    created_at=now, synced_at=now)
        insight_result_store(conversation_id=f"conv-{n}", template_id="t-csat", status="completed", occurred_at=now,
                             result=json.dumps({"score": n % 5, "resolved": n % 2 == 0, "mood": "calm" if n % 3 else "=angry"}))


@pytest.fixture
def cached():
    now = timezone.now()
    InsightTemplate.objects.create(telnyx_id="t-csat", name="Satisfaction", synced_at=now)
    SyncState.objects.create(resource="conversations", synced_at=now)
    _conversations(6)
    Conversation.objects.create(telnyx_id="conv-none", name="Call without insights", created_at=now, synced_at=now)


def test_an_insight_field_can_be_a_column(viewer_client, cached):
    content = viewer_client.get(LIST, {"column": "t-csat:score", "q": "Call 4"}).content.decode()
    assert '<th scope="col" title="Satisfaction · score">score</th>' in content
    assert 'data-testid="insight-column">4</td>' in content


def test_filter_on_a_score_a_flag_and_having_a_result(viewer_client, cached):
    def names(**params):
        content = viewer_client.get(LIST, params).content.decode()
        return {n for n in range(6) if f">Call {n}<" in content}, "Call without insights" in content

    assert names(insight_field="t-csat:score", insight_value=">= 3") == ({3, 4}, False)
    assert names(insight_field="t-csat:resolved", insight_value="yes") == ({0, 2, 4}, False)
    assert names(insight_field="t-csat:mood", insight_value="calm") == ({1, 2, 4, 5}, False)
    assert names(insight="t-csat") == ({0, 1, 2, 3, 4, 5}, False)
    assert names() == ({0, 1, 2, 3, 4, 5}, True)


def test_a_value_that_does_not_fit_the_field_is_a_form_error(viewer_client, cached):
    response = viewer_client.get(LIST, {"insight_field": "t-csat:score", "insight_value": "lots"})
    assert response.status_code == 200 and "Give a number" in response.content.decode()


def test_export_has_each_template_result_and_structured_field(viewer_client, cached):
    response = viewer_client.get(LIST, {"insight_field": "t-csat:resolved", "insight_value": "no", "_export": "csv"})
    table = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    header = table[0]
    assert {"Satisfaction", "Satisfaction · score", "Satisfaction · resolved", "Satisfaction · mood"} <= set(header)
    rows = {r[0]: dict(zip(header, r)) for r in table[1:]}
    assert set(rows) == {"conv-1", "conv-3", "conv-5"}
    assert rows["conv-3"]["Satisfaction · score"] == "3.0" and rows["conv-3"]["Satisfaction · resolved"] == "no"
    assert rows["conv-3"]["Satisfaction · mood"] == "'=angry"  # formula defused
    assert json.loads(rows["conv-1"]["Satisfaction"])["score"] == 1


def test_the_column_and_filters_keep_the_query_count_whatever_the_rows(viewer_client, cached):
    params = {"column": "t-csat:score", "insight_field": "t-csat:resolved", "insight_value": "yes", "sort": "-created"}

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert viewer_client.get(LIST, {**params, "page": "1"}).status_code == 200
        return len(captured)

    viewer_client.get(LIST, params)
    few = queries()
    _conversations(120, start=100)
    viewer_client.get(LIST, params)  # the kept counts and choices are per generation: warm them again
    assert queries() == few

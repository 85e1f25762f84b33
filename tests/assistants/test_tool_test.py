"""Testing a webhook tool over real HTTP against the sandbox."""

from __future__ import annotations

import pytest
from django.urls import reverse

from portal.models import AuditEvent
from portal.telnyx import get_client

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def assistant(sandbox):
    tools = [
        {"type": "webhook", "webhook": {"name": "lookup_order", "description": "Find an order", "url": "https://example.com/orders",
                                        "method": "POST", "body_parameters": {"type": "object", "properties": {"order_id": {"type": "string"}}}}},
        {"type": "webhook", "webhook": {"name": "broken", "description": "Always fails", "url": "https://example.com/fail", "method": "POST"}},
    ]
    return get_client().post("ai/assistants", json={"name": "Orders bot", "instructions": "Help with orders.", "tools": tools}).data


def test_operator_calls_a_webhook_and_reads_its_answer(operator_client, assistant):
    detail = operator_client.get(reverse("assistants:assistant-detail", args=[assistant["id"]])).content.decode()
    assert "Test webhook “lookup_order”" in detail
    url = reverse("assistants:tool-test", args=[assistant["id"], "lookup_order"])
    page = operator_client.get(url)
    assert '&quot;order_id&quot;: &quot;&quot;' in page.content.decode()  # arguments prefilled from the schema
    answer = operator_client.post(url, {"arguments": '{"order_id": "A-17"}', "dynamic_variables": ""})
    content = answer.content.decode()
    assert "HTTP 200" in content and "A-17" in content and "status-success" in content
    event = AuditEvent.objects.get(action="test_tool")
    assert event.outcome == "success" and "answered 200" in event.summary


def test_a_failing_webhook_is_reported_as_failed(operator_client, assistant):
    answer = operator_client.post(reverse("assistants:tool-test", args=[assistant["id"], "broken"]), {"arguments": "{}"})
    assert "HTTP 500" in answer.content.decode() and "status-failed" in answer.content.decode()


def test_bad_json_arguments_are_a_field_error_that_keeps_the_text(operator_client, assistant):
    response = operator_client.post(reverse("assistants:tool-test", args=[assistant["id"], "lookup_order"]), {"arguments": "{order_id: 1"})
    assert "Not valid JSON" in response.context["form"].errors["arguments"][0]
    assert "{order_id: 1" in response.content.decode()
    assert not AuditEvent.objects.filter(action="test_tool").exists()


def test_unknown_tool_is_404_and_viewer_may_not_test(viewer_client, operator_client, assistant):
    assert operator_client.get(reverse("assistants:tool-test", args=[assistant["id"], "nope"])).status_code == 404
    assert viewer_client.get(reverse("assistants:tool-test", args=[assistant["id"], "lookup_order"])).status_code == 403

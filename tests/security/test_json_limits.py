"""JSON from a form or a webhook: too long or nested too deeply is a clear field error (or a
400 for the webhook), never a 500; what was typed is kept."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils.html import escape

from core import json_input
from portal.models import AuditEvent

from ..assistants.test_tool_test import assistant  # noqa: F401 (fixture)
from ..conversations.test_insight_webhooks import deliver, event, telnyx_key  # noqa: F401 (fixture)
from ..inference.test_sandbox_integration import demo  # noqa: F401 (fixture)

DEEP = "[" * 5000 + "]" * 5000  # json.loads alone raises RecursionError on this
NESTED_40 = '{"a": ' * 40 + "1" + "}" * 40  # parses, but encoding it again for Telnyx is a risk


@pytest.mark.parametrize("text, error", [
    (DEEP, "Nested too deeply: at most 32 levels"),
    ('{"order_id": ' + NESTED_40 + "}", "Nested too deeply: at most 32 levels"),
    ('{"order_id": "' + "x" * 70_000 + '"}', "Too long: at most 64 KB of JSON."),
])
@pytest.mark.django_db(transaction=True)
def test_the_tool_test_form_refuses_deep_or_huge_json_as_a_field_error(operator_client, assistant, text, error):  # noqa: F811
    response = operator_client.post(reverse("assistants:tool-test", args=[assistant["id"], "lookup_order"]),
                                    {"arguments": text, "dynamic_variables": ""})
    assert response.status_code == 200
    assert error in response.context["form"].errors["arguments"][0]
    assert escape(text[:200]) in response.content.decode()  # kept as typed
    assert not AuditEvent.objects.filter(action="test_tool").exists()


@pytest.mark.django_db(transaction=True)
def test_the_chat_form_refuses_a_deep_history_and_calls_nobody(operator_client, demo):  # noqa: F811
    model = operator_client.get(reverse("inference:chat")).context["form"].fields["model"].choices[0][0]
    response = operator_client.post(reverse("inference:chat"), {"model": model, "message": "Hi", "history": DEEP})
    assert response.status_code == 200
    assert "The conversation could not be read" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("body, error", [(DEEP.encode(), "Nested too deeply"),
                                         (b'{"data": "' + b"x" * 300_000 + b'"}', "Too long")])
def test_a_signed_webhook_with_deep_or_huge_json_is_a_400(telnyx_key, body, error):  # noqa: F811
    response = deliver(telnyx_key, body)
    assert response.status_code == 400 and error in response.json()["error"]


def test_depth_counts_levels_without_recursion():
    assert [json_input.depth(v) for v in (1, [], {"a": [1, {"b": 2}]}, [[[[]]]])] == [0, 1, 3, 4]
    deep = []
    for _ in range(100_000):
        deep = [deep]
    assert json_input.depth(deep) == 100_001
    assert json_input.parse('{"a": [1, 2]}') == {"a": [1, 2]}
    with pytest.raises(ValueError, match="Not valid JSON: Expecting value \\(line 1, column 7\\)"):
        json_input.parse('{"a": }')

"""Each shared tool type has its own form (shared_tools/definitions.py): proper widgets and
validation, JSON only where the schema is free-form, pickers for handoff targets (cached
assistants) and retrieval buckets (cached buckets); a change keeps every key the form does not
show. Against the sandbox over HTTP (every body sent is checked against the SDK by tests/contract)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from assistants.services import assistants as assistant_services
from portal.telnyx import get_client
from shared_tools.models import SharedTool

pytestmark = pytest.mark.django_db(transaction=True)

ADD = reverse("shared_tools:tool-add")


@pytest.fixture
def target(sandbox):
    created = get_client().post("ai/assistants", json={"name": "Billing desk", "model": "openai/gpt-4o", "instructions": "Help."}).data
    assert assistant_services.assistants_sync().ok
    return created["id"]


def post_add(client, kind: str, settings: dict, **fields):
    key = client.get(ADD).context["form"].initial["idempotency_key"]
    data = {"display_name": f"My {kind}", "type": kind, "shown_type": kind, "idempotency_key": key,
            **{f"definition-{k}": v for k, v in settings.items()}, **fields}
    return client.post(ADD, data)


def stored(tool_id: str) -> dict:
    return get_client().get(f"ai/tools/{tool_id}").data["tool_definition"]


EVERY_TYPE = {
    "webhook": ({"name": "order_status", "description": "Look up an order", "url": "https://example.com/orders/{id}", "method": "GET",
                 "headers": "X-Team: support\nAuthorization: Bearer {{#integration_secret}}k{{/integration_secret}}",
                 "path_parameters": '{"type": "object", "properties": {"id": {"type": "string"}}, "required": ["id"]}'},
                {"method": "GET", "headers": [{"name": "X-Team", "value": "support"},
                                              {"name": "Authorization", "value": "Bearer {{#integration_secret}}k{{/integration_secret}}"}]}),
    "function": ({"name": "lookup", "description": "Find it", "parameters": '{"type": "object"}'}, {"parameters": {"type": "object"}}),
    "client_side_tool": ({"name": "open_cart", "description": "Open the cart", "parameters": '{"type": "object"}'}, {"name": "open_cart"}),
    "invite": ({"targets": "+15551234567, Sales\n+15557654321"}, {"targets": [{"to": "+15551234567", "name": "Sales"}, {"to": "+15557654321"}]}),
    "pay": ({"connector_name": "stripe-main", "currency": "USD", "valid_card_types": ["visa", "amex"]},
            {"connector_name": "stripe-main", "valid_card_types": ["visa", "amex"]}),
    "update_dynamic_variables": ({"name": "remember", "description": "Keep what the caller says", "updatable_variables": "order_id: the order number"},
                                 {"updatable_variables": [{"name": "order_id", "description": "the order number"}]}),
    "vision": ({"max_frame_age_secs": "5"}, {"max_frame_age_secs": 5}),
}


@pytest.mark.parametrize("kind", list(EVERY_TYPE))
def test_every_type_is_added_through_its_own_form(team_admin_client, sandbox, kind):
    settings, expected = EVERY_TYPE[kind]
    response = post_add(team_admin_client, kind, settings)
    assert response.status_code == 302, response.context["settings"].errors if response.context else ""
    definition = stored(SharedTool.objects.get().telnyx_id)
    assert expected.items() <= definition.items()


def test_a_handoff_picks_its_targets_from_the_cached_assistants(team_admin_client, target):
    page = team_admin_client.get(ADD + "?type=handoff")
    assert dict(page.context["settings"].fields["ai_assistants"].choices)[target] == "Billing desk"
    refused = post_add(team_admin_client, "handoff", {"ai_assistants": ["assistant-planted"], "voice_mode": "unified"})
    assert "is not an assistant the portal lists" in str(refused.context["settings"].errors["ai_assistants"])
    assert post_add(team_admin_client, "handoff", {"ai_assistants": [target], "voice_mode": "unified"}).status_code == 302
    assert stored(SharedTool.objects.get().telnyx_id) == {"ai_assistants": [{"id": target, "name": "Billing desk"}], "voice_mode": "unified"}


def test_a_retrieval_tool_picks_cached_buckets(team_admin_client, sandbox):
    from django.utils import timezone

    from knowledge.models import Bucket

    Bucket.objects.create(telnyx_id="kb-support", synced_at=timezone.now())
    page = team_admin_client.get(ADD + "?type=retrieval")
    assert "kb-support" in dict(page.context["settings"].fields["bucket_ids"].choices)
    refused = post_add(team_admin_client, "retrieval", {"bucket_ids": ["kb-elsewhere"]})
    assert "is not a bucket the portal lists" in str(refused.context["settings"].errors["bucket_ids"])
    assert post_add(team_admin_client, "retrieval", {"bucket_ids": ["kb-support"], "max_num_results": "3"}).status_code == 302
    assert stored(SharedTool.objects.get().telnyx_id) == {"bucket_ids": ["kb-support"], "max_num_results": 3}


def test_bad_values_are_field_errors_with_what_was_typed_kept(team_admin_client, sandbox):
    response = post_add(team_admin_client, "update_dynamic_variables",
                        {"name": "bad name!", "description": "d", "updatable_variables": "telnyx_secret: no"})
    errors = response.context["settings"].errors
    assert "name" in errors and "telnyx_" in str(errors["updatable_variables"])
    assert "telnyx_secret: no" in response.content.decode()
    webhook = post_add(team_admin_client, "webhook", {"name": "w", "description": "d", "url": "https://x.example/{id}",
                                                      "body_parameters": "{not json"})
    errors = webhook.context["settings"].errors
    assert "body_parameters" in errors and "{id} need a property" in str(errors["path_parameters"])
    assert not SharedTool.objects.exists()


def test_choosing_another_type_shows_its_settings_and_keeps_the_name(team_admin_client, sandbox):
    key = team_admin_client.get(ADD).context["form"].initial["idempotency_key"]
    response = team_admin_client.post(ADD, {"display_name": "Keep me", "type": "pay", "shown_type": "webhook",
                                            "idempotency_key": key, "choose_type": ""})
    assert response.status_code == 200 and "connector_name" in response.context["settings"].fields
    assert 'value="Keep me"' in response.content.decode() and not SharedTool.objects.exists()


def test_a_change_keeps_what_the_form_does_not_show(team_admin_client, target):
    created = get_client().post("ai/tools", json={
        "display_name": "Hook", "type": "webhook",
        "webhook": {"name": "hook", "description": "d", "url": "https://x.example/h", "async": True,
                    "store_fields_as_variables": [{"name": "order", "value_path": "order.id"}]}}).data
    handoff = get_client().post("ai/tools", json={
        "display_name": "Hand", "type": "handoff", "handoff": {"ai_assistants": [{"id": "odd id/..", "name": "Odd"}]}}).data
    from shared_tools.services import shared_tools_sync

    assert shared_tools_sync().ok
    change = reverse("shared_tools:tool-change", args=[created["id"]])
    page = team_admin_client.get(change)
    data = {"display_name": "Hook 2", "shown_type": "webhook", "timeout_ms": "",
            **{f"definition-{name}": field.value() or "" for name, field in ((f.name, f) for f in page.context["settings"])}}
    data["definition-description"] = "Changed"
    assert team_admin_client.post(change, data).status_code == 302
    after = stored(created["id"])
    assert after["description"] == "Changed" and after["async"] is True and after["store_fields_as_variables"][0]["name"] == "order"

    hand_change = reverse("shared_tools:tool-change", args=[handoff["id"]])
    page = team_admin_client.get(hand_change)
    assert "1 with an id the portal cannot use" in page.content.decode()
    assert team_admin_client.post(hand_change, {"display_name": "Hand", "shown_type": "handoff",
                                                "definition-ai_assistants": [target]}).status_code == 302
    assert stored(handoff["id"])["ai_assistants"] == [{"id": target, "name": "Billing desk"}, {"id": "odd id/..", "name": "Odd"}]

"""Insight templates and groups through the official SDK (strict validation)."""

import pytest
import telnyx

pytestmark = pytest.mark.contract


def test_insight_templates_and_groups_lifecycle(sdk):
    insights = sdk.ai.conversations.insights
    groups = sdk.ai.conversations.insight_groups

    created = insights.create(name="Churn risk", instructions="Does the caller want to cancel?",
                              json_schema={"type": "object", "properties": {"churn": {"type": "boolean"}}},
                              idempotency_key="insight-churn")
    template = created.data
    assert template.insight_type == "custom" and template.json_schema["type"] == "object"
    replay = insights.create(name="Churn risk", instructions="Does the caller want to cancel?",
                             json_schema={"type": "object", "properties": {"churn": {"type": "boolean"}}},
                             idempotency_key="insight-churn")
    assert replay.data.id == template.id
    assert insights.retrieve(template.id).data.name == "Churn risk"
    updated = insights.update(template.id, instructions="Is cancellation mentioned?", webhook="https://example.com/h")
    assert updated.data.instructions == "Is cancellation mentioned?" and updated.data.webhook == "https://example.com/h"
    second = insights.create(name="Summary", instructions="Summarise.").data

    page = insights.list(page_size=1)
    assert len(page.data) == 1 and page.has_next_page()
    assert [t.id for t in insights.list(page_size=1)] == [template.id, second.id]  # iterates every page

    group = groups.insight_groups(name="Retention", description="At-risk customers").data
    assert group.insights == []
    assert groups.insights.assign(template.id, group_id=group.id) is None
    assert groups.insights.assign(second.id, group_id=group.id) is None
    fetched = groups.retrieve(group.id).data
    assert [t.id for t in fetched.insights] == [template.id, second.id]
    assert groups.insights.delete_unassign(second.id, group_id=group.id) is None
    renamed = groups.update(group.id, name="Retention QA").data
    assert renamed.name == "Retention QA" and [t.id for t in renamed.insights] == [template.id]
    listed = groups.retrieve_insight_groups()
    assert [g.id for g in listed.data] == [group.id]

    assert groups.delete(group.id) is None
    with pytest.raises(telnyx.NotFoundError):
        groups.retrieve(group.id)
    assert insights.delete(second.id) is None
    with pytest.raises(telnyx.NotFoundError):
        insights.retrieve(second.id)


def test_insight_validation_surfaces_pointer(sdk):
    with pytest.raises(telnyx.UnprocessableEntityError) as excinfo:
        sdk.ai.conversations.insights.create(name="x", instructions="y", json_schema="not json")
    assert excinfo.value.body["errors"][0]["source"]["pointer"] == "/json_schema"

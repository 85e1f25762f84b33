"""`/ai/conversations/insights` and `/insight-groups`: insight templates, groups, and which
templates a group holds (SDK: resources/ai/conversations/insights.py, insight_groups/)."""

from __future__ import annotations

from typing import Iterator

from ..client import TelnyxResponse
from ._base import api_path, client, unwrap, unwrapped
from .conversations import BASE as CONVERSATIONS

TEMPLATES = (*CONVERSATIONS, "insights")
GROUPS = (*CONVERSATIONS, "insight-groups")


def templates_list_all() -> Iterator[dict]:
    return client().paginate(api_path(*TEMPLATES))


def template_retrieve(template_id: str) -> dict:
    return unwrap(client().get(api_path(*TEMPLATES, template_id)).data, {})


def template_create(body: dict, *, idempotency_key: str) -> TelnyxResponse:
    return unwrapped(client().post(api_path(*TEMPLATES), json=body, idempotency_key=idempotency_key), {})


def template_update(template_id: str, body: dict) -> TelnyxResponse:
    return unwrapped(client().put(api_path(*TEMPLATES, template_id), json=body), {})


def template_delete(template_id: str) -> TelnyxResponse:
    return client().delete(api_path(*TEMPLATES, template_id))


def groups_list_all() -> Iterator[dict]:
    return client().paginate(api_path(*GROUPS))


def group_retrieve(group_id: str) -> dict:
    """The group, with the templates assigned to it under `insights`."""
    return unwrap(client().get(api_path(*GROUPS, group_id)).data, {})


def group_create(body: dict, *, idempotency_key: str) -> TelnyxResponse:
    return unwrapped(client().post(api_path(*GROUPS), json=body, idempotency_key=idempotency_key), {})


def group_update(group_id: str, body: dict) -> TelnyxResponse:
    return unwrapped(client().put(api_path(*GROUPS, group_id), json=body), {})


def group_delete(group_id: str) -> TelnyxResponse:
    return client().delete(api_path(*GROUPS, group_id))


def assign(group_id: str, template_id: str) -> TelnyxResponse:
    return client().post(api_path(*GROUPS, group_id, "insights", template_id, "assign"))


def unassign(group_id: str, template_id: str) -> TelnyxResponse:
    return client().delete(api_path(*GROUPS, group_id, "insights", template_id, "unassign"))


def aggregates(*, group_by: list[str], insight_id: str = "", assistant_id: str = "",
               created_at: list[str] | None = None) -> list[dict]:
    """`GET /ai/conversations/conversation-insights/aggregates`: rows of the grouped fields with
    `record_count` (SDK: conversation_insights.retrieve_aggregates). `created_at` holds PostgREST
    expressions such as `gte.<iso>`; each is sent, so a window is two."""
    params: dict = {"group_by": list(group_by)}
    if insight_id:
        params["insight_id"] = insight_id
    if assistant_id:
        params["metadata[assistant_id]"] = f"eq.{assistant_id}"
    if created_at:
        params["created_at"] = list(created_at)
    body = client().get(api_path(*CONVERSATIONS, "conversation-insights", "aggregates"), params=params).data
    return [row for row in unwrap(body, []) if isinstance(row, dict)]

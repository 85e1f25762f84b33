"""Shared tool writes and syncs, attaching tools to assistants, and moving inline tools into the
library: through the resource layer and the one write path (`core.writes.telnyx_write`)."""

from __future__ import annotations

from assistants.hooks import refuse_live_edit
from assistants.services.assistants import RESOURCE_TYPE as ASSISTANT
from assistants.services.assistants import assistant_cache_put
from assistants.services.tools import LIBRARY_TYPES, has_movable_inline_tools
from core.cache import cache_put, text_fields
from core.crud import CachedResource
from core.live import LiveOrCached
from core.sync import SyncOutcome, vacuum_analyze
from core.writes import telnyx_write
from portal.roles import ADMINISTER, require_perm
from portal.telnyx import TelnyxError
from portal.telnyx.dates import parse_date
from portal.telnyx.resources import assistants as assistants_api
from portal.telnyx.resources import shared_tools as tools_api
from portal.telnyx.resources import tools as assistant_tools_api
from shared_tools import selectors
from shared_tools.models import SharedTool

RESOURCE = "shared_tools"
RESOURCE_TYPE = "shared_tool"
# The types `POST /ai/tools` takes a configuration object for (SDK: ToolCreateParams), labelled;
# each type's settings and what Telnyx requires in them are its form's (shared_tools/definitions.py).
TOOL_TYPES: dict[str, str] = {
    "webhook": "Webhook: Telnyx calls your URL",
    "function": "Function: the assistant asks your client",
    "client_side_tool": "Client-side tool: runs in the widget",
    "handoff": "Handoff: pass the conversation to other assistants",
    "invite": "Invite: bring another party into the call",
    "pay": "Pay: collect a payment",
    "retrieval": "Retrieval: answer from a knowledge bucket",
    "update_dynamic_variables": "Update dynamic variables",
    "vision": "Vision: look at an image",
}
assert tuple(TOOL_TYPES) == LIBRARY_TYPES  # one list of library types, labelled here


def tool_fields(item: dict) -> dict:
    return {
        "telnyx_id": item["id"], **text_fields(SharedTool, item, "display_name", "type"),
        "timeout_ms": item.get("timeout_ms") if isinstance(item.get("timeout_ms"), int) else None,
        "created_at": parse_date(item.get("created_at")),
    }


def tool_cache_put(item: dict) -> SharedTool | None:
    return cache_put(SharedTool, item, tool_fields)


def _before(row: SharedTool, data: dict) -> dict:
    """The cached tool in the shape of an update body: its configuration under its type."""
    payload = row.payload or {}
    return {"display_name": payload.get("display_name"), "timeout_ms": payload.get("timeout_ms"),
            payload.get("type", ""): payload.get("tool_definition")}


def _guard(tool_id: str, action: str) -> None:
    refuse_if_used_under_approval(tool_id, {"update": "Editing this shared tool", "delete": "Deleting this shared tool"}[action])


SHARED_TOOLS = CachedResource(model=SharedTool, api=tools_api, resource_type=RESOURCE_TYPE, noun="shared tool",
                              label_field="display_name", cache_put=tool_cache_put, listing=RESOURCE, fields=tool_fields,
                              before=_before, guard=_guard)


def shared_tools_sync() -> SyncOutcome:
    """Replace the cached library with Telnyx's, every page of it; on PostgreSQL the table is then
    vacuumed, so the search's walk stays index-only (`core.sync.vacuum_analyze`)."""
    outcome = SHARED_TOOLS.sync()
    if outcome.ok:
        vacuum_analyze(SharedTool)
    return outcome


def tool_fetch(*, user, tool_id: str) -> LiveOrCached:
    return SHARED_TOOLS.fetch(user=user, telnyx_id=tool_id)


def tool_create(*, user, data: dict, idempotency_key: str = "") -> dict:
    return SHARED_TOOLS.create(user=user, data=data, idempotency_key=idempotency_key)


def refuse_if_used_under_approval(tool_id: str, what: str) -> None:
    """An edit or delete of a shared tool changes, with no new version, what callers of every
    assistant using it get: refused (LiveEditRefused) where one of them needs a second Admin.
    "Using" is the cached `tool_ids`, as the tool's page shows them (a sync behind may miss one)."""
    for assistant in selectors.assistants_using(tool_id):
        refuse_live_edit(assistant.telnyx_id, f"{what}, which “{assistant.name}” uses,")


def tool_update(*, user, tool_id: str, data: dict) -> dict:
    return SHARED_TOOLS.update(user=user, telnyx_id=tool_id, data=data)


def tool_delete(*, user, tool_id: str) -> bool:
    """Delete in Telnyx and drop the cached row; False if Telnyx no longer had it."""
    return SHARED_TOOLS.delete(user=user, telnyx_id=tool_id)


def _refresh_assistant(assistant_id: str) -> None:
    """Telnyx's attach answer is untyped: read the assistant again so `used by` is right at once.
    A failed read leaves the cache to the next sync (the write itself is done and audited)."""
    try:
        assistant_cache_put(assistants_api.retrieve(assistant_id))
    except TelnyxError:
        pass


def tool_attach(*, user, assistant_id: str, tool_id: str, attach: bool, assistant_label: str = "") -> None:
    """Attach (PUT) or detach (DELETE) a shared tool; audited on the assistant. Either makes a
    new main version at once, so it is refused (LiveEditRefused) where a second Admin must approve."""
    require_perm(user, ADMINISTER)
    refuse_live_edit(assistant_id, "Attaching a shared tool" if attach else "Detaching a shared tool")
    tool_label = SharedTool.cached_label(tool_id, "display_name")
    verb = "Attached" if attach else "Detached"
    summary = f"{verb} shared tool “{tool_label}”"
    telnyx_write(
        lambda: (assistant_tools_api.attach if attach else assistant_tools_api.detach)(assistant_id, tool_id),
        user=user, action="attach_tool" if attach else "detach_tool", resource_type=ASSISTANT,
        resource_id=assistant_id, label=assistant_label or assistant_id, summary=summary,
        failure_summary=f"Tried: {summary[0].lower()}{summary[1:]}", changes={"tool_id": tool_id},
    )
    _refresh_assistant(assistant_id)


def movable(tool: dict) -> bool:
    """An inline tool the library can hold: a type `POST /ai/tools` takes, with its object."""
    return has_movable_inline_tools({"tools": [tool]})


def move_inline_tools(*, user, assistant_id: str, inline: list[dict], existing_ids: list[str],
                      idempotency_key: str, assistant_label: str = "") -> list[str]:
    """Create a shared tool for every movable inline tool, then one assistant update that drops
    them inline and attaches them by id (one new version). Returns the new tools' ids.

    Each create carries a key derived from the form's, so a resubmitted form creates nothing twice.
    The update makes the new version main at once, so it is refused (LiveEditRefused, before any
    tool is created) where a second Admin must approve."""
    require_perm(user, ADMINISTER)
    refuse_live_edit(assistant_id, "Moving inline tools into the library")
    moving = [t for t in inline if movable(t)]
    created = []
    for index, tool in enumerate(moving):
        inner = tool[tool["type"]]
        name = str(inner.get("name") or TOOL_TYPES[tool["type"]].split(":")[0])[:300]
        body = {"display_name": name, "type": tool["type"], tool["type"]: inner}
        created.append(tool_create(user=user, data=body, idempotency_key=f"{idempotency_key}-{index}")["id"])
    staying = [t for t in inline if not movable(t)]
    body = {"tools": staying, "tool_ids": [*existing_ids, *created]}
    telnyx_write(
        lambda: assistants_api.update(assistant_id, body, idempotency_key=f"{idempotency_key}-assistant"),
        user=user, action="update", resource_type=ASSISTANT, resource_id=assistant_id,
        label=assistant_label or assistant_id,
        summary=f"Moved {len(created)} inline tool{'s' if len(created) != 1 else ''} into the shared library",
        failure_summary="Tried to move inline tools into the shared library",
        changes={"tool_ids": {"before": existing_ids, "after": body["tool_ids"]}},
        store=lambda r: assistant_cache_put(r.data) if r.data.get("id") else None,
    )
    return created

"""The one write path: call Telnyx, then store its answer in the cache and audit, atomically.

Every create, update and delete in every app goes through `telnyx_write`, so a write is
never half-recorded: if Telnyx refuses or fails, a failed audit event records the attempt
(with Telnyx's status and message) and the error is re-raised with the cache untouched; if
Telnyx accepts, `store` writes its answer to the cache and the success is audited in the
same transaction.
"""

from __future__ import annotations

from typing import Any, Callable

from django.db import transaction

from core import audit
from portal.telnyx import TelnyxError, TelnyxResponse


def telnyx_write(
    call: Callable[[], TelnyxResponse],
    *,
    user,
    action: str,
    resource_type: str,
    resource_id: str | Callable[[TelnyxResponse], str] = "",
    label: str = "",
    summary: str | Callable[[TelnyxResponse], str],
    changes: dict | None = None,
    store: Callable[[TelnyxResponse], Any] | None = None,
    failure_summary: str = "",
) -> TelnyxResponse:
    """Make one Telnyx write with `call()` and record it.

    `resource_id` may be a function of the response, for creates whose id Telnyx assigns;
    `summary` too, when what happened depends on Telnyx's answer (then pass `failure_summary`).
    `store(response)` puts Telnyx's answer in the cache (never an optimistic copy).
    Returns the response; raises the TelnyxError after auditing it.
    """
    before_id = resource_id if isinstance(resource_id, str) else ""
    try:
        response = call()
    except TelnyxError as exc:
        audit.record(user=user, action=action, resource_type=resource_type, resource_id=before_id,
                     resource_label=label, summary=failure_summary or f"Tried: {summary if isinstance(summary, str) else action}", changes=changes, error=exc)
        raise
    final_id = resource_id(response) if callable(resource_id) else resource_id
    final_summary = summary(response) if callable(summary) else summary
    with transaction.atomic():
        if store is not None:
            store(response)
        audit.record(user=user, action=action, resource_type=resource_type, resource_id=final_id,
                     resource_label=label, summary=final_summary, changes=changes, response=response)
    return response

"""An object's history (its audit events, newest first) as a changelist: the History tab of an
assistant or a conversation pages it like every list, rows from `includes/audit_rows.html`."""

from __future__ import annotations

from core.audit import audit_events_for
from core.changelist.query import Column, FilterForm
from core.changelist.spec import ChangelistSpec


class HistoryForm(FilterForm):
    """An object's history has no search or filters: newest first, 50 a page."""


def object_history(template: str) -> ChangelistSpec:
    """The history list of the page `template` (its `#table` partial includes changelist_table.html with
    `rows="includes/audit_rows.html"`): `spec.page(request, context, resource_type, resource_id)`."""
    return ChangelistSpec(
        template=template, form_class=HistoryForm, columns=[Column("when", "When", "created_at")], default_sort="-when",
        queryset=lambda resource_type, resource_id: audit_events_for(resource_type=resource_type, resource_id=resource_id),
    )

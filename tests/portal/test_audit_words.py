"""The audit log in people's words: actions and kinds named, ids short (whole on hover and on
the entry's page), one line per row."""

from __future__ import annotations

import pytest
from django.urls import reverse

from portal.models import AuditEvent

pytestmark = pytest.mark.django_db

VERSION = "034224b0-5f1e-4c1e-9d2a-0e6d7c1b2a33"


def test_slugs_become_words_and_ids_are_cut_short(team_admin_client):
    AuditEvent.objects.create(action="sms_chat", resource_type="assistant", resource_id="assistant-" + VERSION,
                              resource_label="Support bot", username="ada",
                              summary=f"Chat turn in conversation {VERSION}: served by version {VERSION}")
    AuditEvent.objects.create(action="set_role", resource_type="user", resource_id="7", resource_label="bob")
    page = team_admin_client.get(reverse("audit")).content.decode()
    table = page.split('data-testid="audit-log"')[1].split("</table>")[0]
    assert "Started an SMS chat" in table
    assert "Changed a role" in table
    assert ">sms_chat<" not in table
    assert "Assistant</span>" in table and "Support bot" in table
    assert "served by version 034224b0…" in table
    visible = table.replace(f'title="Chat turn in conversation {VERSION}: served by version {VERSION}"', "")
    assert f"version {VERSION}" not in visible  # whole only on hover

"""The audit log stays small with huge values; an entry's own page shows them whole."""

from __future__ import annotations

import pytest

from core.audit import diff, record

pytestmark = pytest.mark.django_db


def _huge_edit(user):
    before, after = "Be brief. " * 10, "A" * 1_000_000
    return record(user=user, action="update", resource_type="assistant", resource_id="a-1", resource_label="Bot",
                  summary="Edited", changes=diff({"instructions": before}, {"instructions": after}))


def test_audit_list_stays_small_after_a_one_megabyte_edit(viewer_client, team_admin):
    _huge_edit(team_admin)
    response = viewer_client.get("/audit/")
    assert response.status_code == 200
    assert len(response.content) < 100_000
    assert "(1,000,000 characters)" in response.content.decode()


def test_audit_entry_page_shows_the_full_value(viewer_client, team_admin):
    event = _huge_edit(team_admin)
    list_page = viewer_client.get("/audit/").content.decode()
    assert f'href="/audit/{event.pk}/"' in list_page
    response = viewer_client.get(f"/audit/{event.pk}/")
    assert response.status_code == 200
    assert "A" * 1_000_000 in response.content.decode()


def test_audit_entry_page_needs_a_role_and_404s_for_unknown_entries(no_role_user, viewer_client, team_admin):
    from django.test import Client

    event = _huge_edit(team_admin)
    client = Client()
    client.force_login(no_role_user)
    assert client.get(f"/audit/{event.pk}/").status_code == 403
    assert viewer_client.get("/audit/999999/").status_code == 404

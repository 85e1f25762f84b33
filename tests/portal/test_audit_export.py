"""The audit log's CSV export: the rows its reader sees in the list, no more (one visibility rule)."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse

from core.audit import record

pytestmark = pytest.mark.django_db


def test_admin_exports_the_filtered_audit_log(team_admin_client, team_admin):
    record(user=team_admin, action="update", resource_type="assistant", resource_id="a-1", summary="+SUM(1)")
    record(user=team_admin, action="delete", resource_type="test", resource_id="t-1", summary="Deleted")
    response = team_admin_client.get(reverse("audit"), {"q": "SUM", "_export": "csv"})
    assert response.streaming
    table = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert [r[2] for r in table[1:]] == ["update"]
    assert table[1][table[0].index("Summary")] == "'+SUM(1)"


def _export(client) -> list[list[str]]:
    response = client.get(reverse("audit"), {"_export": "csv"})
    assert response.status_code == 200
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))[1:]


@pytest.mark.parametrize("who, sees_administration", [("viewer", False), ("operator", False), ("team_admin", True)])
def test_list_detail_export_and_dashboard_follow_one_visibility_rule(request, team_admin, who, sees_administration):
    """Resource history for every role; user management, logins and task retries for Admins only."""
    client = request.getfixturevalue(f"{who}_client")
    team = record(user=team_admin, action="update", resource_type="assistant", resource_id="a-1", summary="Renamed the bot")
    admin_only = [record(user=team_admin, action=action, resource_type=kind, resource_id="7", summary=f"admin {kind} event")
                  for kind, action in (("user", "set_role"), ("login", "login_locked_out"), ("task", "retry"))]
    listed = client.get(reverse("audit")).content.decode()
    exported = {row[2] for row in _export(client)}
    dashboard = client.get(reverse("dashboard")).content.decode()
    assert "Renamed the bot" in listed and "update" in exported and "Renamed the bot" in dashboard
    assert client.get(reverse("audit-detail", args=[team.pk])).status_code == 200
    assert b"Export CSV" in client.get(reverse("audit")).content
    for event in admin_only:
        assert (event.summary in listed) is sees_administration
        assert (event.action in exported) is sees_administration
        assert (event.summary in dashboard) is sees_administration
        assert client.get(reverse("audit-detail", args=[event.pk])).status_code == (200 if sees_administration else 404)


def test_admin_sees_the_export_link(team_admin_client, team_admin):
    record(user=team_admin, action="update", resource_type="assistant", resource_id="a-1", summary="x")
    assert b"Export CSV" in team_admin_client.get(reverse("audit")).content

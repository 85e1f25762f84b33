"""The audit log's CSV export is for Admins, like the entries' details it carries."""

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


def test_viewer_cannot_export_the_audit_log_nor_sees_the_link(viewer_client, team_admin):
    record(user=team_admin, action="update", resource_type="assistant", resource_id="a-1", summary="x")
    assert viewer_client.get(reverse("audit"), {"_export": "csv"}).status_code == 403
    assert b"Export CSV" not in viewer_client.get(reverse("audit")).content


def test_admin_sees_the_export_link(team_admin_client, team_admin):
    record(user=team_admin, action="update", resource_type="assistant", resource_id="a-1", summary="x")
    assert b"Export CSV" in team_admin_client.get(reverse("audit")).content

"""The audit log's filter choices follow the rows' visibility rule: a Viewer is not offered an
action, object type or username that only Admin-only events carry."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User

from core.audit import record

pytestmark = pytest.mark.django_db


def offered(client) -> dict[str, set[str]]:
    fields = client.get("/audit/").context["cl"].form.fields
    return {name: {value for value, _ in fields[name].choices if value} for name in ("action", "resource_type", "username")}


def test_a_viewer_is_offered_only_what_their_rows_carry(viewer_client, team_admin_client, team_admin):
    record(user=team_admin, action="update", resource_type="assistant", resource_id="a-1", summary="Renamed")
    root = User.objects.create_user("root_only_admin")
    record(user=root, action="password link", resource_type="user", resource_id="7", summary="Issued a link")

    admin = offered(team_admin_client)  # first, so anything kept per list would be the Admin's
    viewer = offered(viewer_client)
    assert admin["action"] == {"update", "password link"} and "root_only_admin" in admin["username"]
    assert viewer["action"] == {"update"} and viewer["resource_type"] == {"assistant"}
    assert "root_only_admin" not in viewer["username"]

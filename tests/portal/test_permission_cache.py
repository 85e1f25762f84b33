"""Permission sets kept between requests, and role changes that still take effect at once."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.conftest import _user_with_role

pytestmark = pytest.mark.django_db

ADMIN_ONLY = "/users/"


def _permission_queries(client: Client, url: str) -> tuple[int, list[str]]:
    with CaptureQueriesContext(connection) as queries:
        status = client.get(url).status_code
    return status, [q["sql"] for q in queries.captured_queries if "auth_permission" in q["sql"]]


def test_a_repeat_request_does_not_reload_the_permissions(team_admin_client):
    status, first = _permission_queries(team_admin_client, ADMIN_ONLY)
    assert status == 200 and first  # the first request loads them
    status, repeat = _permission_queries(team_admin_client, ADMIN_ONLY)
    assert status == 200 and repeat == []


def test_a_demoted_admin_is_refused_on_the_very_next_request(team_admin_client, team_admin):
    other = _user_with_role("otis_other_admin", "Admin")
    other_client = Client()
    other_client.force_login(other)
    assert other_client.get(ADMIN_ONLY).status_code == 200  # Admin's permissions now kept

    team_admin_client.post(f"/users/{other.pk}/role/", {"role": "Viewer"})

    assert other_client.get(ADMIN_ONLY).status_code == 302  # a role change ends the user's sessions
    other_client.force_login(other)  # logged in again: the kept Admin permissions are not reused
    assert other_client.get(ADMIN_ONLY).status_code == 403
    assert other_client.get("/conversations/").status_code == 200  # still a Viewer


def test_a_promoted_viewer_gets_in_at_once(team_admin_client, viewer_client, viewer):
    assert viewer_client.get(ADMIN_ONLY).status_code == 403
    team_admin_client.post(f"/users/{viewer.pk}/role/", {"role": "Admin"})
    viewer_client.force_login(viewer)  # the role change ended the old session
    assert viewer_client.get(ADMIN_ONLY).status_code == 200


def test_a_deactivated_user_is_refused_at_once(team_admin_client, operator_client, operator):
    assert operator_client.get("/conversations/").status_code == 200
    team_admin_client.post(f"/users/{operator.pk}/active/", {"active": "0"})
    assert operator_client.get("/conversations/").status_code != 200


def test_changing_a_groups_permissions_outside_the_portal_takes_effect_at_once(team_admin_client):
    assert team_admin_client.get(ADMIN_ONLY).status_code == 200
    Group.objects.get(name="Admin").permissions.remove(Permission.objects.get(codename="administer"))
    assert team_admin_client.get(ADMIN_ONLY).status_code == 403

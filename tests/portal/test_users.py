"""User management: only Admins reach it; every change is audited; the last Admin stays."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import User
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from console.users.services import user_role
from portal.models import AuditEvent

pytestmark = pytest.mark.django_db

USER_URLS = ["/users/", "/users/add/"]


@pytest.mark.parametrize("url", USER_URLS)
def test_viewer_and_operator_cannot_see_user_pages(viewer_client, operator_client, url):
    assert viewer_client.get(url).status_code == 403
    assert operator_client.get(url).status_code == 403


def test_operator_cannot_change_a_role(operator_client, viewer):
    response = operator_client.post(f"/users/{viewer.pk}/role/", {"role": "Admin"})
    assert response.status_code == 403
    assert user_role(User.objects.get(pk=viewer.pk)) == "Viewer"


def test_admin_lists_users_with_their_roles(team_admin_client, viewer, operator):
    page = team_admin_client.get("/users/").content.decode()
    assert 'data-testid="role-vera_viewer">Viewer' in page and 'data-testid="role-otto_operator">Operator' in page


def test_admin_creates_a_user_with_a_password_and_it_is_audited(team_admin_client):
    response = team_admin_client.post("/users/add/", {"username": "newbie", "email": "n@example.com", "role": "Operator", "password": "Plenty-long-pass-42"})
    user = User.objects.get(username="newbie")
    assert response.status_code == 302 and response.url == f"/users/{user.pk}/"
    assert user.check_password("Plenty-long-pass-42") and user_role(user) == "Operator"
    event = AuditEvent.objects.get(action="create", resource_type="user")
    assert event.resource_label == "newbie" and "Plenty-long-pass-42" not in str(event.changes) + event.summary


def test_a_weak_password_or_taken_username_gets_field_errors_and_keeps_input(team_admin_client, viewer):
    response = team_admin_client.post("/users/add/", {"username": "vera_viewer", "role": "Viewer", "password": "123"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "already exists" in page and "too short" in page
    assert 'value="vera_viewer"' in page


def test_an_invited_user_chooses_a_password_with_the_link(team_admin_client):
    response = team_admin_client.post("/users/add/", {"username": "invitee", "role": "Viewer", "password": ""}, follow=True)
    link = re.search(r"http://testserver(/login/invite/[^ <]+/)", response.content.decode()).group(1)
    anonymous = Client()
    form_page = anonymous.get(link, follow=True)
    assert "Choose a password" in form_page.content.decode()
    done = anonymous.post(form_page.redirect_chain[-1][0], {"new_password1": "Fresh-pass-for-me-9", "new_password2": "Fresh-pass-for-me-9"})
    assert done.status_code == 302 and done.url == "/login/"
    assert User.objects.get(username="invitee").check_password("Fresh-pass-for-me-9")


def test_admin_sets_role_deactivates_and_resets_password_all_audited(team_admin_client, viewer):
    team_admin_client.post(f"/users/{viewer.pk}/role/", {"role": "Operator"})
    team_admin_client.post(f"/users/{viewer.pk}/active/", {"active": "0"})
    team_admin_client.post(f"/users/{viewer.pk}/password/", {"password": "Brand-new-pass-77"})
    viewer.refresh_from_db()
    assert user_role(viewer) == "Operator" and not viewer.is_active and viewer.check_password("Brand-new-pass-77")
    actions = set(AuditEvent.objects.filter(resource_type="user", resource_id=str(viewer.pk)).values_list("action", flat=True))
    assert actions == {"set_role", "deactivate", "set_password"}
    assert not AuditEvent.objects.filter(summary__contains="Brand-new-pass-77").exists()


def test_the_last_admin_cannot_be_demoted_or_deactivated(team_admin_client, team_admin):
    demote = team_admin_client.post(f"/users/{team_admin.pk}/role/", {"role": "Viewer"}, follow=True)
    assert "last active Admin" in demote.content.decode()
    team_admin_client.post(f"/users/{team_admin.pk}/active/", {"active": "0"})
    team_admin.refresh_from_db()
    assert team_admin.is_active and user_role(team_admin) == "Admin"
    assert not AuditEvent.objects.filter(resource_type="user").exists()


def test_an_admin_can_step_down_once_there_is_another(team_admin_client, team_admin, viewer):
    team_admin_client.post(f"/users/{viewer.pk}/role/", {"role": "Admin"})
    team_admin_client.post(f"/users/{team_admin.pk}/role/", {"role": "Viewer"})
    assert user_role(User.objects.get(pk=team_admin.pk)) == "Viewer"


def test_a_deactivated_user_cannot_log_in(team_admin_client, viewer):
    team_admin_client.post(f"/users/{viewer.pk}/active/", {"active": "0"})
    response = Client().post("/login/", {"username": "vera_viewer", "password": "pw-for-tests-only"})
    assert response.status_code == 200 and "didn't match" in response.content.decode()


def _sessions_of(user, count: int = 2) -> list[Client]:
    """`count` browsers logged in as `user`, each with its own session cookie."""
    clients = []
    for _ in range(count):
        browser = Client()
        browser.force_login(user)
        assert browser.get("/").status_code == 200
        clients.append(browser)
    return clients


@pytest.mark.parametrize("change, data", [("role", {"role": "Operator"}), ("password", {"password": "Brand-new-pass-77"}),
                                          ("active", {"active": "0"})])
def test_a_role_password_or_active_change_ends_every_session_of_that_user_at_once(team_admin_client, viewer, operator, change, data):
    browsers, bystander = _sessions_of(viewer), _sessions_of(operator, 1)[0]
    team_admin_client.post(f"/users/{viewer.pk}/{change}/", data)
    for browser in browsers:
        response = browser.get("/")
        assert response.status_code == 302 and response.url.startswith("/login/")
    assert bystander.get("/").status_code == 200  # only that user's sessions end
    assert team_admin_client.get("/users/").status_code == 200


def test_a_reactivated_user_must_log_in_again_their_old_cookie_is_dead(team_admin_client, viewer):
    browser = _sessions_of(viewer, 1)[0]
    team_admin_client.post(f"/users/{viewer.pk}/active/", {"active": "0"})
    team_admin_client.post(f"/users/{viewer.pk}/active/", {"active": "1"})
    assert User.objects.get(pk=viewer.pk).is_active
    response = browser.get("/")
    assert response.status_code == 302 and response.url.startswith("/login/")


def test_issuing_an_invite_link_is_audited(team_admin_client, viewer):
    team_admin_client.post(f"/users/{viewer.pk}/invite-link/")
    event = AuditEvent.objects.get(action="invite_link")
    assert (event.resource_type, event.resource_id, event.username) == ("user", str(viewer.pk), "ada_admin")


def test_a_large_compressed_session_is_ended_too_and_a_row_saved_around_the_engine_is_not(team_admin, viewer, operator):
    from importlib import import_module

    from django.conf import settings

    from console.users.services import end_sessions

    big = import_module(settings.SESSION_ENGINE).SessionStore()
    big.update({"_auth_user_id": str(viewer.pk), "kept": "x" * 5000})  # signing compresses this one
    big.save()
    assert Session.objects.get(session_key=big.session_key).session_data.startswith(".")
    # Written around the portal's engine: no user id column set, so nothing says whose it is.
    forged = Session.objects.create(session_key="forged-session-key-000000000001", expire_date=big.get_expiry_date(),
                                    session_data=big.encode({"_auth_user_id": str(viewer.pk)}))
    assert end_sessions(viewer) == 1
    assert not Session.objects.filter(session_key=big.session_key).exists()
    assert Session.objects.filter(pk=forged.pk).exists()


def test_ending_a_users_sessions_reads_their_rows_only_whatever_everyone_else_holds(team_admin, viewer, operator):
    """The purge finds the user's sessions by the indexed user id the engine saves, in the same
    queries with 5 or 300 other sessions stored, and never reads anyone's session data."""
    from importlib import import_module

    from django.conf import settings

    from console.users.services import end_sessions

    store = import_module(settings.SESSION_ENGINE).SessionStore

    def sessions(user, n):
        for _ in range(n):
            session = store()
            session.update({"_auth_user_id": str(user.pk)})
            session.save()

    counts = []
    for others in (5, 300):
        sessions(operator, others)
        sessions(viewer, 2)
        with CaptureQueriesContext(connection) as queries:
            assert end_sessions(viewer) == 2
        counts.append(len(queries))
        assert not [q for q in queries.captured_queries if "session_data" in q["sql"]]
    assert counts[0] == counts[1]
    assert Session.objects.count() == 305  # the operator's all kept


def test_a_session_renewed_at_login_or_a_password_change_is_still_found(viewer):
    """The key changes at login and when a user changes their own password; the new row carries the id."""
    from django.contrib.auth import update_session_auth_hash
    from django.test import RequestFactory

    from console.users.services import end_sessions

    viewer.set_password("Old-pass-word-55")
    viewer.save()
    browser = Client()
    assert browser.post("/login/", {"username": viewer.username, "password": "Old-pass-word-55"}).status_code == 302
    first = browser.session.session_key
    request = RequestFactory().get("/")
    request.session, request.user = browser.session, viewer
    update_session_auth_hash(request, viewer)  # cycles the key, as Django's own password change does
    request.session.save()
    assert request.session.session_key != first
    assert end_sessions(viewer) == 1
    assert not Session.objects.exists()

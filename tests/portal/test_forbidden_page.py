"""The 403 page tells a user who can grant access and offers a way back."""

from __future__ import annotations


def test_forbidden_page_names_the_admins_and_links_back(viewer_client, team_admin):
    team_admin.email = "ada@example.com"
    team_admin.save()
    response = viewer_client.get("/users/")
    assert response.status_code == 403
    body = response.content.decode()
    assert "Viewer" in body
    assert team_admin.username in body and "mailto:ada@example.com" in body
    assert "data-history-back" in body and 'href="/"' in body


def test_forbidden_page_without_admins_still_says_whom_to_ask(viewer_client):
    body = viewer_client.get("/users/").content.decode()
    assert "Ask your team's Admin" in body

"""Invites: the link on the user's page with Copy and Email, what each role may do, and the
pending invites with New link and Revoke."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.urls import reverse

from portal.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_an_invite_shows_its_link_with_copy_and_email_and_the_roles_explained(team_admin_client):
    response = team_admin_client.post(reverse("users:user-add"), {"username": "ines", "email": "ines@example.com",
                                                                 "role": "Operator", "password": ""}, follow=True)
    page = response.content.decode()
    card = page.split('data-testid="invite-link"')[1].split("</div>\n</div>")[0]
    assert "/login/invite/" in card and 'data-copy="#invite-link-text"' in card and "Email it to ines@example.com" in card
    roles = page.split('data-testid="role-descriptions"')[1].split("</dl>")[0]
    assert "runs tests and suites" in roles and "promotes versions" in roles
    user = User.objects.get(username="ines")
    again = team_admin_client.get(reverse("users:user-detail", args=[user.pk])).content.decode()
    assert 'data-testid="invite-link"' not in again  # shown once, not kept on the page
    team_admin_client.post(reverse("users:user-invite-email", args=[user.pk]))
    assert mail.outbox[-1].to == ["ines@example.com"] and "/login/invite/" in mail.outbox[-1].body
    event = AuditEvent.objects.filter(action="invite").get()
    assert "/login/invite/" not in event.summary  # the link never reaches the audit log


def test_pending_invites_are_listed_and_can_be_revoked(team_admin_client):
    team_admin_client.post(reverse("users:user-add"), {"username": "pat", "role": "Viewer", "password": ""})
    listing = team_admin_client.get(reverse("users:user-list")).content.decode()
    pending = listing.split('data-testid="pending-invites"')[1].split("</section>")[0]
    assert "pat" in pending and "Revoke" in pending
    pat = User.objects.get(username="pat")
    team_admin_client.post(reverse("users:user-active", args=[pat.pk]), {"active": "0"})
    assert 'data-testid="pending-invites"' not in team_admin_client.get(reverse("users:user-list")).content.decode()

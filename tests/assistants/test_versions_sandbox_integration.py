"""Stage, compare, promote and roll back over real HTTP against the sandbox (live server)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from assistants.models import AssistantVersion, CanaryConfig
from portal.models import AuditEvent, SyncState
from portal.telnyx import NotFoundError, get_client

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def acme(sandbox) -> dict:
    """The demo's "Acme Support": several versions and a 20% canary deploy."""
    call_command("sandbox_seed", "--demo", verbosity=0)
    return next(a for a in get_client().get("ai/assistants").data["data"] if a["name"] == "Acme Support")


def test_stage_compare_promote_and_roll_back(team_admin_client, acme, form_data):
    aid, first_main = acme["id"], acme["version_id"]
    change = reverse("assistants:assistant-change", args=[aid])
    page = team_admin_client.get(change)
    data = {**form_data(page), "instructions": acme["instructions"] + "\nAlways offer a callback.",
            "version_name": "callback offer", "save_as_version": ""}

    staged = team_admin_client.post(change, data, follow=True)

    assert "Saved new version “callback offer”. It is not live." in staged.content.decode()
    assert get_client().get(f"ai/assistants/{aid}").data["version_id"] == first_main  # not live
    row = AssistantVersion.objects.get(assistant_id=aid, name="callback offer")
    assert not row.is_main
    listing = team_admin_client.get(reverse("assistants:version-list", args=[aid])).content.decode()
    assert "callback offer" in listing.split('data-testid="versions-table"')[1]

    compare = team_admin_client.get(reverse("assistants:version-compare", args=[aid]), {"a": first_main, "b": row.version_id})
    assert "<ins>Always offer a callback.</ins>" in compare.content.decode()

    confirm = team_admin_client.get(reverse("assistants:version-promote", args=[aid, row.version_id])).content.decode()
    assert "The canary deploy will be removed" in confirm and "20% to “empathy experiment”" in confirm
    promoted = team_admin_client.post(
        reverse("assistants:version-promote", args=[aid, row.version_id]),
        {"override_reason": "no suites for this assistant yet"},
        follow=True,
    )
    assert "Promoted “callback offer” to main" in promoted.content.decode()
    assert get_client().get(f"ai/assistants/{aid}").data["version_id"] == row.version_id
    # The canary Telnyx dropped stays in the split history, restorable.
    dropped = CanaryConfig.objects.get(assistant_id=aid, kind="deleted")
    assert dropped.rules and dropped.username == "ada_admin"
    with pytest.raises(NotFoundError):
        get_client().get(f"ai/assistants/{aid}/canary-deploys")

    rolled = team_admin_client.post(reverse("assistants:assistant-rollback", args=[aid]), follow=True)
    assert "is main again" in rolled.content.decode()
    assert get_client().get(f"ai/assistants/{aid}").data["version_id"] == first_main
    actions = list(AuditEvent.objects.filter(resource_id=aid).order_by("pk").values_list("action", "outcome"))
    # The promotion gate's override (no suite had run on the version) is audited before the promotion.
    assert actions == [("create version", "success"), ("override", "success"), ("promote", "success"),
                       ("rollback", "success")]


def test_sandbox_rejection_lands_on_the_tool_row(team_admin_client, acme, form_data):
    change = reverse("assistants:assistant-change", args=[acme["id"]])
    data = {**form_data(team_admin_client.get(change)), "tools-0-description": "", "save": ""}
    # The webhook row's description is required by Telnyx (not by the form): the sandbox says so.
    response = team_admin_client.post(change, data)
    assert response.status_code == 200
    assert response.context["tools"].forms[0].errors["description"]
    assert get_client().get(f"ai/assistants/{acme['id']}").data["version_id"] == acme["version_id"]


def test_with_telnyx_failing_the_versions_tab_shows_the_cached_list(team_admin_client, acme, settings):
    versions = reverse("assistants:version-list", args=[acme["id"]])
    assert "empathy experiment" in team_admin_client.get(versions).content.decode()
    # A fresh cache is served as it is; once stale, the page's sync (inline here) fails.
    SyncState.objects.filter(resource=f"versions:{acme['id']}").update(synced_at=timezone.now() - timedelta(days=1))
    settings.SANDBOX_FAULTS = "status=503"
    content = team_admin_client.get(versions).content.decode()
    assert "showing the cached list" in content and "empathy experiment" in content

"""No lost update, no duplicate write: the change form, the version form and the canary editor
against the sandbox over real HTTP (live server)."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from assistants.models import CanaryConfig
from portal.models import AuditEvent
from portal.telnyx import get_client
from sandbox import faults
from tests.conftest import _client_for, _user_with_role

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def acme(sandbox) -> dict:
    call_command("sandbox_seed", "--demo", verbosity=0)
    return next(a for a in get_client().get("ai/assistants").data["data"] if a["name"] == "Acme Support")


@pytest.fixture
def second_admin(db) -> Client:
    return _client_for(_user_with_role("grace_admin", "Admin"))


def versions_of(aid: str) -> list[dict]:
    return get_client().get(f"ai/assistants/{aid}/versions").data["data"]


def save_and_make_live(client: Client, aid: str, data: dict) -> str:
    """Save the change form (a new version, not live), then make it live on its confirm page."""
    saved = client.post(reverse("assistants:assistant-change", args=[aid]), {**data, "save_as_version": ""})
    version_id = saved.url.rstrip("/").split("/")[-1]
    promote = reverse("assistants:version-promote", args=[aid, version_id])
    client.post(promote, {"idempotency_key": client.get(promote).context["idempotency_key"],
                          "override_reason": "no suite run on this version yet"})
    assert get_client().get(f"ai/assistants/{aid}").data["version_id"] == version_id
    return version_id


def test_a_stale_change_form_is_refused_and_keeps_what_was_typed(team_admin_client, second_admin, acme, form_data):
    aid = acme["id"]
    change = reverse("assistants:assistant-change", args=[aid])
    ada_form, grace_form = form_data(team_admin_client.get(change)), form_data(second_admin.get(change))

    main_after_grace = save_and_make_live(second_admin, aid, {**grace_form, "greeting": "Grace says hi."})
    count = len(versions_of(aid))

    # Ada edits the name on the form she opened before Grace's version went live; her form
    # still holds the old greeting, so saving it would quietly undo Grace's change.
    refused = team_admin_client.post(change, {**ada_form, "name": "Acme Support (Ada)", "save_as_version": ""})

    page = refused.content.decode()
    banner = page.split('data-testid="stale-banner"')[1].split("</div>")[0]
    assert "Someone else saved this assistant since you opened this form" in banner
    assert "greeting" in banner and "Grace says hi." in banner and "Nothing was saved" in banner
    assert 'value="Acme Support (Ada)"' in page  # what Ada typed is kept
    assert get_client().get(f"ai/assistants/{aid}").data["version_id"] == main_after_grace
    assert len(versions_of(aid)) == count
    assert not AuditEvent.objects.filter(username="ada_admin").exists()  # nothing was sent, nothing to audit

    # Having seen the change, Ada saves the re-rendered form on purpose: now it goes through.
    again = team_admin_client.post(change, {**form_data(refused), "save_as_version": ""})
    saved = get_client().get(f"ai/assistants/{aid}/versions/{again.url.rstrip('/').split('/')[-1]}").data
    assert saved["name"] == "Acme Support (Ada)" and saved["greeting"] == acme["greeting"]


def test_a_save_touching_only_other_settings_is_not_refused(team_admin_client, second_admin, acme, form_data):
    """Grace changed the greeting; Ada's form would overwrite it (it holds the old one), so it
    is refused. But a setting Grace changed to exactly what Ada's form says is no conflict."""
    aid = acme["id"]
    change = reverse("assistants:assistant-change", args=[aid])
    ada_form, grace_form = form_data(team_admin_client.get(change)), form_data(second_admin.get(change))
    save_and_make_live(second_admin, aid, {**grace_form, "greeting": "Same words."})

    saved = team_admin_client.post(change, {**ada_form, "greeting": "Same words.", "name": "Renamed", "save_as_version": ""})

    assert saved.status_code == 302
    version = get_client().get(f"ai/assistants/{aid}/versions/{saved.url.rstrip('/').split('/')[-1]}").data
    assert version["name"] == "Renamed" and version["greeting"] == "Same words."


def test_a_stale_version_form_is_refused(team_admin_client, second_admin, acme, form_data):
    aid = acme["id"]
    staged = next(v for v in versions_of(aid) if v["version_id"] != acme["version_id"])
    edit = reverse("assistants:version-change", args=[aid, staged["version_id"]])
    ada_form, grace_form = form_data(team_admin_client.get(edit)), form_data(second_admin.get(edit))
    second_admin.post(edit, {**grace_form, "instructions": "Grace rewrote this.", "save_version": ""})

    refused = team_admin_client.post(edit, {**ada_form, "description": "Ada's note", "save_version": ""})

    assert "Someone else saved this version" in refused.content.decode()
    assert "Ada&#x27;s note" in refused.content.decode()
    assert get_client().get(f"ai/assistants/{aid}/versions/{staged['version_id']}").data["instructions"] == "Grace rewrote this."


def canary_post(page_context: dict, **rows) -> dict:
    """The canary editor as rendered, one catch-all rule with one rollout slot."""
    return {"idempotency_key": page_context["idempotency_key"], "loaded_from": page_context["loaded_from"], **rows}


def test_a_stale_canary_editor_is_refused(team_admin_client, second_admin, acme):
    aid = acme["id"]
    page = reverse("assistants:canary-detail", args=[aid])
    ada, grace = team_admin_client.get(page).context, second_admin.get(page).context
    staged = next(v for v in versions_of(aid) if v["version_id"] != acme["version_id"])
    rule = {"r0-mode": "rollout", "r0-s0-version": staged["version_id"]}

    second_admin.post(reverse("assistants:canary-save", args=[aid]), canary_post(grace, **rule, **{"r0-s0-weight": "5"}))
    saved_by_grace = get_client().get(f"ai/assistants/{aid}/canary-deploys").data["rules"]
    assert saved_by_grace[0]["serve"]["rollout"][0]["weight"] == 5
    refused = team_admin_client.post(reverse("assistants:canary-save", args=[aid]),
                                     canary_post(ada, **rule, **{"r0-s0-weight": "50"}))

    content = refused.content.decode()
    assert "Someone else saved the canary deploy since you opened this form" in content
    assert 'value="50"' in content  # Ada's weight is kept in the editor
    assert get_client().get(f"ai/assistants/{aid}/canary-deploys").data["rules"] == saved_by_grace
    assert CanaryConfig.objects.filter(assistant_id=aid, username="ada_admin").count() == 0


def drop_the_first(monkeypatch, method: str, path_end: str) -> list[str]:
    """Make the sandbox do the first matching request's work, then cut the connection."""
    dropped: list[str] = []
    real = faults.fault_for

    def fault_for(request):
        if not dropped and request.method == method and request.path.endswith(path_end):
            dropped.append(request.path)
            return faults.parse_fault("drop_after")
        return real(request)

    monkeypatch.setattr(faults, "fault_for", fault_for)
    return dropped


def test_save_as_new_version_resubmitted_after_a_dropped_answer_makes_one_version(team_admin_client, acme, form_data, monkeypatch):
    aid = acme["id"]
    change = reverse("assistants:assistant-change", args=[aid])
    data = {**form_data(team_admin_client.get(change)), "instructions": acme["instructions"] + "\nBe brief.",
            "version_name": "brief", "save_as_version": ""}
    before = len(versions_of(aid))
    dropped = drop_the_first(monkeypatch, "POST", f"/assistants/{aid}")

    first = team_admin_client.post(change, data)
    assert dropped
    assert "Could not reach Telnyx: the connection failed" in first.content.decode()
    assert len(versions_of(aid)) == before + 1  # Telnyx did save it; the portal could not know
    resubmitted = form_data(first)
    assert resubmitted["idempotency_key"] == data["idempotency_key"]  # the re-rendered form keeps its key

    second = team_admin_client.post(change, {**resubmitted, "save_as_version": ""}, follow=True)

    assert "Saved new version “brief”" in second.content.decode()
    assert [v["version_name"] for v in versions_of(aid)].count("brief") == 1
    assert len(versions_of(aid)) == before + 1

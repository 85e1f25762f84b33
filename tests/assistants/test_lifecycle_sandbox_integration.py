"""Clone, delete → recently deleted → restore, and import, over real HTTP against the sandbox."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.urls import reverse

from assistants.models import Assistant
from portal.telnyx import get_client

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def acme(sandbox) -> dict:
    call_command("sandbox_seed", "--demo", verbosity=0)
    return next(a for a in get_client().get("ai/assistants").data["data"] if a["name"] == "Acme Support")


def test_clone_then_delete_then_restore(team_admin_client, acme):
    form = team_admin_client.get(reverse("assistants:assistant-clone", args=[acme["id"]]))
    cloned = team_admin_client.post(reverse("assistants:assistant-clone", args=[acme["id"]]),
                                    {"idempotency_key": form.context["form"].initial["idempotency_key"]}, follow=True)
    clone = Assistant.objects.get(name="Acme Support (copy)")
    assert cloned.request["PATH_INFO"] == reverse("assistants:assistant-detail", args=[clone.telnyx_id])

    confirm = team_admin_client.get(reverse("assistants:assistant-delete", args=[acme["id"]])).content.decode()
    assert "4 versions" in confirm and "its canary deploy" in confirm
    team_admin_client.post(reverse("assistants:assistant-delete", args=[acme["id"]]))
    deleted = team_admin_client.get(reverse("assistants:deleted-list")).content.decode()
    assert "Acme Support" in deleted

    restored = team_admin_client.post(reverse("assistants:assistant-restore", args=[acme["id"]]), {"name": "Acme Support"}, follow=True)
    assert "Restored “Acme Support”." in restored.content.decode()
    assert get_client().get(f"ai/assistants/{acme['id']}").data["name"] == "Acme Support"


def test_import_from_a_provider(team_admin_client, acme):
    response = team_admin_client.post(reverse("assistants:assistant-import"),
                                      {"provider": "retell", "api_key_ref": "retell-key", "import_ids": "retell-intake"},
                                      follow=True)
    assert "Imported 1 assistant(s) from retell" in response.content.decode()
    assert Assistant.objects.filter(name__icontains="intake").exists()


def test_texml_page_shows_the_document_that_connects_calls(viewer_client, sandbox):
    call_command("sandbox_seed", "--demo", verbosity=0)
    assistant = get_client().get("ai/assistants").data["data"][0]
    page = viewer_client.get(reverse("assistants:assistant-texml", args=[assistant["id"]]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "&lt;Response&gt;" in text and "AIAssistant" in text and assistant["id"] in text

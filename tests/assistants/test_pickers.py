"""Where Telnyx can list the choices, the change form offers them by name: the insight group
is picked from the cached groups (an id typed by hand still works)."""

from __future__ import annotations

import re

import pytest
import responses
from django.urls import reverse
from django.utils import timezone

from assistants.services import assistants as assistant_services
from conversations.models import InsightGroup

pytestmark = pytest.mark.django_db

AID = "assistant-00000001-0000-4000-8000-000000000000"


@responses.activate
def test_the_insight_group_is_picked_by_name_from_the_cached_groups(team_admin_client, telnyx_base, rich_assistant,
                                                                    model_catalogue):
    assistant_services.assistant_cache_put(rich_assistant)
    responses.get(f"{telnyx_base}/ai/assistants/{AID}", json=rich_assistant)
    for gid, name in (("grp-retention", "Retention"), ("grp-quality", "Call quality")):
        InsightGroup.objects.create(telnyx_id=gid, name=name, payload={"id": gid}, synced_at=timezone.now())
    content = team_admin_client.get(reverse("assistants:assistant-change", args=[AID])).content.decode()
    box = re.search(r'<input[^>]*name="insight_group_id"[^>]*>', content).group(0)
    assert 'list="id_insight_group_id-choices"' in box
    datalist = content.split('<datalist id="id_insight_group_id-choices">')[1].split("</datalist>")[0]
    assert '<option value="grp-quality">Call quality</option>' in datalist and "Retention" in datalist
    assert "pick one of the 2 Telnyx has" in content

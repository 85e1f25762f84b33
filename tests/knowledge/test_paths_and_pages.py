"""Knowledge pages that used to answer 500, and names that reach Telnyx as one quoted segment."""

from __future__ import annotations

import pytest
import responses
from django.urls import reverse
from django.utils import timezone

from knowledge.models import Bucket, ClusterTask
from portal.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_cluster_search_matches_task_id_and_bucket(viewer_client):
    for n, bucket in enumerate(["faq", "xylophones"]):
        ClusterTask.objects.create(telnyx_id=f"c{n}", bucket=bucket, status="completed", synced_at=timezone.now())
    page = viewer_client.get(reverse("knowledge:cluster-list"), {"q": "x"})
    assert page.status_code == 200
    assert b"xylophones" in page.content and b">faq<" not in page.content


@responses.activate
def test_uncached_partial_success_task_page_explains_without_a_bucket(viewer_client, telnyx_base):
    # Telnyx's task object has no bucket; the portal never saw this task before.
    responses.get(f"{telnyx_base}/ai/embeddings/t9", json={"data": {
        "task_id": "t9", "task_name": "embed_bucket", "status": "partial_success",
        "created_at": "2026-11-01T10:00:00Z", "finished_at": "2026-11-01T10:01:00Z"}})
    page = viewer_client.get(reverse("knowledge:task-detail", args=["t9"]))
    assert page.status_code == 200
    assert b"Some files could not be embedded" in page.content and b"Telnyx did not say which bucket" in page.content


@responses.activate
def test_a_bucket_name_with_reserved_characters_is_one_segment(team_admin_client, telnyx_base):
    """`kb?x` (as `%3F` in the portal URL) must disable that bucket, not call `.../kb` with a query."""
    Bucket.objects.create(telnyx_id="kb?x", payload={"id": "kb?x", "files": []}, synced_at=timezone.now())
    responses.delete(f"{telnyx_base}/ai/embeddings/buckets/kb%3Fx", json={"data": {}})
    response = team_admin_client.post("/knowledge/buckets/kb%3Fx/disable/")
    assert response.status_code == 302
    assert [c.request.url for c in responses.calls] == [f"{telnyx_base}/ai/embeddings/buckets/kb%3Fx"]
    assert Bucket.objects.get().ai_disabled_at is not None and AuditEvent.objects.get().resource_id == "kb?x"


@responses.activate
def test_resource_layer_quotes_slashes_in_names_and_ids(telnyx_base):
    from portal.telnyx.resources import clusters, embeddings, fine_tuning, integrations

    responses.get(f"{telnyx_base}/ai/embeddings/buckets/team%2Fkb", json={"data": []})
    responses.get(f"{telnyx_base}/ai/fine_tuning/jobs/org%2Fjob%23", json={"id": "org/job#"})
    responses.get(f"{telnyx_base}/ai/clusters/a%2F..%2Fb/graph", body=b"png", content_type="image/png")
    responses.get(f"{telnyx_base}/ai/integrations/connections/c%3F1", json={"data": {"id": "c?1"}})
    assert embeddings.retrieve_bucket("team/kb") == []
    assert fine_tuning.retrieve("org/job#")["id"] == "org/job#"
    assert clusters.fetch_graph("a/../b") == b"png"
    assert integrations.retrieve_connection("c?1") == {"id": "c?1"}
    assert len(responses.calls) == 4


@pytest.mark.parametrize("name", [".", ".."])
def test_dot_names_never_reach_telnyx(telnyx_base, name):
    from portal.telnyx.errors import InvalidIdError
    from portal.telnyx.resources import embeddings

    with responses.RequestsMock() as mock, pytest.raises(InvalidIdError):
        embeddings.delete_bucket(name)
    assert len(mock.calls) == 0


@responses.activate
@pytest.mark.parametrize("action", ["embed", "embed-url", "summarize", "disable"])
def test_a_write_on_a_bucket_the_portal_never_listed_is_a_404_without_a_telnyx_call(action, team_admin_client, telnyx_base):
    """`acme%3F` is no bucket anyone chose: nothing may be embedded into or deleted from it."""
    Bucket.objects.create(telnyx_id="acme", payload={"id": "acme", "files": []}, synced_at=timezone.now())
    response = team_admin_client.post(f"/knowledge/buckets/acme%3F/{action}/", {"url": "https://example.com/"})
    assert response.status_code == 404 and not responses.calls
    assert not AuditEvent.objects.exists()

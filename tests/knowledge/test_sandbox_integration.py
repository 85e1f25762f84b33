"""Knowledge pages over real HTTP against the sandbox's demo buckets."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.urls import reverse

from knowledge.models import Bucket, ClusterTask, EmbeddingTask
from portal.models import AuditEvent

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def demo(sandbox, settings):
    settings.SANDBOX_ASYNC_SECONDS = 0
    call_command("sandbox_seed", "--demo", verbosity=0)


def load_buckets(client):
    client.post(reverse("knowledge:bucket-refresh"), headers={"HX-Request": "true"})
    return list(Bucket.objects.values_list("telnyx_id", flat=True))


def test_buckets_load_with_their_files(viewer_client, demo):
    names = load_buckets(viewer_client)
    assert "acme-policies" in names
    page = viewer_client.get(reverse("knowledge:bucket-detail", args=["acme-policies"])).content.decode()
    assert "refund-policy.md" in page and "success" in page


def test_similarity_search_ranks_the_relevant_document_first(viewer_client, demo):
    load_buckets(viewer_client)
    page = viewer_client.get(reverse("knowledge:search"), {"bucket": "acme-policies", "q": "refund within 30 days", "num_of_docs": 3}).content.decode()
    first = page.index('data-testid="result"')
    assert "refund-policy.md" in page[first:first + 400]


def test_operator_embeds_a_bucket_and_the_task_page_polls_until_final(operator_client, demo):
    load_buckets(operator_client)
    form = operator_client.get(reverse("knowledge:bucket-detail", args=["acme-policies"]))
    key = form.context["embed_form"].initial["idempotency_key"]
    response = operator_client.post(reverse("knowledge:bucket-embed", args=["acme-policies"]),
                                    {"document_chunk_size": 512, "document_chunk_overlap_size": 64,
                                     "embedding_model": "thenlper/gte-large", "loader": "default", "idempotency_key": key})
    assert response.status_code == 302
    task = EmbeddingTask.objects.get(bucket="acme-policies")
    poll = operator_client.get(reverse("knowledge:task-detail", args=[task.telnyx_id]), headers={"HX-Request": "true"})
    assert poll.status_code == 286  # final: HTMX stops polling
    assert b"success" in poll.content
    assert AuditEvent.objects.filter(action="embed", resource_id="acme-policies", outcome="success").exists()


def test_overlap_larger_than_chunk_is_a_field_error(operator_client, demo):
    load_buckets(operator_client)
    response = operator_client.post(reverse("knowledge:bucket-embed", args=["acme-policies"]),
                                    {"document_chunk_size": 100, "document_chunk_overlap_size": 200,
                                     "embedding_model": "thenlper/gte-large", "loader": "default"})
    assert response.status_code == 200
    assert response.context["form"].errors["document_chunk_overlap_size"]
    assert not EmbeddingTask.objects.exists()


def test_clusters_compute_complete_and_draw_a_real_png(operator_client, demo):
    load_buckets(operator_client)
    response = operator_client.post(reverse("knowledge:cluster-compute"), {"bucket": "acme-policies", "min_cluster_size": 2, "min_subcluster_size": 2})
    assert response.status_code == 302
    task = ClusterTask.objects.latest("created_at")
    page = operator_client.get(response.url).content.decode()
    assert "completed" in page and "cluster-graph" in page
    graph = operator_client.get(reverse("knowledge:cluster-graph", args=[task.telnyx_id]))
    assert graph["Content-Type"] == "image/png" and graph.content.startswith(b"\x89PNG\r\n\x1a\n")


def test_summarize_a_file(viewer_client, demo):
    load_buckets(viewer_client)
    response = viewer_client.post(reverse("knowledge:bucket-summarize", args=["acme-policies"]),
                                  {"filename": "refund-policy.md"}, headers={"HX-Request": "true"})
    assert b'data-testid="summary"' in response.content and b"efund" in response.content


def test_admin_disables_ai_for_a_bucket(team_admin_client, demo):
    load_buckets(team_admin_client)
    response = team_admin_client.post(reverse("knowledge:bucket-disable", args=["acme-policies"]), follow=True)
    assert b"AI is disabled" in response.content
    # The files stay: the bucket stays listed (also after a sync: Telnyx no longer lists it) and reachable.
    assert "acme-policies" in load_buckets(team_admin_client)
    listing = team_admin_client.get(reverse("knowledge:bucket-list")).content.decode()
    assert 'data-testid="ai-disabled-pill"' in listing
    page = team_admin_client.get(reverse("knowledge:bucket-detail", args=["acme-policies"]))
    assert page.status_code == 200 and b'data-testid="ai-disabled"' in page.content and b"Embed the bucket again" in page.content
    # Embedding it again turns AI back on: the next sync clears the mark.
    team_admin_client.post(reverse("knowledge:bucket-embed", args=["acme-policies"]), {})
    load_buckets(team_admin_client)
    assert Bucket.objects.get(telnyx_id="acme-policies").ai_disabled_at is None


def test_viewer_cannot_embed_or_cluster(viewer_client, demo):
    assert viewer_client.post(reverse("knowledge:bucket-embed", args=["acme-policies"]), {}).status_code == 403
    assert viewer_client.get(reverse("knowledge:cluster-compute")).status_code == 403

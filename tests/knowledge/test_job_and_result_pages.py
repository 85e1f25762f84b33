"""What a user reads on the long-job and result pages (Telnyx mocked)."""

from __future__ import annotations

from datetime import timedelta

import pytest
import responses
from django.urls import reverse
from django.utils import timezone

from knowledge.models import Bucket, ClusterTask, EmbeddingTask

pytestmark = pytest.mark.django_db


@pytest.fixture
def faq():
    return Bucket.objects.create(telnyx_id="faq", payload={"id": "faq", "files": []}, synced_at=timezone.now())


@responses.activate
def test_search_shows_similarity_closest_first_and_links_each_hit_to_its_file(viewer_client, telnyx_base, faq):
    responses.post(f"{telnyx_base}/ai/embeddings/similarity-search", json={"data": [
        {"document_chunk": "far", "distance": 0.6, "metadata": {"filename": "b.md"}},
        {"document_chunk": "near", "distance": 0.1, "metadata": {"filename": "Refund Policy.md"}}]})
    page = viewer_client.get(reverse("knowledge:search"), {"bucket": "faq", "q": "refund"}).content.decode()
    assert page.index("near") < page.index("far")
    assert "similarity 90%" in page and "similarity 40%" in page and "higher is closer" in page
    assert 'href="/knowledge/buckets/faq/#file-refund-policymd"' in page


@responses.activate
def test_embedding_task_shows_stage_elapsed_time_and_the_buckets_file_counts(viewer_client, telnyx_base, faq):
    started = timezone.now() - timedelta(seconds=75)
    EmbeddingTask.objects.create(telnyx_id="t1", bucket="faq", status="queued", created_at=started,
                                 payload={"task_id": "t1", "bucket": "faq"}, synced_at=timezone.now())
    responses.get(f"{telnyx_base}/ai/embeddings/t1", json={"data": {"task_id": "t1", "status": "processing",
                                                                    "created_at": started.isoformat()}})
    responses.get(f"{telnyx_base}/ai/embeddings/buckets/faq", json={"data": [
        {"filename": "a.md", "status": "success"}, {"filename": "b.md", "status": "processing"},
        {"filename": "c.md", "status": "failed", "error_reason": "empty"}]})
    page = viewer_client.get(reverse("knowledge:task-detail", args=["t1"])).content.decode()
    assert 'class="stage stage-done">Queued' in page and 'aria-current="step">Embedding files' in page
    assert "Running for 1 min 1" in page
    assert "<strong>1</strong> embedded, <strong>1</strong> in progress, <strong>1</strong> failed" in page


@responses.activate
def test_cluster_page_numbers_clusters_links_documents_and_draws_one_cluster(viewer_client, telnyx_base):
    ClusterTask.objects.create(telnyx_id="c1", bucket="faq", status="running", synced_at=timezone.now())
    responses.get(f"{telnyx_base}/ai/clusters/c1", json={"data": {"bucket": "faq", "status": "completed", "clusters": [
        {"cluster_id": "k1", "cluster_header": "Refunds", "cluster_summary": "Money back", "total_number_of_nodes": 3,
         "nodes": [{"filename": "refunds.md", "text": "..."}],
         "subclusters": [{"cluster_id": "k1a", "cluster_summary": "Late", "total_number_of_nodes": 1,
                          "nodes": [{"filename": "late.md", "text": "..."}]}]},
        {"cluster_id": "k2", "cluster_header": "Shipping", "cluster_summary": "Parcels", "total_number_of_nodes": 2,
         "nodes": [{"filename": "ship.md", "text": "..."}]}]}})
    page = viewer_client.get(reverse("knowledge:cluster-detail", args=["c1"]), {"cluster": "k2"}).content.decode()
    assert "<strong>2</strong> clusters of <strong>5</strong> chunks from <strong>3</strong> documents" in page
    assert "1. Refunds" in page and "2. Shipping" in page and "How to read the graph" in page
    assert 'href="/knowledge/buckets/faq/#file-latemd"' in page  # a sub-cluster's file counts for its cluster
    assert "/knowledge/clusters/c1/graph.png?cluster_id=k2" in page and "Graph of cluster “Shipping”" in page
    assert ClusterTask.objects.get().finished_at is not None  # "Took …" from when it was first seen final

"""Embeddings, buckets, similarity search, URLs, clusters and summaries through the official
SDK (strict validation), starting from the demo buckets."""

import struct

import pytest
import telnyx

from sandbox.behaviour.demo_knowledge import seed_demo_knowledge
from sandbox.behaviour.embeddings import put_documents

pytestmark = pytest.mark.contract


@pytest.fixture
def demo(transactional_db):
    seed_demo_knowledge()


def test_embeddings_buckets_and_search(sdk, demo):
    embeddings = sdk.ai.embeddings
    assert set(embeddings.buckets.list().data.buckets) == {"acme-support-kb", "acme-policies", "riverside-clinic-faq"}

    put_documents("contract-kb", {"refunds.md": "Refunds reach your card within 14 days of the return.",
                                  "router.md": "Restart the router when the internet connection drops.",
                                  "scan.pdf": ("", "No text layer.")})
    task = embeddings.create(bucket_name="contract-kb", document_chunk_size=256, document_chunk_overlap_size=64,
                             embedding_model="intfloat/multilingual-e5-large").data
    assert task.status == "partial_success" and task.task_id
    assert embeddings.retrieve(task.task_id).data.status == "partial_success"
    listed = embeddings.list(status=["success", "partial_success"]).data
    assert task.task_id in [t.task_id for t in listed]
    assert {t.bucket for t in listed} >= {"contract-kb", "acme-policies"}
    assert embeddings.list().data == []  # nothing queued or processing

    files = {f.filename: f for f in embeddings.buckets.retrieve("contract-kb").data}
    assert files["scan.pdf"].status == "failed" and files["refunds.md"].last_embedded_at

    hits = embeddings.similarity_search(bucket_name="contract-kb", query="when is my refund paid?", num_of_docs=2).data
    assert hits[0].metadata.filename == "refunds.md" and hits[0].distance < hits[1].distance
    assert hits[0].metadata.embedding == "intfloat/multilingual-e5-large"

    demo_hit = embeddings.similarity_search(bucket_name="acme-support-kb", query="I was charged twice").data[0]
    assert demo_hit.metadata.filename == "billing-faq.md"

    url_task = embeddings.url(bucket_name="contract-kb", url="https://example.com/help/opening-hours").data
    assert url_task.task_name == "embed_url" and url_task.status == "success"
    top = embeddings.similarity_search(bucket_name="contract-kb", query="opening hours", num_of_docs=1).data[0]
    assert top.metadata.source == "https://example.com/help/opening-hours"

    assert embeddings.buckets.delete("contract-kb") is None
    assert "contract-kb" not in embeddings.buckets.list().data.buckets
    with pytest.raises(telnyx.NotFoundError):
        embeddings.buckets.retrieve("contract-kb")
    with pytest.raises(telnyx.NotFoundError):
        embeddings.retrieve(task.task_id)


def test_clusters_compute_retrieve_graph_delete(sdk, demo):
    clusters = sdk.ai.clusters
    existing = clusters.list().data
    assert len(existing) == 1 and existing[0].status == "completed"

    task_id = clusters.compute(bucket="acme-policies", min_cluster_size=2, min_subcluster_size=1).data.task_id
    detail = clusters.retrieve(task_id, show_subclusters=True, top_n_nodes=2).data
    assert detail.status == "completed" and detail.bucket == "acme-policies"
    assert detail.clusters and all(len(c.nodes) <= 2 for c in detail.clusters)
    assert sum(c.total_number_of_nodes for c in detail.clusters) >= 4
    assert {c.cluster_id for c in detail.clusters} == {str(i) for i in range(len(detail.clusters))}

    page = clusters.list(page_size=1)
    assert len(page.data) == 1 and page.has_next_page()

    graph = clusters.fetch_graph(task_id)
    png = graph.read()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and struct.unpack(">II", png[16:24]) == (800, 600)
    one = clusters.fetch_graph(task_id, cluster_id=0).read()
    assert one[:8] == png[:8]

    assert clusters.delete(task_id) is None
    with pytest.raises(telnyx.NotFoundError):
        clusters.retrieve(task_id)
    with pytest.raises(telnyx.NotFoundError):
        clusters.compute(bucket="not-embedded")


def test_summarize(sdk, demo):
    summary = sdk.ai.summarize(bucket="acme-policies", filename="privacy-policy.md",
                               system_prompt="In one sentence: call recordings").data.summary
    assert summary == "Support calls may be recorded for quality and training; recordings are kept for 90 days and then deleted."
    with pytest.raises(telnyx.NotFoundError):
        sdk.ai.summarize(bucket="acme-policies", filename="nope.md")

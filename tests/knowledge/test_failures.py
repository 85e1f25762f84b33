"""Knowledge pages when Telnyx fails (mocked): clear messages, nothing lost."""

from __future__ import annotations

import pytest
import responses
from django.urls import reverse
from django.utils import timezone

from knowledge.models import Bucket, EmbeddingTask
from portal.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def bucket():
    return Bucket.objects.create(
        telnyx_id="faq",
        file_count=1,
        payload={"id": "faq", "files": [{"filename": "a.md", "status": "success"}]},
        synced_at=timezone.now(),
    )


@responses.activate
def test_bucket_page_shows_cached_files_when_telnyx_is_down(viewer_client, telnyx_base, bucket):
    responses.get(f"{telnyx_base}/ai/embeddings/buckets/faq", status=502)
    page = viewer_client.get(reverse("knowledge:bucket-detail", args=["faq"]))
    assert page.status_code == 200 and b"Showing the cached copy" in page.content and b"a.md" in page.content


@responses.activate
def test_embed_rejected_by_telnyx_keeps_the_form_and_audits(operator_client, telnyx_base, bucket):
    responses.post(
        f"{telnyx_base}/ai/embeddings",
        status=422,
        json={
            "errors": [
                {
                    "title": "Invalid",
                    "detail": "Chunk size too large for this model",
                    "source": {"pointer": "/document_chunk_size"},
                }
            ]
        },
    )
    response = operator_client.post(
        reverse("knowledge:bucket-embed", args=["faq"]),
        {
            "document_chunk_size": 4096,
            "document_chunk_overlap_size": 10,
            "embedding_model": "thenlper/gte-large",
            "loader": "default",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["document_chunk_size"] == ["Chunk size too large for this model"]
    assert b'value="4096"' in response.content
    assert AuditEvent.objects.get().outcome == "failure" and not EmbeddingTask.objects.exists()


@responses.activate
def test_search_with_telnyx_rate_limiting_says_so(viewer_client, telnyx_base, bucket):
    responses.post(f"{telnyx_base}/ai/embeddings/similarity-search", status=429)
    page = viewer_client.get(reverse("knowledge:search"), {"bucket": "faq", "q": "hello"})
    assert page.status_code == 200 and b"rate limiting" in page.content


@responses.activate
def test_task_poll_keeps_last_known_state_when_telnyx_blips(viewer_client, telnyx_base):
    EmbeddingTask.objects.create(telnyx_id="t1", bucket="faq", status="processing", synced_at=timezone.now(), payload={"task_id": "t1"})
    responses.get(f"{telnyx_base}/ai/embeddings/t1", status=503)
    poll = viewer_client.get(reverse("knowledge:task-detail", args=["t1"]), headers={"HX-Request": "true"})
    assert poll.status_code == 200  # keeps polling
    assert b"Could not check the status just now" in poll.content and b"processing" in poll.content

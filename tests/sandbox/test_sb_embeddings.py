"""Embedding tasks and buckets: state machine, file statuses, similarity search, URLs, summaries."""

import pytest
from django.utils import timezone

from sandbox.behaviour.embeddings import put_documents
from sandbox.models import SbEmbeddingTask

FILES = {
    "refunds.md": "Refund policy. Hardware can be returned within 30 days for a full refund. Refunds reach "
                  "the original card within 14 days of receiving the returned item.",
    "router.md": "Router setup. Plug the router into the wall socket and wait for the green light. Restart "
                 "the router if the internet connection drops.",
    "hours.md": "Opening hours. Our support desk is open from 8am to 8pm on weekdays and 10am to 4pm on "
                "Saturdays.",
    "scan.pdf": ("", "Could not extract text: scanned images only."),
}


@pytest.fixture
def bucket(db):
    return put_documents("kb", FILES)


def embed(api, name="kb", **options):
    response = api.post("/ai/embeddings", {"bucket_name": name, **options})
    assert response.status_code == 200, response.content
    return response.json()["data"]


def test_embedding_reaches_partial_success_when_a_file_fails(api, bucket):
    task = embed(api)
    assert task["status"] == "partial_success" and task["finished_at"]
    got = api.get(f"/ai/embeddings/{task['task_id']}").json()["data"]
    assert got["status"] == "partial_success" and got["task_name"] == "embed_bucket"
    files = {f["filename"]: f for f in api.get("/ai/embeddings/buckets/kb").json()["data"]}
    assert files["scan.pdf"]["status"] == "failed" and "scanned" in files["scan.pdf"]["error_reason"]
    assert files["refunds.md"]["status"] == "success" and files["refunds.md"]["last_embedded_at"]


def test_embedding_is_queued_then_processing_then_final(api, bucket, settings):
    settings.SANDBOX_ASYNC_SECONDS = 100
    put_documents("good", {"a.md": "Alpha text about routers."})
    task = embed(api, "good")
    assert task["status"] == "queued" and task["finished_at"] is None
    row = SbEmbeddingTask.objects.get(pk=task["task_id"])
    row.created_at = timezone.now() - timezone.timedelta(seconds=50)
    row.save()
    assert api.get(f"/ai/embeddings/{row.id}").json()["data"]["status"] == "processing"
    assert api.get("/ai/embeddings/buckets/good").json()["data"][0]["status"] == "processing"
    row.created_at = timezone.now() - timezone.timedelta(seconds=101)
    row.save()
    assert api.get(f"/ai/embeddings/{row.id}").json()["data"]["status"] == "success"


def test_every_file_failing_is_failure(api, db):
    put_documents("bad", {"scan.pdf": ("", "No text layer.")})
    assert embed(api, "bad")["status"] == "failure"


def test_list_filters_by_status_comma_separated_or_repeated(api, bucket, settings):
    finished = embed(api)
    settings.SANDBOX_ASYNC_SECONDS = 100
    running = embed(api)
    default = api.get("/ai/embeddings").json()["data"]
    assert [t["task_id"] for t in default] == [running["task_id"]]  # queued + processing by default
    both = api.get("/ai/embeddings", status="queued,partial_success").json()["data"]
    assert {t["task_id"] for t in both} == {running["task_id"], finished["task_id"]}
    repeated = api.client.get("/sandbox/v2/ai/embeddings?status=partial_success&status=failed",
                              headers=api.headers).json()["data"]
    assert [t["task_id"] for t in repeated] == [finished["task_id"]]
    assert repeated[0]["bucket"] == "kb" and repeated[0]["user_id"]


def test_list_rejects_unknown_status(api):
    response = api.get("/ai/embeddings", status="done")
    assert response.status_code == 422
    assert response.json()["errors"][0]["source"]["parameter"] == "status"


def test_create_validation_and_unknown_bucket(api, bucket):
    response = api.post("/ai/embeddings", {"bucket_name": "kb", "embedding_model": "ada", "loader": "pdf"})
    assert response.status_code == 422
    assert {e["source"]["pointer"] for e in response.json()["errors"]} == {"/embedding_model", "/loader"}
    response = api.post("/ai/embeddings", {"bucket_name": "kb", "document_chunk_size": 100,
                                           "document_chunk_overlap_size": 100})
    assert response.json()["errors"][0]["source"]["pointer"] == "/document_chunk_overlap_size"
    assert api.post("/ai/embeddings", {"bucket_name": "missing"}).status_code == 404
    assert api.get("/ai/embeddings/nope").status_code == 404


def test_buckets_list_and_disable(api, bucket):
    assert api.get("/ai/embeddings/buckets").json()["data"] == {"buckets": []}
    assert api.get("/ai/embeddings/buckets/kb").status_code == 404  # not embedded yet
    embed(api)
    assert api.get("/ai/embeddings/buckets").json()["data"] == {"buckets": ["kb"]}
    assert api.delete("/ai/embeddings/buckets/kb").status_code == 204
    assert api.get("/ai/embeddings/buckets").json()["data"] == {"buckets": []}
    assert api.get("/ai/embeddings/buckets/kb").status_code == 404
    assert api.post("/ai/embeddings/similarity-search", {"bucket_name": "kb", "query": "refund"}).status_code == 404
    assert api.delete("/ai/embeddings/buckets/kb").status_code == 404


def test_similarity_search_ranks_the_relevant_document_first(api, bucket):
    embed(api)
    response = api.post("/ai/embeddings/similarity-search",
                        {"bucket_name": "kb", "query": "How long does a refund take?", "num_of_docs": 2})
    hits = response.json()["data"]
    assert len(hits) == 2
    assert hits[0]["metadata"]["filename"] == "refunds.md"
    assert hits[0]["distance"] < hits[1]["distance"] <= 1
    assert "refund" in hits[0]["document_chunk"].lower()
    assert hits[0]["metadata"]["embedding"] == "thenlper/gte-large"
    assert 0.5 <= hits[0]["metadata"]["certainty"] <= 1
    # The failed file is never searched.
    everything = api.post("/ai/embeddings/similarity-search",
                          {"bucket_name": "kb", "query": "text", "num_of_docs": 10}).json()["data"]
    assert {h["metadata"]["filename"] for h in everything} == {"refunds.md", "router.md", "hours.md"}


def test_similarity_search_uses_the_task_chunk_size(api, db):
    long_text = " ".join(f"Paragraph {n} talks about topic{n} in some detail here." for n in range(40))
    put_documents("long", {"long.md": long_text})
    embed(api, "long", document_chunk_size=200, document_chunk_overlap_size=50)
    hits = api.post("/ai/embeddings/similarity-search",
                    {"bucket_name": "long", "query": "topic37", "num_of_docs": 3}).json()["data"]
    assert all(len(h["document_chunk"]) <= 200 for h in hits)
    assert "topic37" in hits[0]["document_chunk"]


def test_similarity_search_validation(api, bucket, settings):
    response = api.post("/ai/embeddings/similarity-search", {"bucket_name": "kb", "num_of_docs": 0})
    assert response.status_code == 422
    assert response.json()["errors"][0]["source"]["pointer"] == "/query"
    settings.SANDBOX_ASYNC_SECONDS = 100
    embed(api)
    # Still processing: nothing searchable yet.
    response = api.post("/ai/embeddings/similarity-search", {"bucket_name": "kb", "query": "refund"})
    assert response.status_code == 400


def test_embed_url_creates_a_searchable_synthetic_page(api, db):
    response = api.post("/ai/embeddings/url", {"bucket_name": "web", "url": "https://example.com/help/return-policy"})
    task = response.json()["data"]
    assert task["status"] == "success" and task["task_name"] == "embed_url"
    files = api.get("/ai/embeddings/buckets/web").json()["data"]
    assert [f["filename"] for f in files] == ["example.com_help_return-policy.html"]
    hit = api.post("/ai/embeddings/similarity-search", {"bucket_name": "web", "query": "return policy"}).json()["data"][0]
    assert hit["metadata"]["source"] == "https://example.com/help/return-policy"
    assert "return policy" in hit["document_chunk"].lower()
    bad = api.post("/ai/embeddings/url", {"bucket_name": "web", "url": "ftp://x"})
    assert bad.status_code == 422 and bad.json()["errors"][0]["source"]["pointer"] == "/url"


def test_summarize_extracts_from_the_document(api, db):
    text = ("Our privacy policy explains what we collect. We collect your name and address to deliver the "
            "service. Call recordings are kept for 90 days and then deleted. The office cat is called Tom. "
            "You can ask us to delete your personal data at any time.")
    put_documents("policies", {"privacy.md": text})
    summary = api.post("/ai/summarize", {"bucket": "policies", "filename": "privacy.md"}).json()["data"]["summary"]
    sentences = [s for s in summary.split(". ") if s]
    assert len(sentences) == 3 and all(s.rstrip(".") in text for s in sentences)
    steered = api.post("/ai/summarize", {"bucket": "policies", "filename": "privacy.md",
                                         "system_prompt": "In one sentence, what about recordings?"}).json()
    assert steered["data"]["summary"] == "Call recordings are kept for 90 days and then deleted."


def test_summarize_unknown_file_or_bucket_is_404(api, bucket):
    assert api.post("/ai/summarize", {"bucket": "kb", "filename": "nope.md"}).status_code == 404
    assert api.post("/ai/summarize", {"bucket": "nope", "filename": "refunds.md"}).status_code == 404
    response = api.post("/ai/summarize", {"bucket": "kb"})
    assert response.status_code == 422 and response.json()["errors"][0]["source"]["pointer"] == "/filename"

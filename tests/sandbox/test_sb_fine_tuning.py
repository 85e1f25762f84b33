"""Fine-tuning jobs: validation, lazy states, failure without data, cancel."""

import pytest
from django.utils import timezone

from sandbox.behaviour.embeddings import put_documents
from sandbox.models import SbFineTuningJob

MODEL = "meta-llama/Meta-Llama-3.1-8B-Instruct"


@pytest.fixture
def training_bucket(db):
    return put_documents("training", {"chats.jsonl": "user asks about refunds assistant explains the policy " * 30})


def create(api, **fields):
    response = api.post("/ai/fine_tuning/jobs", {"model": MODEL, "training_file": "training", **fields})
    assert response.status_code == 200, response.content
    return response.json()


def test_job_succeeds_with_tokens_and_unix_timestamps(api, training_bucket):
    job = create(api, hyperparameters={"n_epochs": 2}, suffix="support")
    assert job["status"] == "succeeded" and job["hyperparameters"] == {"n_epochs": 2}
    assert isinstance(job["created_at"], int) and job["finished_at"] >= job["created_at"]
    assert job["trained_tokens"] == 2 * (8 * 30 * 4 // 3)
    assert api.get(f"/ai/fine_tuning/jobs/{job['id']}").json() == job
    assert [j["id"] for j in api.get("/ai/fine_tuning/jobs").json()["data"]] == [job["id"]]


def test_job_without_training_data_fails(api, db):
    job = create(api, training_file="empty-bucket")
    assert job["status"] == "failed" and job["trained_tokens"] is None and job["finished_at"]


def test_job_moves_through_queued_and_running(api, training_bucket, settings):
    settings.SANDBOX_ASYNC_SECONDS = 100
    job = create(api)
    assert job["status"] == "queued" and job["finished_at"] is None and job["hyperparameters"]["n_epochs"] == 3
    row = SbFineTuningJob.objects.get(pk=job["id"])
    row.created_at = timezone.now() - timezone.timedelta(seconds=50)
    row.save()
    assert api.get(f"/ai/fine_tuning/jobs/{job['id']}").json()["status"] == "running"


def test_cancel_while_running_and_not_after(api, training_bucket, settings):
    settings.SANDBOX_ASYNC_SECONDS = 100
    job = create(api)
    cancelled = api.post(f"/ai/fine_tuning/jobs/{job['id']}/cancel").json()
    assert cancelled["status"] == "cancelled" and cancelled["finished_at"]
    again = api.post(f"/ai/fine_tuning/jobs/{job['id']}/cancel")
    assert again.status_code == 400
    settings.SANDBOX_ASYNC_SECONDS = 0
    done = create(api)
    assert api.post(f"/ai/fine_tuning/jobs/{done['id']}/cancel").status_code == 400
    assert api.post("/ai/fine_tuning/jobs/nope/cancel").status_code == 404


def test_validation(api, training_bucket):
    response = api.post("/ai/fine_tuning/jobs", {"hyperparameters": {"n_epochs": 0}})
    assert {e["source"]["pointer"] for e in response.json()["errors"]} == {"/model", "/training_file"}
    response = api.post("/ai/fine_tuning/jobs", {"model": "openai/gpt-4o", "training_file": "training"})
    assert response.status_code == 422 and response.json()["errors"][0]["source"]["pointer"] == "/model"
    response = api.post("/ai/fine_tuning/jobs", {"model": MODEL, "training_file": "training",
                                                 "hyperparameters": {"n_epochs": 0}})
    assert response.json()["errors"][0]["source"]["pointer"] == "/hyperparameters/n_epochs"
    assert api.get("/ai/fine_tuning/jobs/nope").status_code == 404

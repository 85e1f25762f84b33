"""The fine-tuning jobs changelist filters by status and base model, and sorts."""

from __future__ import annotations

import pytest
from django.utils import timezone

from core.cache import cache_put
from inference.models import FineTuningJob
from inference.services import job_fields
from portal.models import SyncState

pytestmark = pytest.mark.django_db


@pytest.fixture
def jobs():
    for n, (model, status) in enumerate([("llama-a", "running"), ("llama-b", "succeeded"), ("llama-a", "failed")]):
        cache_put(FineTuningJob, {"id": f"ftjob-{n}", "model": model, "status": status, "training_file": f"file-{n}",
                                  "created_at": 1_760_000_000 + n}, job_fields)
    SyncState.objects.create(resource="fine_tuning_jobs", synced_at=timezone.now())


def test_jobs_filter_by_status_and_model(viewer_client, jobs):
    page = viewer_client.get("/inference/fine-tuning/", {"status": "failed"}).content.decode()
    assert "ftjob-2" in page and "ftjob-0" not in page and "ftjob-1" not in page
    assert 'option value="succeeded"' in page  # the filter offers every cached status

    page = viewer_client.get("/inference/fine-tuning/", {"model": "llama-a"}).content.decode()
    assert "ftjob-0" in page and "ftjob-2" in page and "ftjob-1" not in page


def test_a_bad_filter_value_is_ignored_not_a_500(viewer_client, jobs):
    response = viewer_client.get("/inference/fine-tuning/", {"status": "<nope>", "sort": "-status"})
    assert response.status_code == 200
    assert "ftjob-0" in response.content.decode()

"""The fine-tuning job page (Telnyx mocked): what an Admin can do, and when."""

from __future__ import annotations

import pytest
import responses
from django.urls import reverse

pytestmark = pytest.mark.django_db


def job_json(status: str, **extra) -> dict:
    return {"id": "ftjob-1", "object": "fine_tuning.job", "created_at": 1790000000, "finished_at": None,
            "hyperparameters": {"n_epochs": 3}, "model": "meta-llama/Llama-3-8B", "organization_id": "org",
            "status": status, "trained_tokens": None, "training_file": "kb", **extra}


@responses.activate
def test_cancel_is_offered_while_running_and_gone_from_the_poll_once_final(team_admin_client, telnyx_base):
    url = f"{telnyx_base}/ai/fine_tuning/jobs/ftjob-1"
    responses.get(url, json=job_json("running"))
    running = team_admin_client.get(reverse("inference:job-detail", args=["ftjob-1"]))
    assert b'data-testid="cancel-job"' in running.content
    responses.replace(responses.GET, url, json=job_json("succeeded", finished_at=1790000600, trained_tokens=12345))
    poll = team_admin_client.get(reverse("inference:job-detail", args=["ftjob-1"]), headers={"HX-Request": "true"})
    assert poll.status_code == 286  # polling stops
    assert b"cancel-job" not in poll.content and b"12,345" in poll.content

"""A real worker writes its heartbeat as soon as it is ready (core.heartbeat)."""

from __future__ import annotations

import pytest

from portal.models import WorkerHeartbeat
from tests.background.conftest import wait_for

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("broker", ["embedded"], indirect=True)
def test_a_started_worker_is_heard_at_once(start_worker):
    start_worker()
    seen = wait_for(lambda: WorkerHeartbeat.objects.first(), timeout=20, what="the worker's heartbeat")
    assert seen.hostname.startswith("test-")

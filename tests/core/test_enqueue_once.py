"""Ten Refresh clicks at once (threads, each with its own database connection, as on several
app servers) queue one sync of the listing; the other nine are told it is already queued."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from core import background
from portal.models import TaskRecord

RESOURCE = "conversations"
CLICKS = 10


@pytest.fixture
def sent(monkeypatch):
    """Stands in for the broker: the messages that would have reached a worker."""
    from core.tasks import sync_listing

    messages: list[tuple] = []
    lock = threading.Lock()

    def apply_async(args=None, task_id=None, **_):
        with lock:
            messages.append((tuple(args), task_id))

    monkeypatch.setattr(background, "eager", lambda: False)
    monkeypatch.setattr(sync_listing, "apply_async", apply_async)
    return messages


def _click_at_once(n: int) -> list:
    barrier = threading.Barrier(n)
    outcomes, errors = [], []

    def click():
        try:
            barrier.wait(timeout=30)
            outcomes.append(background.enqueue_listing_sync(RESOURCE))
        except Exception as exc:  # surfaced below: a thread's exception would otherwise vanish
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=click) for _ in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    return outcomes


@pytest.mark.django_db(transaction=True)
def test_simultaneous_refreshes_queue_one_sync(sent):
    outcomes = _click_at_once(CLICKS)

    assert len(outcomes) == CLICKS
    assert len(sent) == 1
    records = TaskRecord.objects.filter(key=background.task_key(background.SYNC_LISTING, [RESOURCE], {}))
    assert [r.task_id for r in records] == [sent[0][1]]
    assert records.get().state == TaskRecord.State.QUEUED
    assert sorted(o.already_queued for o in outcomes) == [False] + [True] * (CLICKS - 1)
    assert all(o.queued for o in outcomes)


@pytest.mark.django_db(transaction=True)
def test_a_finished_sync_lets_the_next_click_queue_again(sent):
    assert not background.enqueue_listing_sync(RESOURCE).already_queued
    assert background.enqueue_listing_sync(RESOURCE).already_queued
    TaskRecord.objects.update(state=TaskRecord.State.SUCCEEDED)

    assert not background.enqueue_listing_sync(RESOURCE).already_queued
    assert len(sent) == 2


@pytest.mark.django_db(transaction=True)
def test_a_broker_failure_does_not_block_the_next_click(monkeypatch, sent):
    from core.tasks import sync_listing

    def refuse(**_):
        raise ConnectionError("broker down")

    monkeypatch.setattr(sync_listing, "apply_async", refuse)
    with pytest.raises(ConnectionError):
        background.enqueue_listing_sync(RESOURCE)
    assert not background.listing_sync_active(RESOURCE)

"""Benchmark-sized data: many conversations and test runs, written with bulk_create."""

from __future__ import annotations

import random
from datetime import timedelta

from django.conf import settings
from django.db import transaction

from sandbox.api import new_id, now
from sandbox.behaviour.assistant_test_runs import rubric_results
from sandbox.models import SbAssistant, SbConversation, SbMessage, SbTest, SbTestRun

BATCH = 5000


def _batches(total: int):
    done = 0
    while done < total:
        size = min(BATCH, total - done)
        yield size
        done += size


def bulk_conversations(count: int, *, messages_each: int = 2, days: int = 30) -> int:
    """``count`` conversations (with ``messages_each`` messages) spread over ``days`` days."""
    rng = random.Random(settings.SANDBOX_SEED)
    targets = [(a.pk, list(a.versions.values_list("id", flat=True)), a.main_version_id)
               for a in SbAssistant.objects.filter(deleted_at__isnull=True)]
    if not targets:
        raise ValueError("Seed some assistants first (sandbox_seed --demo).")
    current = now()
    for size in _batches(count):
        conversations, messages = [], []
        for _ in range(size):
            assistant_id, version_ids, main_id = rng.choice(targets)
            # Mostly main, some traffic on other versions, like a canary would give.
            version_id = main_id if rng.random() < 0.8 else rng.choice(version_ids)
            at = current - timedelta(seconds=rng.randint(60, days * 86400))
            conversation = SbConversation(id=new_id(), created_at=at, last_message_at=at + timedelta(minutes=1))
            conversation.set_metadata({"assistant_id": assistant_id, "assistant_version_id": version_id,
                                       "telnyx_conversation_channel": rng.choice(["web_chat", "phone_call"])})
            conversations.append(conversation)
            for n in range(messages_each):
                messages.append(SbMessage(conversation=conversation, role="user" if n % 2 == 0 else "assistant",
                                          text=f"Benchmark message {n}", created_at=at + timedelta(seconds=n)))
        with transaction.atomic():
            SbConversation.objects.bulk_create(conversations)
            SbMessage.objects.bulk_create(messages)
    return count


def bulk_test_runs(count: int, *, days: int = 30) -> int:
    """``count`` finished test runs spread over the existing tests (no transcripts)."""
    rng = random.Random(settings.SANDBOX_SEED + 1)
    tests = list(SbTest.objects.all())
    if not tests:
        raise ValueError("Seed some tests first (sandbox_seed --demo).")
    current = now()
    for size in _batches(count):
        runs = []
        for _ in range(size):
            test = rng.choice(tests)
            version_key = f"bulk-{rng.randint(1, 20)}"
            results = rubric_results(test, version_key)
            runs.append(SbTestRun(
                id=new_id(), test=test, triggered_by="scheduled", destination_version_id="",
                created_at=current - timedelta(seconds=rng.randint(3600, days * 86400)),
                outcome="passed" if all(r["status"] == "passed" for r in results) else "failed",
                detail_status=results, logs="(bulk seeded run)",
            ))
        with transaction.atomic():
            SbTestRun.objects.bulk_create(runs)
    return count

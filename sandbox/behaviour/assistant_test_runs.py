"""Assistant test runs: deterministic outcomes, transcripts and time-based statuses.

A run's result is decided when it is triggered, from a hash of the test and the version
under test, so the same test against the same version always gets the same verdict and
roughly a quarter of rubric items fail. Until SANDBOX_ASYNC_SECONDS have passed the run
shows pending (first 10%), starting (to 25%) and running; then passed or failed.
"""

from __future__ import annotations

import hashlib

from django.db.models import Q

from sandbox.api import iso, new_id, now
from sandbox.behaviour import clock
from sandbox.behaviour.replies import reply_for
from sandbox.models import SbAssistant, SbConversation, SbMessage, SbTest, SbTestRun

PASS_PERCENT = 75
FINAL = ("passed", "failed")


def _score(*parts: str) -> int:
    return int(hashlib.sha256("|".join(parts).encode()).hexdigest()[:8], 16) % 100


def rubric_results(test: SbTest, version_id: str) -> list[dict]:
    """Per-rubric verdicts for ``test`` run against ``version_id`` (deterministic)."""
    return [{"name": item["name"],
             "status": "passed" if _score(test.name, version_id, item["name"]) < PASS_PERCENT else "failed"}
            for item in test.data.get("rubric", [])]


def _target(test: SbTest, version_id: str):
    """The assistant config under test: the destination assistant's given or main version."""
    assistant = SbAssistant.objects.filter(pk=test.destination, deleted_at__isnull=True).select_related("main_version").first()
    if assistant is None:
        return None, version_id
    version = assistant.versions.filter(pk=version_id).first() if version_id else None
    version = version or assistant.main_version
    return version, version.pk


def _transcript(test: SbTest, config: dict) -> list[tuple[str, str]]:
    opening = test.data.get("instructions", "Hello").split(".")[0].strip() or "Hello"
    turns = [("user", opening)]
    turns.append(("assistant", reply_for(config, opening)))
    turns.append(("user", "Thanks, that's all."))
    turns.append(("assistant", reply_for(config, "Thanks, that's all.")))
    return turns


def run_trigger(test: SbTest, *, destination_version_id: str = "", suite_run_id: str = "",
                triggered_by: str = "api", created_at=None, with_conversation: bool = True) -> SbTestRun:
    """Create a run; its verdict, transcript and conversation are fixed now, shown later."""
    created_at = created_at or now()
    version, version_id = _target(test, destination_version_id)
    config = version.config if version else {"instructions": f"You are the system at {test.destination}."}
    results = rubric_results(test, version_id or test.destination)
    outcome = "passed" if all(r["status"] == "passed" for r in results) else "failed"
    turns = _transcript(test, config)
    conversation_id = ""
    if with_conversation:
        conversation = SbConversation(id=new_id(), name=f"Test run: {test.name}", created_at=created_at,
                                      last_message_at=created_at)
        conversation.set_metadata({"telnyx_conversation_channel": test.channel, "test_id": test.pk,
                                   **({"assistant_id": version.assistant_id, "assistant_version_id": version.pk}
                                      if version else {})})
        conversation.save()
        SbMessage.objects.bulk_create([SbMessage(conversation=conversation, role=role, text=text,
                                                 created_at=created_at) for role, text in turns])
        conversation_id = conversation.pk
    logs = "\n".join(f"{role}: {text}" for role, text in turns)
    logs += "\n" + "\n".join(f"rubric {r['name']}: {r['status']}" for r in results)
    return SbTestRun.objects.create(
        id=new_id(), test=test, test_suite_run_id=suite_run_id, destination_version_id=version_id or "",
        triggered_by=triggered_by, created_at=created_at, outcome=outcome, detail_status=results,
        logs=logs, conversation_id=conversation_id,
    )


def run_status(run: SbTestRun) -> str:
    done = clock.progress(run.created_at)
    if done >= 1:
        return run.outcome
    if done < 0.10:
        return "pending"
    if done < 0.25:
        return "starting"
    return "running"


def status_filter(status: str) -> Q:
    """A database filter equivalent to ``run_status(run) == status``."""
    cutoff = clock.finished_before()
    if status in FINAL:
        return Q(outcome=status, created_at__lte=cutoff)
    total = clock.duration()
    current = now()
    windows = {"pending": (0.0, 0.10), "starting": (0.10, 0.25), "running": (0.25, 1.0)}
    if status not in windows or not total:
        return Q(pk__in=[])
    low, high = windows[status]
    return Q(created_at__lte=current - total * low, created_at__gt=current - total * high)


def run_json(run: SbTestRun) -> dict:
    status = run_status(run)
    final = status in FINAL
    data = {
        "run_id": run.pk,
        "test_id": run.test_id,
        "status": status,
        "triggered_by": run.triggered_by,
        "created_at": iso(run.created_at),
        "updated_at": iso(run.created_at + clock.duration() if final else now()),
        "detail_status": run.detail_status if final else [{"name": r["name"], "status": status} for r in run.detail_status],
    }
    if run.test_suite_run_id:
        data["test_suite_run_id"] = run.test_suite_run_id
    if run.conversation_id and status not in ("pending", "starting"):
        data["conversation_id"] = run.conversation_id
    if final:
        data["completed_at"] = iso(run.created_at + clock.duration())
        data["logs"] = run.logs
    return data

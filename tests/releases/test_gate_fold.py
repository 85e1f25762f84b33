"""The live gate's incremental tallies (`releases.services.gate_fold`) equal a full recompute,
bit for bit, over random streams of results: late ones, replaced ones, results stored before
their conversation, conversations deleted or moved out of the window, and a fresh evidence
start (a resume)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conversations.insights.selectors import completed_values_per_conversation
from conversations.models import Conversation, InsightResult
from conversations.services import conversation_fields
from core.cache import cache_delete, cache_put
from releases import stats
from releases.models import LiveGateFold
from releases.services import gate_fold

from .conftest import AID

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_pause_between_chunks(monkeypatch):
    monkeypatch.setattr(gate_fold, "REBUILD_PAUSE", 0)

VERSIONS = ("v-cand", "v-main", "v-old")
value = st.one_of(st.booleans(), st.sampled_from([0.0, 0.1, 0.25, 1 / 3, 0.5, 0.7, 1.0, 3.0, 1e-7, 123456.789]))
values = st.dictionaries(st.sampled_from(["score", "resolved", "turns"]), value, max_size=3)
conversation = st.integers(0, 4)
operation = st.one_of(
    # A result stored (or replacing the one of its template), at a time that may be older than
    # the conversation's other results (late), of any status and version.
    st.tuples(st.just("result"), conversation, st.integers(0, 2), values, st.sampled_from(["completed", "failed"]),
              st.integers(-50, 50), st.sampled_from(VERSIONS)),
    # A conversation cached, in or out of the window (again: a re-sync, same time and version).
    st.tuples(st.just("conversation"), conversation, st.sampled_from(VERSIONS), st.integers(-20, 20)),
    st.tuples(st.just("delete"), conversation),
    st.tuples(st.just("tick")),
    st.tuples(st.just("resume"), st.integers(-10, 10)),  # the evidence start moves
    st.tuples(st.just("window"), st.integers(-10, 10)),  # an Admin resumes the step: a fresh window
)


def _apply(op, base, now):
    if op[0] == "result":
        _, c, template, found, status, seconds, version = op
        InsightResult.objects.update_or_create(conversation_id=f"c-{c}", template_id=f"t-{template}", defaults={
            "assistant_id": AID, "assistant_version_id": version, "values": found, "status": status,
            "occurred_at": now + timedelta(seconds=seconds)})
    elif op[0] == "conversation":
        _, c, version, minutes = op
        found = Conversation.objects.filter(telnyx_id=f"c-{c}").first()
        if found:
            version, created_at = found.assistant_version_id, found.created_at
        else:
            created_at = base + timedelta(minutes=minutes)
        cache_put(Conversation, {"id": f"c-{c}", "created_at": created_at.isoformat(),
                                 "metadata": {"assistant_id": AID, "assistant_version_id": version}}, conversation_fields)
    elif op[0] == "delete":
        cache_delete(Conversation.objects.filter(telnyx_id=f"c-{op[1]}"))


def _old_samples(plan, since) -> dict:
    """What the gate computed before the tallies: per version and key, `Sample.of` the values."""
    rows = completed_values_per_conversation(assistant_id=AID, since=since, version_ids=["v-cand", "v-main"])
    samples = {}
    for version in ("v-cand", "v-main"):
        for key in {k for r in rows for k in r["values"]}:
            found = [r["values"][key] for r in rows if r["assistant_version_id"] == version and key in r["values"]]
            samples[version, key] = stats.Sample.of(found)
    return samples


def _check(plan, since, window) -> None:
    fold = gate_fold.current(plan, since, window)
    folded = fold.tallies
    assert folded == gate_fold.recompute(plan, since)
    conversations = Conversation.objects.filter(assistant_id=AID, created_at__gte=since)
    assert fold.counts == gate_fold._counts(conversations)
    assert fold.window_n == conversations.filter(created_at__gte=window, assistant_version_id="v-cand").count()
    for (version, key), sample in _old_samples(plan, since).items():
        assert stats.Sample.of_counts(gate_fold.counts_of(folded.get(version, {}).get(key, {}))) == sample


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(operations=st.lists(operation, min_size=3, max_size=30))
def test_the_folded_tallies_equal_a_full_recompute_after_any_stream(make_plan, monkeypatch, operations):
    # No overlap: each tick reads only results stored since the previous one began, so the
    # watermark itself is what is tested (the real lag only re-reads more).
    # and never checking the counts against the table: the running counts alone must be right.
    monkeypatch.setattr(gate_fold, "LAG", timedelta(0))
    monkeypatch.setattr(gate_fold, "VERIFY_EVERY", timedelta(days=1))
    # A full recompute in chunks of 2 conversations (and old entries cleared 3 at a time).
    monkeypatch.setattr(gate_fold, "REBUILD_CHUNK", 2)
    monkeypatch.setattr(gate_fold, "CLEAR_CHUNK", 3)
    Conversation.objects.all().delete()
    InsightResult.objects.all().delete()
    LiveGateFold.objects.all().delete()
    plan = make_plan()
    base = timezone.now().replace(microsecond=0)
    since = window = base
    for op in [("tick",)] + operations:  # the fold exists early: what follows is folded in
        if op[0] == "tick":
            _check(plan, since, window)
        elif op[0] == "resume":
            since = base + timedelta(minutes=op[1])
        elif op[0] == "window":
            window = base + timedelta(minutes=op[1])
        else:
            _apply(op, base, timezone.now())
    _check(plan, since, window)


def _seed(n: int, start: int = 0) -> None:
    now = timezone.now()
    for i in range(start, start + n):
        version = "v-cand" if i % 2 else "v-main"
        Conversation.objects.create(telnyx_id=f"c-{i}", assistant_id=AID, assistant_version_id=version,
                                    created_at=now, synced_at=now)
        InsightResult.objects.create(conversation_id=f"c-{i}", template_id="t", assistant_id=AID,
                                     assistant_version_id=version, values={"score": i % 7 / 10, "ok": i % 3 > 0},
                                     status="completed", occurred_at=now)


def test_a_tick_reads_only_what_changed_and_a_deletion_recomputes(make_plan, monkeypatch):
    monkeypatch.setattr(gate_fold, "LAG", timedelta(0))
    plan = make_plan()
    since = timezone.now() - timedelta(minutes=1)
    _seed(60)
    gate_fold.current(plan, since, since)
    rebuilt = LiveGateFold.objects.get().rebuilt_at
    with CaptureQueriesContext(connection) as idle:
        gate_fold.current(plan, since, since)
    _seed(3, start=60)
    InsightResult.objects.filter(conversation_id="c-0").update(values={"score": 0.9}, updated_at=timezone.now())
    with CaptureQueriesContext(connection) as busy:
        tallies = gate_fold.current(plan, since, since).tallies
    assert tallies == gate_fold.recompute(plan, since)
    assert LiveGateFold.objects.get().rebuilt_at == rebuilt  # folded, not recomputed
    entries = LiveGateFold.objects.get().entries
    assert entries.count() == 63 and entries.get(conversation_id="c-0").values == {"score": 0.9}
    assert len(busy.captured_queries) <= len(idle.captured_queries) + 6  # one merge of the 4 changed
    cache_delete(Conversation.objects.filter(telnyx_id="c-1"))
    assert gate_fold.current(plan, since, since).tallies == gate_fold.recompute(plan, since)
    assert LiveGateFold.objects.get().rebuilt_at > rebuilt  # a conversation went: recomputed


def test_a_conversation_moved_out_of_the_window_is_found_by_the_periodic_count(make_plan, monkeypatch):
    monkeypatch.setattr(gate_fold, "VERIFY_EVERY", timedelta(0))
    plan = make_plan()
    since = timezone.now() - timedelta(minutes=1)
    _seed(6)
    assert gate_fold.current(plan, since, since).counts == {"v-cand": 3, "v-main": 3}
    Conversation.objects.filter(telnyx_id="c-1").update(created_at=since - timedelta(hours=1))
    fold = gate_fold.current(plan, since, since)
    assert fold.counts == {"v-cand": 2, "v-main": 3} and fold.tallies == gate_fold.recompute(plan, since)


def test_a_result_stored_before_its_conversation_counts_once_the_conversation_is_cached(make_plan, monkeypatch):
    monkeypatch.setattr(gate_fold, "LAG", timedelta(0))
    plan = make_plan()
    since = timezone.now() - timedelta(minutes=1)
    _seed(4)
    InsightResult.objects.create(conversation_id="c-late", template_id="t", assistant_id=AID, assistant_version_id="v-cand",
                                 values={"score": 0.4}, status="completed", occurred_at=timezone.now())
    assert gate_fold.current(plan, since, since).tallies["v-cand"]["score"] == {"0.1": 1, "0.3": 1}
    Conversation.objects.create(telnyx_id="c-late", assistant_id=AID, assistant_version_id="v-cand",
                                created_at=timezone.now(), synced_at=timezone.now())
    assert gate_fold.current(plan, since, since).tallies["v-cand"]["score"] == {"0.1": 1, "0.3": 1, "0.4": 1}


def test_a_sync_clean_up_that_deletes_nothing_keeps_the_fold(make_plan):
    plan = make_plan()
    since = timezone.now() - timedelta(minutes=1)
    _seed(4)
    gate_fold.current(plan, since, since)
    rebuilt = LiveGateFold.objects.get().rebuilt_at
    cache_delete(Conversation.objects.filter(telnyx_id="no-such-conversation"))
    gate_fold.current(plan, since, since)
    assert LiveGateFold.objects.get().rebuilt_at == rebuilt


def _entries() -> dict:
    return {e.conversation_id: (e.version, e.values) for e in LiveGateFold.objects.get().entries.all()}


def test_a_full_recompute_runs_in_short_transactions_and_equals_one_read(make_plan, monkeypatch):
    """The recompute folds 7 conversations per transaction (pages and syncs get the database
    between them) and ends with what reading everything at once gives: tallies, counts, entries."""
    monkeypatch.setattr(gate_fold, "REBUILD_CHUNK", 7)
    monkeypatch.setattr(gate_fold, "CLEAR_CHUNK", 5)
    plan = make_plan()
    since = timezone.now() - timedelta(minutes=1)
    _seed(40)
    with CaptureQueriesContext(connection) as queries:
        fold = gate_fold.current(plan, since, since)
    # Inside the test's own transaction each atomic block is a savepoint: one per chunk, at least.
    assert sum(1 for q in queries.captured_queries if q["sql"].startswith("SAVEPOINT")) >= 1 + 40 // 7
    assert fold.rebuild_cursor is None and fold.tallies == gate_fold.recompute(plan, since)
    assert fold.counts == {"v-cand": 20, "v-main": 20} and fold.window_n == 20
    merged = completed_values_per_conversation(assistant_id=AID, since=since, version_ids=["v-cand", "v-main"])
    assert _entries() == {r["conversation_id"]: (r["assistant_version_id"], r["values"]) for r in merged}
    cache_delete(Conversation.objects.filter(telnyx_id="c-3"))  # recomputed again: 40 old entries cleared 5 at a time
    fold = gate_fold.current(plan, since, since)
    assert fold.tallies == gate_fold.recompute(plan, since) and len(_entries()) == 39
    assert fold.counts == {"v-cand": 19, "v-main": 20}


def test_a_recompute_cut_short_is_carried_on_by_the_next_tick(make_plan, monkeypatch):
    """A worker that dies halfway leaves the fold marked as under way: the next tick finishes
    it from the cursor (never a half-folded verdict), and results stored meanwhile count."""
    monkeypatch.setattr(gate_fold, "REBUILD_CHUNK", 4)
    monkeypatch.setattr(gate_fold, "LAG", timedelta(0))
    plan = make_plan()
    since = timezone.now() - timedelta(minutes=1)
    _seed(20)
    real, calls = gate_fold._refold, []

    def dies_on_the_third(*args):
        calls.append(1)
        if len(calls) == 3:
            raise RuntimeError("worker lost")
        real(*args)

    monkeypatch.setattr(gate_fold, "_refold", dies_on_the_third)
    with pytest.raises(RuntimeError):
        gate_fold.current(plan, since, since)
    half = LiveGateFold.objects.get()
    assert half.rebuild_cursor is not None and half.entries.count() == 8
    monkeypatch.setattr(gate_fold, "_refold", real)
    InsightResult.objects.filter(conversation_id="c-0").update(values={"score": 0.9}, updated_at=timezone.now())
    fold = gate_fold.current(plan, since, since)
    assert fold.rebuild_cursor is None and fold.rebuilt_at == half.rebuilt_at  # carried on, not started again
    fold = gate_fold.current(plan, since, since)  # the next tick folds in the result stored meanwhile
    assert fold.tallies == gate_fold.recompute(plan, since) and _entries()["c-0"][1] == {"score": 0.9}

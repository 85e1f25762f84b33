"""The live gate's tallies, kept up to date a tick at a time instead of re-read whole.

What the gate needs per version and metric is the sample of the conversations' merged values
(`conversations.insights.selectors.completed_values_per_conversation`): its count, sum and sum
of squares (`stats.Sample`) and, for a score, its min, median and max. All of it follows from
how many conversations had each value, so that is what is kept, per plan:
`LiveGateFold.tallies` = {version: {key: {value token: count}}} (the token is "true"/"false"
for pass/fail, `repr(float)` for a score). Reading it costs O(distinct values): two for a
pass/fail metric, a few hundred for a score rounded as insight templates give them (a score
with a distinct value per conversation would cost O(conversations) again, as a median must).

The unit of folding is the conversation, not the result: a conversation's results are merged
into one value per metric (the newest result's wins), and it counts only once it is cached and
created since the evidence start. `LiveGateEntry` keeps what each conversation put in. A tick:

1. finds the conversations that may have changed since the last one: those with a result
   stored since the last tick's start less `LAG` (`InsightResult.updated_at` is set at every
   store, so a late or replaced result shows; the lag covers a transaction that commits after
   a later one, and other workers' clocks), and those cached since (Conversation pk above
   `last_conversation`: a result can be stored before its conversation is);
2. merges each one's results again with the same selector as the full recompute, takes its
   old entry's values out of the tallies and puts the new ones in. Refolding a conversation
   that did not change changes nothing, so the overlap costs reads, never wrong counts.

Counts are integers, so adding and removing is exact, and `stats.Sample.of_counts` rounds
the sums once, like `stats.Sample.of` over the values: the incremental path gives the same
bits as a full recompute (tests/releases/test_gate_fold.py checks it over random streams).

The conversation counts the gate shows and stops on (per version since the start; the
candidate's since the step's window began) are kept the same way: each conversation cached
since (pk above `last_conversation`) adds one; a moved window (an Admin's resume) is counted
again once.

A full recompute replaces all of it whenever the watermarks cannot be trusted: no fold yet,
another evidence start or other versions, a conversation deleted from the cache
(`core.cache.deletions`, bumped by every cache delete: no watermark shows a row that went),
or, checked every `VERIFY_EVERY`, counts that differ from the table's (a conversation whose
time or assistant changed, or, on PostgreSQL, one committed behind a newer pk by a concurrent
sync: counted at most that late). The first tick of a plan therefore costs a full read (and
writes one entry per conversation); every later one reads what changed, plus every
`VERIFY_EVERY` one grouped count of the conversations.

The full recompute runs in short transactions, so the pages and the sync never wait behind
it (at 100,000 conversations it was one ~25 s transaction holding SQLite's write lock): one
resets the fold (watermarks, counts, empty tallies) and marks it `rebuild_cursor = -1`; the
old entries are deleted `CLEAR_CHUNK` at a time; then the conversations that existed at the
reset (pk up to `last_conversation`) are folded in `REBUILD_CHUNK` at a time by pk, each chunk
the same `_refold` a tick does, each in its own transaction that moves the cursor. The result
is the one a single read gives (tests/releases/test_gate_fold.py): the conversation set is
fixed at the reset, and whatever changes meanwhile (a result stored for a conversation
already folded, a conversation cached) is after the watermarks, so the next tick folds it
in. The call that starts a rebuild carries it to the end; a caller that finds one under way
(a crashed worker's) carries it on from the cursor.
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta

from django.db import connection, transaction
from django.db.models import Count, Max
from django.utils import timezone

from conversations.insights.selectors import completed_values_per_conversation
from conversations.models import Conversation, ConversationTranscript, InsightResult
from core.cache import deletions
from releases.models import LiveGateEntry, LiveGateFold, RolloutPlan
from releases.services import guardrails

LAG = timedelta(seconds=60)  # results stored this long before the last tick are read again
VERIFY_EVERY = timedelta(minutes=5)  # how often the conversation counts are checked against the table
CHUNK = 500  # conversations merged per query (SQL parameter limits)
REBUILD_CHUNK = 1000  # conversations folded per transaction of a full recompute
CLEAR_CHUNK = 5000  # old entries deleted per transaction when a recompute starts
REBUILD_PAUSE = 0.1  # s between a recompute's transactions on SQLite, so waiting writers get in

Tallies = dict[str, dict[str, dict[str, int]]]


def token(value: float | bool) -> str:
    """A value as a tally key: pass/fail flags apart from the numbers 1.0 and 0.0."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return repr(float(value))


def counts_of(tally: dict[str, int]) -> list[tuple[float | bool, int]]:
    """(value, count) pairs of one version's metric, as `stats.Sample.of_counts` takes them."""
    flags = {"true": True, "false": False}
    return [(flags[t] if t in flags else float(t), count) for t, count in tally.items()]


def _tokens(values: dict) -> dict[str, str]:
    return {key: token(value) for key, value in values.items()}


def _add(tallies: Tallies, version: str, values: dict, sign: int) -> None:
    for key, value in values.items():
        tally = tallies.setdefault(version, {}).setdefault(key, {})
        t = token(value)
        tally[t] = tally.get(t, 0) + sign
        if not tally[t]:
            del tally[t]
        if not tally:
            del tallies[version][key]
    if not tallies.get(version, True):
        del tallies[version]


def _merged(plan: RolloutPlan, since: datetime, conversation_ids=None) -> list[dict]:
    rows = completed_values_per_conversation(
        assistant_id=plan.assistant_id, since=since, conversation_ids=conversation_ids,
        version_ids=[plan.candidate_version_id, plan.main_version_id])
    # Guardrails from alert rules: conversation metrics and negated keys, when the plan names them.
    return guardrails.with_named_values(plan, rows, since=since, conversation_ids=conversation_ids)


def _tally(rows: list[dict]) -> Tallies:
    tallies: Tallies = {}
    for row in rows:
        _add(tallies, row["assistant_version_id"], row["values"], +1)
    return tallies


def recompute(plan: RolloutPlan, since: datetime) -> Tallies:
    """The tallies from every result since `since`, read whole: what the fold must equal."""
    return _tally(_merged(plan, since))


def current(plan: RolloutPlan, since: datetime, window_start: datetime) -> LiveGateFold:
    """The plan's fold since `since` (`tallies`, `counts` by version, `window_n` candidate
    conversations since `window_start`), folding in what changed since the last call, or
    recomputed in full when the watermarks cannot be trusted."""
    started = timezone.now()
    versions = [plan.candidate_version_id, plan.main_version_id]
    conversations = Conversation.objects.filter(assistant_id=plan.assistant_id, created_at__gte=since)
    with transaction.atomic():
        # One fold at a time per plan: two ticks at once would each apply the same change.
        fold = LiveGateFold.objects.select_for_update().filter(plan=plan).first()
        if (fold is None or fold.since != since or fold.versions != versions
                or fold.deletions != deletions(Conversation)):
            fold = _reset(plan, since, versions, window_start, started, conversations)
        elif fold.rebuild_cursor is None and _tick(plan, since, window_start, started, conversations, fold):
            return fold
    return _finish_rebuild(plan, since, fold.pk)


def _tick(plan: RolloutPlan, since: datetime, window_start: datetime, started: datetime, conversations,
          fold: LiveGateFold) -> bool:
    """Fold in what changed since the last call (inside the caller's transaction, the fold
    locked); False when the counts show it cannot be trusted and a recompute was started."""
    arrived = list(conversations.filter(pk__gt=fold.last_conversation)
                   .values_list("pk", "telnyx_id", "assistant_version_id", "created_at"))
    for _, _, version, created_at in arrived:
        fold.counts[version] = fold.counts.get(version, 0) + 1
        fold.window_n += version == plan.candidate_version_id and created_at >= fold.window_start
    if started - fold.verified_at > VERIFY_EVERY:
        if fold.counts != _counts(conversations):  # one moved, or was committed behind a newer pk
            _reset(plan, since, fold.versions, window_start, started, conversations)
            return False
        fold.verified_at = started
    if fold.window_start != window_start:  # an Admin resumed the step: a fresh window
        fold.window_start, fold.window_n = window_start, _window_n(plan, conversations, window_start)
    changed = set(InsightResult.objects.filter(assistant_id=plan.assistant_id, updated_at__gt=fold.read_until - LAG)
                  .order_by().values_list("conversation_id", flat=True).distinct())
    if guardrails.call_keys_named(plan):  # a transcript read since sets a conversation's metrics
        changed |= set(ConversationTranscript.objects.filter(indexed_at__gt=fold.read_until - LAG)
                       .values_list("conversation_id", flat=True))
    affected = sorted(changed | {telnyx_id for _, telnyx_id, _, _ in arrived})
    for start in range(0, len(affected), CHUNK):
        _refold(plan, since, fold, affected[start:start + CHUNK])
    fold.read_until = started
    fold.last_conversation = max([fold.last_conversation] + [pk for pk, _, _, _ in arrived])
    fold.save()
    return True


def _counts(conversations) -> dict[str, int]:
    return dict(conversations.order_by().values_list("assistant_version_id").annotate(n=Count("pk")))


def _window_n(plan: RolloutPlan, conversations, window_start: datetime) -> int:
    return conversations.filter(created_at__gte=window_start, assistant_version_id=plan.candidate_version_id).count()


def _refold(plan: RolloutPlan, since: datetime, fold: LiveGateFold, conversation_ids: list[str]) -> None:
    """Merge these conversations' results again; swap what changed in the tallies and entries."""
    merged = {row["conversation_id"]: row for row in _merged(plan, since, conversation_ids)}
    entries = {e.conversation_id: e for e in fold.entries.filter(conversation_id__in=conversation_ids)}
    created, updated, removed = [], [], []
    for conversation_id in conversation_ids:
        row, entry = merged.get(conversation_id), entries.get(conversation_id)
        after = (row["assistant_version_id"], _tokens(row["values"])) if row else None
        if after == ((entry.version, _tokens(entry.values)) if entry else None):
            continue
        if entry:
            _add(fold.tallies, entry.version, entry.values, -1)
        if row:
            _add(fold.tallies, row["assistant_version_id"], row["values"], +1)
        if entry and row:
            entry.version, entry.values = row["assistant_version_id"], row["values"]
            updated.append(entry)
        elif row:
            created.append(LiveGateEntry(fold=fold, conversation_id=conversation_id,
                                         version=row["assistant_version_id"], values=row["values"]))
        else:
            removed.append(entry.pk)
    LiveGateEntry.objects.bulk_create(created)
    LiveGateEntry.objects.bulk_update(updated, ["version", "values"])
    LiveGateEntry.objects.filter(pk__in=removed).delete()


def _reset(plan: RolloutPlan, since: datetime, versions: list[str], window_start: datetime, started: datetime,
           conversations) -> LiveGateFold:
    """Start a full recompute (inside the caller's transaction): the watermarks and counts as of
    now, empty tallies, the cursor at "clear the old entries"; `_finish_rebuild` does the rest."""
    gone = deletions(Conversation)
    last = conversations.aggregate(last=Max("pk"))["last"] or 0
    counts, window_n = _counts(conversations), _window_n(plan, conversations, window_start)
    fold, _ = LiveGateFold.objects.update_or_create(plan=plan, defaults={
        "since": since, "versions": versions, "read_until": started, "last_conversation": last, "deletions": gone,
        "tallies": {}, "counts": counts, "window_start": window_start, "window_n": window_n,
        "rebuilt_at": timezone.now(), "verified_at": started, "rebuild_cursor": -1})
    return fold


def _finish_rebuild(plan: RolloutPlan, since: datetime, fold_pk: int) -> LiveGateFold:
    """Carry a recompute under way to its end, one short transaction per chunk."""
    while True:
        with transaction.atomic():
            fold = LiveGateFold.objects.select_for_update().get(pk=fold_pk)
            if fold.rebuild_cursor is None:  # whole (another caller finished it)
                return fold
            if fold.rebuild_cursor < 0:  # first the old entries, a chunk at a time
                old = list(fold.entries.order_by().values_list("pk", flat=True)[:CLEAR_CHUNK])
                LiveGateEntry.objects.filter(pk__in=old).delete()
                if len(old) < CLEAR_CHUNK:
                    fold.rebuild_cursor = 0
                    fold.save(update_fields=["rebuild_cursor"])
            else:
                # By pk alone (the primary key's order, no other index), the plan's own picked out here:
                # with the assistant in SQL, SQLite walks the assistant's index and skips up to the cursor.
                chunk = list(Conversation.objects.filter(pk__gt=fold.rebuild_cursor, pk__lte=fold.last_conversation)
                             .order_by("pk").values_list("pk", "telnyx_id", "assistant_id", "created_at")[:REBUILD_CHUNK])
                ids = sorted(telnyx_id for _, telnyx_id, assistant, created_at in chunk
                             if assistant == plan.assistant_id and created_at is not None and created_at >= since)
                for start in range(0, len(ids), CHUNK):
                    _refold(plan, since, fold, ids[start:start + CHUNK])
                fold.rebuild_cursor = chunk[-1][0] if len(chunk) == REBUILD_CHUNK else None
                fold.save(update_fields=["tallies", "rebuild_cursor"])
                if fold.rebuild_cursor is None:
                    return fold
        if connection.vendor == "sqlite":
            # SQLite has one writer and no queue: a waiting page polls the lock every <= 100 ms,
            # so a chunk begun at once after the last would take it again before any page.
            time.sleep(REBUILD_PAUSE)

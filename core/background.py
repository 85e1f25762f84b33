"""Background work: which listings sync on the worker, sending a sync once, and task records.

Apps register their listings in their `tasks.py` (`register_listing`); a Refresh click, the
beat's sweep and the tasks page all go through `enqueue_listing_sync`, which queues one
`portal.tasks.sync_listing` (core/tasks.py) per listing at a time. Every task's life (queued, running,
failed with the error in plain words) is written to `TaskRecord` by the signal handlers
below, in whichever process sends or runs it.
"""

from __future__ import annotations

import json
import logging
import threading
import uuid
from dataclasses import dataclass
from datetime import timedelta
from functools import lru_cache
from typing import Callable
from weakref import WeakKeyDictionary

from celery import signals
from django.conf import settings
from django.db import connection, transaction
from django.db.models import BooleanField, Case, Exists, Value, When
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules

from core import waiting
from core.sync import SyncOutcome, is_stale, sync_state
from portal import generations as request_generations
from portal import read_ahead
from portal.celery import app
from portal.models import SyncState, TaskRecord
from portal.telnyx import TelnyxError

logger = logging.getLogger(__name__)

# A queued or running record older than this is assumed lost (its worker died before the
# broker gave it back): it no longer stops the same task from being queued again.
ACTIVE_FOR = timedelta(minutes=10)
SYNC_LISTING = "portal.tasks.sync_listing"


@dataclass(frozen=True)
class Listing:
    resource: str
    sync: Callable[[], object]  # returns a SyncOutcome
    # True while cached rows are still changing upstream (a run, embedding, clustering or
    # fine-tuning job not yet final): the sweep keeps re-syncing until it is False.
    unfinished: Callable[[], bool] | None = None
    # False while the listing should wait (e.g. insight results wait for a conversations sync in
    # flight): the sweep leaves it for later instead of tying a worker to half-cached rows.
    ready: Callable[[], bool] | None = None


@dataclass(frozen=True)
class ListingFamily:
    """Listings of one kind, one per object ("versions:<assistant id>", "test-runs:<test id>"):
    each member is a listing of its own (its lease, SyncState row and task), so one object's
    sync never waits for another's. The beat's sweep re-syncs the members that have a SyncState
    row (an object someone looked at) once they are stale."""

    prefix: str
    sync: Callable[[str], object]  # sync(object id) returns a SyncOutcome

    def resource(self, object_id: str) -> str:
        return f"{self.prefix}:{object_id}"[:100]  # SyncState.resource is 100 characters


_listings: dict[str, Listing] = {}
_families: dict[str, ListingFamily] = {}
_discovered = False


def register_listing(resource: str, sync: Callable[[], object], *, unfinished: Callable[[], bool] | None = None,
                     ready: Callable[[], bool] | None = None) -> None:
    _listings[resource] = Listing(resource, sync, unfinished, ready)


def register_listing_family(prefix: str, sync: Callable[[str], object]) -> ListingFamily:
    family = _families[prefix] = ListingFamily(prefix, sync)
    return family


def _discover() -> None:
    global _discovered
    if not _discovered:
        autodiscover_modules("tasks")
        _discovered = True


def listings() -> dict[str, Listing]:
    """Every registered listing (importing each app's tasks.py the first time)."""
    _discover()
    return _listings


def families() -> dict[str, ListingFamily]:
    _discover()
    return _families


def listing(resource: str) -> Listing | None:
    """The registered listing, or the family member, that syncs `resource`."""
    if resource in listings():
        return _listings[resource]
    prefix, _, object_id = resource.partition(":")
    family = families().get(prefix)
    if family is None or not object_id:
        return None
    return Listing(resource, lambda: family.sync(object_id))


def is_registered(resource: str) -> bool:
    return listing(resource) is not None


class SyncFailed(Exception):
    """A listing sync that reached Telnyx and failed (the cache was kept)."""

    def __init__(self, message: str, outcome=None):
        super().__init__(message)  # only the message in args: Celery pickles failures
        self.outcome = outcome


class StillRunning(Exception):
    """Raised into `task.retry(exc=...)` by a task that checks back later (runs not final yet)."""


def task_key(name: str, args, kwargs) -> str:
    return f"{name}:{json.dumps(list(args or []), sort_keys=True, default=str)}:{json.dumps(kwargs or {}, sort_keys=True, default=str)}"[:400]


def _active_records(key: str, since=None):
    records = TaskRecord.objects.filter(key=key, state__in=TaskRecord.ACTIVE, updated_at__gte=timezone.now() - ACTIVE_FOR)
    return records.filter(created_at__gt=since) if since is not None else records


def is_active(key: str, *, since=None) -> bool:
    """A task with this key is queued, running or waiting to retry (queued after `since`)."""
    return _active_records(key, since).exists()


def listing_sync_queued(resource: str, *, since=None) -> bool:
    """A sync of `resource` is queued and no worker has started it yet (one query)."""
    records = _active_records(task_key(SYNC_LISTING, [resource], {}), since)
    return records.exclude(state=TaskRecord.State.RUNNING).exists()


def listing_sync_state(resource: str, *, queued_if_missing: bool = True):
    """The resource's SyncState (as `core.sync.sync_state`) with `sync_queued`: whether a sync
    of it is queued and not started (`listing_sync_queued`), in one query, or in none when the
    page asked for it to ride on its session's read (`read_listing_state_ahead`). A list page
    reads both on every view, and building the two ORM queries cost more than the page's own SQL
    (50x the database's time for each, in the profile of a repeat view): the SQL is written
    once here instead, with the same conditions as `listing_sync_queued`. `queued_if_missing`:
    False when the caller claims a never-synced listing's sync anyway (the claim checks)."""
    row = read_ahead.taken(_READ_AHEAD + resource)
    if row is None:
        columns, waiting, generations_column = _listing_state_columns(connection.vendor)
        # The request's cache generations ride along (`portal.generations.prime`) when they were
        # not read ahead with the session: the page keys its kept fragments on them.
        columns += (generations_column,) if generations_column else ()
        sql = f"SELECT {', '.join(columns)} FROM {_quote(SyncState._meta.db_table)} ls WHERE ls.{_quote('resource')} = %s"
        with connection.cursor() as cursor:  # not `raw()`: its model building cost three times the query
            cursor.execute(sql, [*_queued_params(resource, waiting), resource])
            row = cursor.fetchone()
        if row is None:  # never synced: no row to carry the answer
            state = SyncState(resource=resource)
            state.sync_queued = listing_sync_queued(resource) if queued_if_missing else False
            return state
    return _state_from_row(resource, row)


def read_listing_state_ahead(resource: str) -> None:
    """Ask for `listing_sync_state(resource)`'s row to come with the session's (`portal.read_ahead`):
    a list view's `read_ahead`, so its repeat view runs one query fewer."""
    read_ahead.want(_READ_AHEAD + resource, _listing_state_join(connection.vendor, resource))


@lru_cache(maxsize=256)
def _listing_state_join(vendor: str, resource: str) -> read_ahead.Join:
    """The read-ahead of `resource`'s state: the same on every view (the queued window's start is
    computed by the database), so made once."""
    columns, waiting, _ = _listing_state_columns(vendor)
    return read_ahead.Join(
        table=SyncState._meta.db_table, alias="ls", on=f"ls.{_quote('resource')} = %s", columns=columns,
        column_params=tuple(_queued_params(resource, waiting)), on_params=(resource,))


_READ_AHEAD = "listing-state:"


def _quote(name: str) -> str:
    return connection.ops.quote_name(name)


def _queued_params(resource: str, waiting: list) -> list:
    return [_listing_task_key(resource), *waiting]


#: The start of the window in which a queued record counts (`_active_records`: now - ACTIVE_FOR),
#: in each database's SQL and clock (UTC, as Django stores it on SQLite): no datetime to make and
#: send per view, and the read-ahead's SQL and parameters stay the same on every view.
_ACTIVE_SINCE_SQL = {
    "postgresql": f"now() - interval '{int(ACTIVE_FOR.total_seconds())} seconds'",
    "sqlite": f"strftime('%%Y-%%m-%%d %%H:%%M:%%f', 'now', '-{int(ACTIVE_FOR.total_seconds())} seconds')",  # % doubled: params follow
}


@lru_cache(maxsize=256)
def _listing_task_key(resource: str) -> str:
    return task_key(SYNC_LISTING, [resource], {})


def _state_from_row(resource: str, row: tuple):
    """The SyncState a `_listing_state_columns` row holds (a never-synced listing's: unsaved, its
    queued flag read all the same), with the request's generations primed from it."""
    fields = SyncState._meta.concrete_fields
    if row[0] is None:  # read ahead, with no state row to join: never synced
        state = SyncState(resource=resource)
    else:
        values = list(row[:len(fields)])
        for index, column, convert in _state_converters(connection.ops):  # as the ORM gives them (SQLite's dates are text)
            values[index] = convert(values[index], column, connection)
        state = SyncState.from_db(connection.alias, [f.attname for f in fields], values)
    state.sync_queued = bool(row[len(fields)])
    if len(row) > len(fields) + 1:
        request_generations.prime(row[len(fields) + 1])
    return state


@lru_cache(maxsize=4)
def _listing_state_columns(vendor: str) -> tuple:
    """`listing_sync_state`'s columns (the state row as `ls`, whether a sync is queued), the task
    states that count as queued and the generations' column: the same on every view."""
    tasks = _quote(TaskRecord._meta.db_table)
    waiting = [state for state in TaskRecord.ACTIVE if state != TaskRecord.State.RUNNING]
    columns = tuple(f"ls.{_quote(f.column)}" for f in SyncState._meta.concrete_fields) + (
        f"EXISTS (SELECT 1 FROM {tasks} WHERE {_quote('key')} = %s AND {_quote('state')} IN "
        f"({', '.join(['%s'] * len(waiting))}) AND {_quote('updated_at')} >= {_ACTIVE_SINCE_SQL[vendor]})",)
    return columns, waiting, request_generations.all_as_column()


#: Per connection (one a thread): SyncState's columns' converters, bound to that connection.
_CONVERTERS: WeakKeyDictionary = WeakKeyDictionary()


def _state_converters(ops) -> list:
    found = _CONVERTERS.get(ops)
    if found is None:
        found = []
        for index, field in enumerate(SyncState._meta.concrete_fields):
            column = field.get_col(SyncState._meta.db_table)
            found += [(index, column, convert) for convert in ops.get_db_converters(column) + field.get_db_converters(connection)]
        _CONVERTERS[ops] = found
    return found


def listing_sync_active(resource: str, *, since=None) -> bool:
    """A sync of `resource` is queued, or running with its lease held (a "running" record
    whose lease lapsed belongs to a worker that died)."""
    if listing_sync_queued(resource, since=since):
        return True
    records = _active_records(task_key(SYNC_LISTING, [resource], {}), since)
    lease = sync_state(resource).lease_until
    return records.exists() and lease is not None and lease > timezone.now()


def mark_lost_syncs(resource: str) -> None:
    """Record as lost the syncs of `resource` whose worker died mid-run (shown on the tasks page)."""
    TaskRecord.objects.filter(key=task_key(SYNC_LISTING, [resource], {}), state=TaskRecord.State.RUNNING).update(
        state=TaskRecord.State.FAILED, last_error=f"{TaskRecord.WORKER_LOST}; the sync resumes from where it stopped.",
        finished_at=timezone.now(), updated_at=timezone.now(),
    )


def mark_lost_tasks() -> int:
    """Record as lost every other task still "running" after ACTIVE_FOR: each of them (a run
    check, a suite start) takes seconds, so its worker died. Syncs are judged by their lease
    instead (`mark_lost_syncs`). If the broker gives the message back, the record runs again."""
    return (TaskRecord.objects.filter(state=TaskRecord.State.RUNNING, updated_at__lt=timezone.now() - ACTIVE_FOR)
            .exclude(name=SYNC_LISTING)
            .update(state=TaskRecord.State.FAILED, finished_at=timezone.now(), updated_at=timezone.now(),
                    last_error=f"{TaskRecord.WORKER_LOST} and did not finish it; Retry queues it again."))


def eager() -> bool:
    return bool(app.conf.task_always_eager)


def task_named(name: str):
    """The Celery task registered as `name`, every app's tasks.py imported first.

    A service queues its app's tasks by name through here (or `enqueue`) and never imports its
    tasks module: that module imports the service, and the two would import each other."""
    _discover()
    return app.tasks[name]


def enqueue(name: str, *args, **kwargs):
    """Queue the task `name` with these arguments (run inline where tasks are eager): the page
    that queued it waits on a worker (core.waiting)."""
    waiting.mark()
    return task_named(name).delay(*args, **kwargs)


def enqueue_listing_sync(resource: str, state=None):
    """Queue the listing's sync unless one is queued or running; returns a `SyncOutcome`.

    Where tasks run inline (unit tests) the sync runs now and its real outcome is returned.
    `state`: the listing's SyncState when the caller read it already (a never-synced listing's
    row is then inserted without first being looked for).
    """
    sync_listing = task_named(SYNC_LISTING)
    if eager():
        result = sync_listing.apply(args=[resource], throw=False)
        if isinstance(result.result, SyncFailed):
            return result.result.outcome
        result.maybe_throw()
        return result.result
    waiting.mark()
    task_id = _claim_listing_sync(resource, _label(sync_listing, [resource]), state)
    if task_id is None:
        return SyncOutcome(ran=False, queued=True, already_queued=True)
    _send_claimed(sync_listing, resource, task_id)
    return SyncOutcome(ran=False, queued=True)


def _send_claimed(sync_listing, resource: str, task_id: str) -> None:
    """Send the message of a claimed sync (its record made already); a refused one frees the claim."""
    _claimed.ids = {*getattr(_claimed, "ids", ()), task_id}  # recorded already: the publish hook skips its look-up
    try:
        sync_listing.apply_async(args=[resource], task_id=task_id)
    except Exception:
        # The broker refused the message: free the claim so the next click can queue it.
        TaskRecord.objects.filter(task_id=task_id).update(
            state=TaskRecord.State.FAILED, last_error="The task could not be queued (broker unreachable).",
            finished_at=timezone.now(), updated_at=timezone.now(),
        )
        raise
    finally:
        _claimed.ids.discard(task_id)


#: Task ids this thread claimed (their record written) and is publishing now.
_claimed = threading.local()


def sync_if_stale(resource: str, state=None):
    """For a page that shows a listing from the cache: queue its sync when the cache is stale
    (never synced, or older than CACHE_TTL) and none is queued or running; returns the
    `SyncOutcome` (run inline where tasks are eager), or None when nothing was needed. A sync
    that failed in the last minute is not queued again by page views (the page shows why).
    `state`: the listing's SyncState when the page read it already (one query fewer)."""
    state = sync_state(resource) if state is None else state
    if not is_stale(state):
        return None
    if state.lease_until and state.lease_until > timezone.now():
        # A sync runs (it holds the lease): what the claim would answer, without the claim's
        # write, which on SQLite waits behind the sync's own writes (pages took 15-19 s each
        # during a first sync, every view of the never-synced list claiming again).
        return SyncOutcome(ran=False, queued=True, already_queued=True)
    if state.last_error and state.last_attempt_at and state.lease_until is None \
            and timezone.now() - state.last_attempt_at < RETRY_FAILED_AFTER:
        return None
    return enqueue_listing_sync(resource, state)


RETRY_FAILED_AFTER = timedelta(seconds=60)


def listing_sync_states(resources) -> dict:
    """{resource: its SyncState with `sync_queued`} for several listings in one query (as
    `listing_sync_state`; a never-synced one is an unsaved state, not queued: its claim checks)."""
    resources = list(dict.fromkeys(resources))
    waiting_states = [state for state in TaskRecord.ACTIVE if state != TaskRecord.State.RUNNING]
    queued = _per_resource(resources, lambda r: _active_records(task_key(SYNC_LISTING, [r], {})).filter(state__in=waiting_states))
    found = {state.resource: state for state in SyncState.objects.filter(resource__in=resources).annotate(sync_queued=queued)}
    for resource in resources:
        if resource not in found:
            found[resource] = SyncState(resource=resource)
            found[resource].sync_queued = False
    return found


def _per_resource(resources, records) -> Case:
    """Whether `records(resource)` has a row, for each SyncState row by its resource (one subquery each)."""
    return Case(*[When(resource=r, then=Exists(records(r))) for r in resources], default=Value(False),
                output_field=BooleanField())


def _claim_needed(state):
    """`sync_if_stale`'s answer without a claim (a `SyncOutcome` or None), or "claim"."""
    if not is_stale(state):
        return None
    if getattr(state, "sync_queued", False) or (state.lease_until and state.lease_until > timezone.now()):
        return SyncOutcome(ran=False, queued=True, already_queued=True)
    if state.last_error and state.last_attempt_at and state.lease_until is None \
            and timezone.now() - state.last_attempt_at < RETRY_FAILED_AFTER:
        return None
    return "claim"


def page_syncs(resource: str, also=()) -> dict:
    """`page_sync` for a page that also shows listings `also` from the cache (a suite page: each
    assistant's versions for Run suite): one read of all their states and, on a server, one
    transaction that claims every stale one's sync (each claim alone is 3-5 statements). Adds
    `outcomes`: {resource in `also`: its `SyncOutcome` or None}."""
    if not also:
        return {**page_sync(resource), "outcomes": {}}
    states = listing_sync_states([resource, *also])
    if eager():
        outcomes = {r: sync_if_stale(r, state) for r, state in states.items()}
        main = outcomes[resource]
        return {"outcome": main, "sync": sync_state(resource) if main is not None else states[resource],
                "syncing": False, "outcomes": {r: outcomes[r] for r in also}}
    outcomes = {r: _claim_needed(state) for r, state in states.items()}
    claims = {r: states[r] for r, outcome in outcomes.items() if outcome == "claim"}
    if claims:
        waiting.mark()
        sync_listing = task_named(SYNC_LISTING)
        ids = _claim_listing_syncs({r: (_label(sync_listing, [r]), state) for r, state in claims.items()})
        for r in claims:
            if ids.get(r) is None:
                outcomes[r] = SyncOutcome(ran=False, queued=True, already_queued=True)
            else:
                _send_claimed(sync_listing, r, ids[r])
                outcomes[r] = SyncOutcome(ran=False, queued=True)
    state, outcome = states[resource], outcomes[resource]
    syncing = _syncing(resource, state, outcome)
    return {"outcome": outcome, "sync": state, "syncing": syncing, "outcomes": {r: outcomes[r] for r in also}}


def _syncing(resource: str, state, outcome) -> bool:
    """Whether a sync of the listing is under way on a worker (marks the page as waiting on one)."""
    if outcome is not None and outcome.queued and not outcome.already_queued:  # queued now
        syncing = True
    elif state.sync_queued:
        syncing = True
    else:  # running with its lease held (a lapsed lease is a dead worker's)
        syncing = (state.lease_until is not None and state.lease_until > timezone.now()
                   and _active_records(task_key(SYNC_LISTING, [resource], {})).exists())
    if syncing:
        waiting.mark()
    return syncing


def page_sync(resource: str) -> dict:
    """What a page showing a per-object listing from the cache needs: its sync queued if the
    cache is stale (`outcome`), the SyncState (`sync`), and whether a sync is under way on a
    worker (`syncing`: includes/listing_syncing.html then polls until it ends).

    One read of the state (with whether a sync is queued) serves all three; a claim leaves the
    state row as it was (or makes an empty one for a never-synced listing, which the unsaved
    state already shows), so it is not read again unless the sync ran inline."""
    # Never synced: the sync is claimed below, which checks for one queued (unless tasks run inline).
    state = listing_sync_state(resource, queued_if_missing=eager())
    outcome = sync_if_stale(resource, state)
    if eager():
        return {"outcome": outcome, "sync": sync_state(resource) if outcome is not None else state, "syncing": False}
    return {"outcome": outcome, "sync": state, "syncing": _syncing(resource, state, outcome)}


def _claim_listing_sync(resource: str, label: str, state=None) -> str | None:
    """Record a queued sync of `resource` unless one is queued or running; its task id, or None.

    The check and the insert run in one transaction that first locks the listing's SyncState
    row: on PostgreSQL `select_for_update` makes every other claimer wait for our commit, and
    under READ COMMITTED its next statement sees the record we inserted; on SQLite the
    project's `transaction_mode=IMMEDIATE` makes the transaction take the database's write
    lock at BEGIN (select_for_update is a no-op there), which serializes claimers the same way.
    A unique key on "active task" would need a partial index and a migration that the record's
    life (queued, running, lease lapsed) does not map onto; the lock keeps the existing rules.
    The record is committed before the message is sent, so a worker never starts a task that
    has no record, and other app servers see the claim at once.

    Three statements: the row to lock made if it may be missing (an insert that ignores a row
    another claimer made first), the lock (reading the lease and whether an active record is
    there: the same conditions as `listing_sync_active`), and the record.
    """
    active = _active_records(task_key(SYNC_LISTING, [resource], {}))
    with transaction.atomic():
        if state is None or state.pk is None:
            SyncState.objects.bulk_create([SyncState(resource=resource)], ignore_conflicts=True)
        locked = (SyncState.objects.select_for_update().filter(resource=resource)
                  .annotate(queued=Exists(active.exclude(state=TaskRecord.State.RUNNING)),
                            running=Exists(active.filter(state=TaskRecord.State.RUNNING)))
                  .values_list("lease_until", "queued", "running"))
        lease, queued, running = next(iter(locked), (None, False, False))
        if queued or (running and lease is not None and lease > timezone.now()):
            return None
        task_id = str(uuid.uuid4())
        TaskRecord.objects.create(task_id=task_id, name=SYNC_LISTING, label=label,
                                  key=task_key(SYNC_LISTING, [resource], {}), args=[resource], kwargs={})
    return task_id


def _claim_listing_syncs(claims: dict) -> dict:
    """`_claim_listing_sync` for several listings ({resource: (label, state)}) in one transaction:
    the missing rows made, all of them locked in one statement, the records made in one insert.
    {resource: its task id, or None where a sync was queued or running}."""
    keys = {r: task_key(SYNC_LISTING, [r], {}) for r in claims}
    active = {r: _active_records(key) for r, key in keys.items()}
    now = timezone.now()
    with transaction.atomic():
        missing = [r for r, (_, state) in claims.items() if state is None or state.pk is None]
        if missing:
            SyncState.objects.bulk_create([SyncState(resource=r) for r in missing], ignore_conflicts=True)
        locked = (SyncState.objects.select_for_update().filter(resource__in=list(claims))
                  .annotate(queued=_per_resource(claims, lambda r: active[r].exclude(state=TaskRecord.State.RUNNING)),
                            running=_per_resource(claims, lambda r: active[r].filter(state=TaskRecord.State.RUNNING)))
                  .values_list("resource", "lease_until", "queued", "running"))
        found = {r: (lease, queued, running) for r, lease, queued, running in locked}
        records = []
        for r, (label, _) in claims.items():
            lease, queued, running = found.get(r, (None, False, False))
            if queued or (running and lease is not None and lease > now):
                continue
            records.append(TaskRecord(task_id=str(uuid.uuid4()), name=SYNC_LISTING, label=label, key=keys[r],
                                      args=[r], kwargs={}))
        TaskRecord.objects.bulk_create(records)
    return {record.args[0]: record.task_id for record in records}


def idempotency_key(task) -> str:
    """The Idempotency-Key for a Telnyx write a task makes: the same for a redelivered message
    (same task id), so Telnyx answers it with the first run instead of starting a second."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"portal-task:{task.name}:{task.request.id}"))


def plain_error(exc: BaseException) -> str:
    """What went wrong, for an admin, without internals (and never the API key)."""
    if isinstance(exc, TelnyxError):
        return exc.user_message
    if isinstance(exc, SyncFailed):
        return str(exc)
    return f"The task stopped with an unexpected error ({type(exc).__name__}); the worker log has the details."


# --- Task records, from Celery's signals ------------------------------------------------------
def _recorded(task) -> bool:
    return task is not None and getattr(task, "recorded", True)


def _label(task, args) -> str:
    template = getattr(task, "label", "") or ""
    try:
        return template.format(*(args or []))[:300] if template else task.name
    except (IndexError, KeyError):
        return task.name


@signals.before_task_publish.connect
def _on_publish(sender=None, headers=None, body=None, **_):
    task = app.tasks.get(sender)
    if not _recorded(task) or not headers or headers.get("id") in getattr(_claimed, "ids", ()):
        return
    args, kwargs = (body[0], body[1]) if isinstance(body, (list, tuple)) and len(body) >= 2 else ([], {})
    TaskRecord.objects.get_or_create(
        task_id=headers["id"],
        defaults={"name": sender, "label": _label(task, args), "key": task_key(sender, args, kwargs),
                  "args": list(args), "kwargs": dict(kwargs)},
    )


@signals.task_prerun.connect
def _on_start(sender=None, task_id=None, task=None, args=None, kwargs=None, **_):
    if not _recorded(task):
        return
    record, _ = TaskRecord.objects.get_or_create(
        task_id=task_id,
        defaults={"name": task.name, "label": _label(task, args), "key": task_key(task.name, args, kwargs),
                  "args": list(args or []), "kwargs": dict(kwargs or {})},
    )
    TaskRecord.objects.filter(pk=record.pk).update(
        state=TaskRecord.State.RUNNING, attempts=record.attempts + 1, started_at=timezone.now(),
        finished_at=None, updated_at=timezone.now(),
    )


def periodic_task_names() -> set[str]:
    """The tasks the beat sends on a fixed schedule (settings.CELERY_BEAT_SCHEDULE)."""
    return {entry["task"] for entry in getattr(settings, "CELERY_BEAT_SCHEDULE", {}).values()}


def did_nothing(name: str, result) -> bool:
    """A periodic run whose answer is empty (0, [], None): it found nothing to do."""
    return name in periodic_task_names() and not result and not isinstance(result, Exception)


@signals.task_success.connect
def _on_success(sender=None, result=None, **_):
    if _recorded(sender):
        TaskRecord.objects.filter(task_id=sender.request.id).update(
            state=TaskRecord.State.SUCCEEDED, last_error="", finished_at=timezone.now(), updated_at=timezone.now(),
            idle=did_nothing(sender.name, result),
        )


@signals.task_failure.connect
def _on_failure(sender=None, task_id=None, exception=None, **_):
    if _recorded(sender):
        TaskRecord.objects.filter(task_id=task_id).update(
            state=TaskRecord.State.FAILED, last_error=plain_error(exception), finished_at=timezone.now(),
            updated_at=timezone.now(),
        )


@signals.task_retry.connect
def _on_retry(sender=None, request=None, reason=None, **_):
    if _recorded(sender) and request is not None:
        exc = getattr(reason, "exc", None)
        if isinstance(exc, StillRunning):  # a tracking task's next check, not a failure
            state, error = TaskRecord.State.QUEUED, ""
        else:
            state, error = TaskRecord.State.RETRYING, plain_error(exc) if exc else ""
        TaskRecord.objects.filter(task_id=request.id).update(state=state, last_error=error, updated_at=timezone.now())

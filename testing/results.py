"""Each test's recent record: its last result, pass rate and whether it is flaky.

Read for a page of tests at once (a window function over the cached runs, then the versions
those runs ran on: three queries), so the tests and suites lists stay a fixed number of queries
however many tests they show.

**Flaky** has one definition, `is_flaky`, used by the tests list, the suites list's count and the
suite run pages (and the suite gate's failed tests): on one version, the test both passed and
failed (or errored). Same prompt, same test, different outcome: the test alone cannot be
trusted. A result that changed across versions is a fix or a regression, not flakiness.
The version a run ran on is the one that served its conversation (the conversation cache), else
the one its suite run named for the test's assistant, else unknown: main at the time, which
may have moved between runs, so there only a result that went back and forth (two changes or
more) counts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable

from django.db.models import F, Window
from django.db.models.functions import RowNumber
from django.db.models.query import ModelIterable

from conversations.models import Conversation
from testing.models import FINAL_STATUSES, AssistantTest, RunTrigger, TestRun

#: How many of a test's newest finished runs its pass rate and flakiness count.
RECENT_RUNS = 10


FAILED = ("failed", "error")


def is_flaky(outcomes: Iterable[tuple[str, str]]) -> bool:
    """The one definition of a flaky test, over `outcomes` ((version, status) of its finished
    runs, in run order): on some one known version it both passed and failed (or errored); among
    runs of unknown version ("", main at the time, which may have moved), its result went back
    and forth, twice or more (one change may be a new main)."""
    seen: dict[str, set[str]] = {}
    unknown: list[str] = []
    for version, status in outcomes:
        result = "passed" if status == "passed" else "failed" if status in FAILED else ""
        if not result:
            continue
        if version:
            seen.setdefault(version, set()).add(result)
        else:
            unknown.append(result)
    changes = sum(1 for a, b in zip(unknown, unknown[1:]) if a != b)
    return changes >= 2 or any(len(results) == 2 for results in seen.values())


@dataclass
class TestRecord:
    """A test's newest finished runs, newest first: statuses, and the version each ran on."""

    __test__ = False  # not a pytest class

    statuses: list[str]
    versions: list[str] = field(default_factory=list)

    @property
    def last(self) -> str:
        return self.statuses[0] if self.statuses else ""

    @property
    def pass_rate(self) -> float | None:
        return self.statuses.count("passed") / len(self.statuses) if self.statuses else None

    @property
    def outcomes(self) -> list[tuple[str, str]]:
        return list(zip(self.versions, self.statuses))

    @property
    def flaky(self) -> bool:
        return is_flaky(self.outcomes)


EMPTY = TestRecord(statuses=[])


def records_for(test_ids, destinations: dict[str, str] | None = None) -> dict[str, TestRecord]:
    """{test id: its record} for the given tests: one query for their runs, then the versions
    those ran on (`run_versions`; `destinations`, {test id: its assistant}, when the caller has
    read the tests already, spares it reading them again)."""
    ids = list(dict.fromkeys(test_ids))
    if not ids:
        return {}
    ranked = (TestRun.objects.filter(test_id__in=ids, status__in=FINAL_STATUSES).order_by()
              .annotate(rank=Window(RowNumber(), partition_by=[F("test_id")],
                                    order_by=[F("created_at").desc(nulls_last=True), F("pk").desc()]))
              .filter(rank__lte=RECENT_RUNS))
    rows = sorted(ranked.values_list("test_id", "rank", "status", "telnyx_id", "payload__conversation_id"),
                  key=lambda row: row[1])
    versions = run_versions([(run_id, test_id, conversation_id) for test_id, _, _, run_id, conversation_id in rows],
                            destinations)
    records: dict[str, TestRecord] = {}
    for test_id, _, status, run_id, _ in rows:
        record = records.setdefault(test_id, TestRecord(statuses=[]))
        record.statuses.append(status)
        record.versions.append(versions.get(run_id, ""))
    return records


def run_versions(runs: list[tuple[str, str, str | None]], destinations: dict[str, str] | None = None) -> dict[str, str]:
    """{run id: the version it ran on} for (run id, test id, conversation id) triples, in three
    queries at most (two when `destinations`, {test id: its assistant}, is given): the
    conversation's version when it is cached, else the one the run's suite run named for the
    test's assistant, else "" (unknown)."""
    served = dict(Conversation.objects.filter(telnyx_id__in={c for _, _, c in runs if c})
                  .exclude(assistant_version_id="").values_list("telnyx_id", "assistant_version_id"))
    versions = {run_id: served.get(conversation_id or "", "") for run_id, _, conversation_id in runs}
    unknown = [run_id for run_id, version in versions.items() if not version]
    if unknown:
        tests = {run_id: test_id for run_id, test_id, _ in runs}
        if destinations is None:
            destinations = dict(AssistantTest.objects.filter(telnyx_id__in=set(tests.values()))
                                .values_list("telnyx_id", "destination"))
        for trigger in RunTrigger.objects.filter(run_id__in=unknown, suite_run__isnull=False).select_related("suite_run"):
            batch, destination = trigger.suite_run, destinations.get(tests[trigger.run_id], "")
            versions[trigger.run_id] = (batch.versions or {}).get(destination, "") or batch.version_id
    return versions


class WithRecords(ModelIterable):
    """Model rows with `.record` set, read in one query for the whole slice (a changelist page)."""

    def __iter__(self):
        rows = list(super().__iter__())
        records = records_for([row.telnyx_id for row in rows], {row.telnyx_id: row.destination for row in rows})
        for row in rows:
            row.record = records.get(row.telnyx_id, EMPTY)
        yield from rows


def with_records(queryset):
    """The tests queryset whose rows carry their `record` (see `WithRecords`)."""
    queryset = queryset.all()
    queryset._iterable_class = WithRecords
    return queryset

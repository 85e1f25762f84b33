"""Each test's recent record: its last result, pass rate and whether it is flaky.

Read for a page of tests at once (one query, a window function over the cached runs), so the
tests and suites lists stay a fixed number of queries however many tests they show.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import F, Window
from django.db.models.functions import RowNumber
from django.db.models.query import ModelIterable

from testing.models import FINAL_STATUSES, TestRun

#: How many of a test's newest finished runs its pass rate and flakiness count.
RECENT_RUNS = 10


@dataclass
class TestRecord:
    """A test's newest finished runs, newest first (statuses only)."""

    __test__ = False  # not a pytest class

    statuses: list[str]

    @property
    def last(self) -> str:
        return self.statuses[0] if self.statuses else ""

    @property
    def pass_rate(self) -> float | None:
        return self.statuses.count("passed") / len(self.statuses) if self.statuses else None

    @property
    def changes(self) -> int:
        """How often the result changed from one run to the next."""
        return sum(1 for a, b in zip(self.statuses, self.statuses[1:]) if a != b)

    @property
    def flaky(self) -> bool:
        """Passed and failed back and forth: two changes or more. One change is a fix or a
        regression; a result that keeps changing says the test cannot be trusted alone."""
        return self.changes >= 2


EMPTY = TestRecord(statuses=[])


def records_for(test_ids) -> dict[str, TestRecord]:
    """{test id: its record} for the given tests, in one query."""
    ids = list(dict.fromkeys(test_ids))
    if not ids:
        return {}
    ranked = (TestRun.objects.filter(test_id__in=ids, status__in=FINAL_STATUSES).order_by()
              .annotate(rank=Window(RowNumber(), partition_by=[F("test_id")],
                                    order_by=[F("created_at").desc(nulls_last=True), F("pk").desc()]))
              .filter(rank__lte=RECENT_RUNS))
    rows = sorted(ranked.values_list("test_id", "rank", "status"), key=lambda row: row[1])
    records: dict[str, TestRecord] = {}
    for test_id, _, status in rows:
        records.setdefault(test_id, TestRecord(statuses=[])).statuses.append(status)
    return records


class WithRecords(ModelIterable):
    """Model rows with `.record` set, read in one query for the whole slice (a changelist page)."""

    def __iter__(self):
        rows = list(super().__iter__())
        records = records_for(row.telnyx_id for row in rows)
        for row in rows:
            row.record = records.get(row.telnyx_id, EMPTY)
        yield from rows


def with_records(queryset):
    """The tests queryset whose rows carry their `record` (see `WithRecords`)."""
    queryset = queryset.all()
    queryset._iterable_class = WithRecords
    return queryset

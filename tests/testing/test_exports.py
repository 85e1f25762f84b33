"""CSV exports of the tests list and of a suite's test runs (per-criterion results)."""

from __future__ import annotations

import csv
import io

import pytest
import responses
from django.urls import reverse

from portal.models import AuditEvent
from testing.models import TestRun
from tests.testing.test_testing_suites import make_batch, suite  # noqa: F401 - the suite fixture

pytestmark = pytest.mark.django_db


def rows(response) -> list[list[str]]:
    assert response.streaming
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


@responses.activate
def test_viewer_exports_the_tests_a_filter_selects_with_their_rubric(viewer_client, suite):
    table = rows(viewer_client.get(reverse("testing:test-list"), {"suite": "booking", "_export": "csv"}))
    assert table[0][:3] == ["Test id", "Name", "Suite"]
    assert [r[1] for r in table[1:]] == ["Booking test 1", "Booking test 2", "Booking test 3"]
    assert "greets: Greets the caller by name" in table[1][-1]
    assert len(responses.calls) == 0


@responses.activate
def test_suite_export_has_a_row_per_test_run_with_per_criterion_results(viewer_client, suite):
    make_batch(1, passed=1, failed=1, version="ver-a", days_ago=2)
    make_batch(2, passed=2, days_ago=1)
    TestRun.objects.filter(telnyx_id="b1-r1").update(payload={
        "status": "failed", "detail_status": [{"name": "greets", "status": "passed"}, {"name": "books", "status": "failed"}]})
    url = reverse("testing:suite-detail", args=["booking"])
    table = rows(viewer_client.get(url, {"version": "ver-a", "_export": "csv"}))
    header = table[0]
    by_run = {r[header.index("Run id")]: dict(zip(header, r)) for r in table[1:]}
    assert set(by_run) == {"b1-r0", "b1-r1"}  # the filter left out batch 2
    failed = by_run["b1-r1"]
    assert failed["Test"] == "Booking test 2" and failed["Version"] == "ver-a" and failed["Status"] == "failed"
    assert failed["Per-criterion results"] == "greets: passed; books: failed"
    assert (failed["Criteria passed"], failed["Criteria judged"]) == ("1", "2")
    assert AuditEvent.objects.get(action="export").changes["rows"] == 2
    assert len(responses.calls) == 0  # the export does not sync the history first


def test_unknown_suite_export_is_404(viewer_client, suite):
    assert viewer_client.get(reverse("testing:suite-detail", args=["nope"]), {"_export": "csv"}).status_code == 404

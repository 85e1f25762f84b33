"""The dashboard fills on a fresh demo with no page opened: the beat's sweep alone records
every suite's run batches, so "Suite pass rate" has a line per suite."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.urls import reverse

from core.tasks import refresh_listings
from testing.models import SuiteRun

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_sweep_alone_records_the_demo_suite_batches_for_the_dashboard(sandbox, viewer_client):
    call_command("sandbox_seed", "--demo", verbosity=0)
    refresh_listings.apply()  # what the beat does; no suite page is opened
    batches = SuiteRun.objects.exclude(status="running")
    assert sorted(set(batches.values_list("suite", flat=True))) == ["booking", "sales", "support"]
    assert batches.count() == 9 and all(b.total == b.finished > 0 for b in batches)
    page = viewer_client.get(reverse("dashboard")).content.decode()
    chart = page[page.index("<h2>Suite pass rate</h2>"):][:20000]
    assert "booking" in chart and "sales" in chart and "support" in chart

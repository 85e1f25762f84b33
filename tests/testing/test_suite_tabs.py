"""The suite page in tabs (Runs, Tests, Schedules, Alerts): each a link of its own (`?tab=`), Runs
by default, only the shown tab's content read, and every form sending you back to its tab."""

from __future__ import annotations

import pytest
import responses
from django.urls import reverse

from testing import selectors
from testing.models import SuiteSchedule

from .test_testing_suites import make_batch, mock_history, mock_versions, suite  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db
PAGE = reverse("testing:suite-detail", args=["booking"])


def tab_nav(page: str) -> str:
    return page[page.index('data-testid="suite-tabs"'):][:1200]


def refuse(monkeypatch, *names):
    """Fail the test if the page reads what another tab shows."""
    for name in names:
        monkeypatch.setattr(selectors, name, lambda *a, _n=name, **k: pytest.fail(f"{_n} read on a tab that does not show it"))


@responses.activate
def test_runs_is_the_default_tab_and_every_tab_is_a_link_marked_for_screen_readers(viewer_client, telnyx_base, suite):
    mock_history(telnyx_base)
    make_batch(1, passed=2, failed=1)
    page = viewer_client.get(PAGE).content.decode()
    nav = tab_nav(page)
    assert 'aria-label="Suite sections"' in page[page.index("<nav", page.index('data-testid="suite-tabs"') - 200):][:200]
    assert f'href="{PAGE}" aria-current="page">Runs' in nav
    for key, label in (("tests", "Tests"), ("schedules", "Schedules"), ("alerts", "Alerts")):
        assert f'href="{PAGE}?tab={key}">{label}' in nav
    assert 'data-testid="suite-history"' in page and 'data-testid="trend-chart"' in page
    assert 'data-testid="schedules"' not in page and 'data-testid="alerts"' not in page and 'data-testid="suite-tests"' not in page


@responses.activate
@pytest.mark.parametrize("tab, shown, unread", [
    ("tests", "suite-tests", ("pass_rate_trend", "pass_rate_by_version", "suite_schedules", "alert_deliveries", "suite_test_runs")),
    ("schedules", "schedules", ("pass_rate_trend", "pass_rate_by_version", "alert_deliveries", "suite_test_runs")),
    ("alerts", "alerts", ("pass_rate_trend", "pass_rate_by_version", "suite_schedules", "suite_test_runs")),
])
def test_a_tab_shows_and_reads_only_its_own_content(viewer_client, telnyx_base, suite, monkeypatch, tab, shown, unread):
    mock_history(telnyx_base)
    refuse(monkeypatch, *unread)
    page = viewer_client.get(f"{PAGE}?tab={tab}").content.decode()
    assert f'data-testid="{shown}"' in page and 'data-testid="suite-history"' not in page
    assert f'aria-current="page">{tab.capitalize()}' in tab_nav(page)


@responses.activate
def test_an_unknown_tab_shows_runs(viewer_client, telnyx_base, suite):
    mock_history(telnyx_base)
    make_batch(1, passed=2, failed=1)
    page = viewer_client.get(f"{PAGE}?tab=nonsense").content.decode()
    assert 'data-testid="suite-history"' in page and f'href="{PAGE}" aria-current="page">Runs' in tab_nav(page)


@responses.activate
def test_schedule_and_alert_forms_send_you_back_to_their_tab(operator_client, telnyx_base, suite):
    mock_history(telnyx_base)
    mock_versions(telnyx_base)
    added = operator_client.post(reverse("testing:schedule-create", args=["booking"]), {"kind": "cron", "cron": "0 3 * * *", "version": ""})
    assert added.status_code == 302 and added["Location"] == f"{PAGE}?tab=schedules"
    schedule = SuiteSchedule.objects.get()
    for name in ("testing:schedule-toggle", "testing:schedule-delete"):
        assert operator_client.post(reverse(name, args=[schedule.pk]))["Location"] == f"{PAGE}?tab=schedules"
    saved = operator_client.post(reverse("testing:alert-save", args=["booking"]), {"threshold_percent": "80", "email_to": "qa@example.com"})
    assert saved.status_code == 302 and saved["Location"] == f"{PAGE}?tab=alerts"


@responses.activate
def test_a_form_with_errors_comes_back_on_its_own_tab_with_what_was_typed(operator_client, telnyx_base, suite):
    mock_history(telnyx_base)
    mock_versions(telnyx_base)
    bad = operator_client.post(reverse("testing:schedule-create", args=["booking"]), {"kind": "cron", "cron": "0 3 * *", "version": ""})
    page = bad.content.decode()
    assert bad.status_code == 400 and 'aria-current="page">Schedules' in tab_nav(page)
    assert "A cron expression has 5 fields" in page and 'value="0 3 * *"' in page
    bad = operator_client.post(reverse("testing:alert-save", args=["booking"]), {"threshold_percent": "80", "email_to": "not-an-address"})
    assert bad.status_code == 400 and 'aria-current="page">Alerts' in tab_nav(bad.content.decode())

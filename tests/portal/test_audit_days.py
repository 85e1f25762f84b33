"""The audit events counted per day (`portal.audit_days`): the audit log's total and filter
choices and the dashboard's weekly counts read them, and they must say what counting the
events would."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from console.dashboard import tile_counts
from core.audit import record
from portal import audit_days
from portal.models import AuditDay, AuditEvent


def _events() -> None:
    now = timezone.now()
    for i in range(12):
        AuditEvent.objects.create(action="update", resource_type="assistant", resource_id="a-1", username="ada",
                                  outcome=("success", "failure")[i % 3 == 0], summary=f"change {i}",
                                  created_at=now - timedelta(hours=19 * i))
    AuditEvent.objects.create(action="set_role", resource_type="user", resource_id="7", username="root",
                              summary="Role of bob", created_at=now)


def _rows() -> set[tuple]:
    return set(AuditDay.objects.filter(n__gt=0).values_list("day", "action", "resource_type", "username", "outcome", "n"))


@pytest.mark.django_db
def test_each_stored_or_deleted_event_moves_its_day_as_a_recount_would(team_admin):
    _events()
    record(user=team_admin, action="delete", resource_type="assistant", resource_id="a-2", summary="Deleted")
    AuditEvent.objects.filter(summary="change 4").delete()
    kept = _rows()
    assert sum(n for *_, n in kept) == AuditEvent.objects.count() == 13
    audit_days.rebuild()
    assert _rows() == kept


@pytest.mark.django_db
def test_the_audit_log_total_and_choices_come_from_the_days_and_match_the_events(team_admin_client, viewer_client):
    _events()
    page = team_admin_client.get("/audit/").content.decode()
    assert "13 results" in page and 'value="set_role"' in page
    assert "4 results" in team_admin_client.get("/audit/?outcome=failure").content.decode()
    today = timezone.localdate().isoformat()
    same_day = AuditEvent.objects.filter(created_at__date=timezone.localdate()).count()
    assert f"{same_day} result" in team_admin_client.get(f"/audit/?since={today}&until={today}").content.decode()
    # A Viewer's total and choices leave out what only Admins read (user administration).
    page = viewer_client.get("/audit/").content.decode()
    assert "12 results" in page and 'value="set_role"' not in page
    # A search counts its matches in the events (the days cannot say which summaries match).
    assert "1 result" in team_admin_client.get("/audit/?q=change+11").content.decode()


@pytest.mark.django_db
def test_the_dashboard_week_counts_are_exact_at_the_edge_of_the_week():
    now = timezone.now()
    since = now - timedelta(days=7)
    for at, outcome in ((since - timedelta(minutes=1), "failure"), (since + timedelta(minutes=1), "failure"),
                        (since + timedelta(hours=30), "success"), (now, "failure"), (now - timedelta(days=9), "success")):
        AuditEvent.objects.create(action="update", resource_type="assistant", outcome=outcome, created_at=at)
    counts = tile_counts(since)
    assert counts["changes"] == AuditEvent.objects.filter(created_at__gte=since).count() == 3
    assert counts["failures"] == 2

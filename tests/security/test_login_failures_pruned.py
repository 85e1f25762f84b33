"""The login throttle counts axes' failure log, which axes never prunes by age: the beat's
clean-up removes failures older than every window that reads them (the throttle's and axes'
cool-off), and keeps those a throttle still counts."""

from __future__ import annotations

from datetime import timedelta

import pytest
from axes.models import AccessFailureLog
from django.conf import settings
from django.utils import timezone

from core.tasks import prune_login_failures

pytestmark = pytest.mark.django_db


def failure(age: timedelta, username: str) -> None:
    row = AccessFailureLog.objects.create(username=username, ip_address="203.0.113.9", user_agent="test",
                                          path_info="/login/", locked_out=False)
    AccessFailureLog.objects.filter(pk=row.pk).update(attempt_time=timezone.now() - age)


def test_old_failures_are_removed_and_counted_ones_kept(settings):
    settings.LOGIN_THROTTLE_MINUTES, settings.AXES_COOLOFF_TIME = 15, timedelta(minutes=60)
    failure(timedelta(days=3), "long-ago")
    failure(timedelta(minutes=61), "past-both-windows")
    failure(timedelta(minutes=30), "inside-the-cool-off")  # older than the throttle window, kept for axes
    failure(timedelta(minutes=1), "just-now")

    assert prune_login_failures() == 2
    assert set(AccessFailureLog.objects.values_list("username", flat=True)) == {"inside-the-cool-off", "just-now"}


def test_the_clean_up_is_on_the_beat_schedule():
    assert any(entry["task"] == "portal.tasks.prune_login_failures" for entry in settings.CELERY_BEAT_SCHEDULE.values())

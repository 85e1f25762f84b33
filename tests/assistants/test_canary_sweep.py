"""The canary sync at account scale: Telnyx has one canary read per assistant and no list, so the
sweep reads every sweep only the assistants a change is likely on (a canary now, one saved or
ended lately, one a page showed lately) and the rest once per CANARY_COLD_SECONDS, spread over the
sweeps. Measured: Telnyx calls per minute at 1,000 assistants over a simulated hour."""

from __future__ import annotations

import re
from datetime import timedelta
from unittest import mock

import pytest
import responses
from django.utils import timezone

from assistants.models import Assistant, CanaryDeployCache
from assistants.services import canary

pytestmark = pytest.mark.django_db
ASSISTANTS, WITH_CANARY = 1000, 20


def _aid(n: int) -> str:
    return f"assistant-{n:08d}-0000-4000-8000-000000000000"


class Telnyx:
    """Canary reads answered from `live` (assistant ids with a canary), counted."""

    def __init__(self, mock_api: responses.RequestsMock, base: str):
        self.live, self.calls = {_aid(n) for n in range(WITH_CANARY)}, 0
        pattern = re.compile(re.escape(base) + r"/ai/assistants/([^/]+)/canary-deploys$")
        mock_api.add_callback(responses.GET, pattern, callback=self.answer)

    def answer(self, request):
        self.calls += 1
        aid = request.url.rsplit("/", 2)[-2]
        if aid in self.live:
            return 200, {"Content-Type": "application/json"}, (
                '{"data": {"assistant_id": "%s", "rules": [{"serve": {"rollout": [{"version_id": "v2", "weight": 10}]}}]}}' % aid)
        return 404, {"Content-Type": "application/json"}, '{"errors": [{"code": "10005", "title": "Not found"}]}'


@pytest.fixture
def account(telnyx_base, settings):
    settings.CACHE_TTL, settings.CANARY_COLD_SECONDS = 300, 3600
    now = timezone.now()
    Assistant.objects.bulk_create([Assistant(telnyx_id=_aid(n), name=f"a{n}", synced_at=now) for n in range(ASSISTANTS)])
    with responses.RequestsMock(assert_all_requests_are_fired=False) as api:
        yield Telnyx(api, telnyx_base)


class Clock:
    def __init__(self):
        self.now = timezone.now()

    def sweep(self, telnyx: Telnyx, *, after: int = 300) -> int:
        """Advance `after` seconds and run the sweep's canary sync: the Telnyx calls it made."""
        self.now += timedelta(seconds=after)
        before = telnyx.calls
        with mock.patch("django.utils.timezone.now", return_value=self.now):
            assert canary.canaries_sync().error is None
        return telnyx.calls - before


def test_calls_per_minute_at_1000_assistants_fall_from_every_assistant_per_sweep_to_the_hot_ones(account):
    clock = Clock()
    first = clock.sweep(account, after=0)
    assert first == ASSISTANTS  # never read: every assistant once
    warmup = [clock.sweep(account) for _ in range(12)]  # the first hour spreads the cold reads
    hour = [clock.sweep(account) for _ in range(12)]  # one steady hour: a sweep each CACHE_TTL
    per_minute = sum(hour) / 60
    print(f"\ncanary reads at {ASSISTANTS} assistants, {WITH_CANARY} with a canary: first sweep {first}, "
          f"warm-up hour {sum(warmup)}, steady hour {sum(hour)} = {per_minute:.1f}/min "
          f"(per sweep min {min(hour)} max {max(hour)}); every assistant per sweep was {ASSISTANTS / 5:.0f}/min")
    assert per_minute <= 25  # 20 hot per 5 min (4/min) + 980 cold per hour (16.3/min)
    assert max(hour) <= WITH_CANARY + 82  # spread: no sweep reads the whole cold set at once
    # Every cold assistant was read within the hour: a canary made outside the portal shows.
    oldest = min(CanaryDeployCache.objects.values_list("synced_at", flat=True))
    assert clock.now - oldest <= timedelta(seconds=3600)


def test_a_canary_made_outside_the_portal_on_a_cold_assistant_shows_within_the_cold_period(account):
    clock = Clock()
    clock.sweep(account, after=0)
    cold = _aid(ASSISTANTS - 1)
    account.live.add(cold)
    seen = next(n for n in range(1, 14) if clock.sweep(account) is not None
                and CanaryDeployCache.objects.get(telnyx_id=cold).exists)
    assert seen * 300 <= 3600
    # Now it has one, it is hot: read at every sweep, and once ended, for a while after.
    account.live.discard(cold)
    clock.sweep(account)
    row = CanaryDeployCache.objects.get(telnyx_id=cold)
    assert not row.exists and row.payload["ended_at"]
    hot, _ = canary.canary_sweep_plan(now=clock.now + timedelta(days=1))
    assert cold in hot


def test_an_assistant_a_page_shows_is_read_at_every_sweep(account):
    clock = Clock()
    clock.sweep(account, after=0)
    shown = _aid(500)
    hot, _ = canary.canary_sweep_plan(now=timezone.now())
    assert shown not in hot
    canary.cached_canary(shown, watching=True)  # the assistant page does this
    hot, _ = canary.canary_sweep_plan(now=timezone.now())
    assert shown in hot
    hot, _ = canary.canary_sweep_plan(now=timezone.now() + timedelta(hours=1))
    assert shown not in hot  # nobody looked for an hour: back to the slow sweep


def test_the_rows_of_assistants_no_longer_cached_are_dropped(account):
    clock = Clock()
    clock.sweep(account, after=0)
    Assistant.objects.filter(telnyx_id=_aid(3)).delete()
    clock.sweep(account)
    assert not CanaryDeployCache.objects.filter(telnyx_id=_aid(3)).exists()
    assert CanaryDeployCache.objects.count() == ASSISTANTS - 1

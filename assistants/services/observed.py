"""Observed split: which version actually served the assistant's recent conversations.

Each conversation's metadata records the `assistant_version_id` that served it. We fetch the
last 7 days of the assistant's conversations on demand and count them per version for the
last 24 hours and 7 days, and, while a canary deploy runs, since it started. The result is
cached briefly (it says when it was computed).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.core.cache import cache
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from core.traffic import is_test_traffic
from core.types import PortalUser
from portal.roles import READ, require_perm
from portal.telnyx.resources import conversations as conversations_api

WINDOWS = (("24h", "Last 24 hours", timedelta(hours=24)), ("7d", "Last 7 days", timedelta(days=7)))
BATCH = 1000
MAX_BATCHES = 20  # 20,000 conversations a week is plenty for a share; beyond that we say so
CACHE_SECONDS = 120


@dataclass
class WindowCounts:
    key: str
    label: str
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def percent(self, version_id: str) -> float:
        return 100.0 * self.counts.get(version_id, 0) / self.total if self.total else 0.0


@dataclass
class ObservedSplit:
    windows: list[WindowCounts]
    computed_at: datetime
    truncated: bool = False
    since: datetime | None = None  # the start of the "since this canary started" window


def _fetch_since(assistant_id: str, since: datetime) -> tuple[list[dict], bool]:
    """The assistant's conversations created since `since`, newest first, in batches."""
    items: list[dict] = []
    before = ""
    for _ in range(MAX_BATCHES):
        created = [f"gte.{since.isoformat()}"] + ([f"lt.{before}"] if before else [])
        params = {"metadata->assistant_id": f"eq.{assistant_id}", "created_at": created,
                  "order": "created_at.desc", "limit": BATCH}
        batch = conversations_api.list_page(params=params)
        items += batch
        if len(batch) < BATCH:
            return items, False
        before = batch[-1].get("created_at") or ""
        if not before:
            return items, False
    return items, True


def _cache_key(assistant_id: str) -> str:
    return f"observed-split:{assistant_id}"


def forget_observed_split(assistant_id: str) -> None:
    """Drop the cached count after the portal itself changed routing or started conversations."""
    cache.delete(_cache_key(assistant_id))


def observed_split(*, user: PortalUser, assistant_id: str, refresh: bool = False,
                   since: datetime | None = None) -> ObservedSplit:
    """Conversations per serving version over the last 24 hours and 7 days, and since `since`
    (when the canary deploy started) if given."""
    require_perm(user, READ)
    key = _cache_key(assistant_id)
    if not refresh and (hit := cache.get(key)) and hit.since == since:
        return hit
    now = timezone.now()
    starts = [(window_key, label, now - span) for window_key, label, span in WINDOWS]
    if since is not None:
        starts.append(("canary", "Since this canary started", since))
    conversations, truncated = _fetch_since(assistant_id, min(start for _, _, start in starts))
    windows = []
    for window_key, label, start in starts:
        counts: Counter[str] = Counter()
        for conversation in conversations:
            if is_test_traffic(conversation.get("metadata")):
                continue  # a suite run's conversations are not callers: they would skew the split
            created = parse_datetime(str(conversation.get("created_at") or ""))
            if created and created >= start:
                counts[(conversation.get("metadata") or {}).get("assistant_version_id") or "unknown"] += 1
        windows.append(WindowCounts(window_key, label, dict(counts.most_common())))
    result = ObservedSplit(windows=windows, computed_at=now, truncated=truncated, since=since)
    cache.set(key, result, CACHE_SECONDS)
    return result

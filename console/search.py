"""The top-bar search: assistants, versions, tests, suites and conversations, from the cache.

Reads the database only. Each kind runs two queries whatever the cache holds (a capped count
and the first few hits) plus two for freshness, so the query count never grows with the cache.
Names match by substring and ids by prefix, in one WHERE: a rare word scans the names (about
0.1 s at 100,000 conversations on SQLite, see bench/search_at_scale.py); a common one stops
at the LIMIT and the count's cap.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable
from urllib.parse import urlencode

from django.db import connection
from django.db.models import Q, QuerySet
from django.urls import reverse

from assistants.models import Assistant, AssistantVersion
from conversations.models import Conversation
from conversations.search import name_condition
from portal.models import SyncState
from testing.models import AssistantTest, TestSuite

PER_KIND = 8
# Counting every match of a common word in 100,000 rows costs a full scan: past this, "1,000+".
COUNT_CAP = 1000
MIN_LENGTH = 2
MAX_LENGTH = 200


@dataclass
class Hit:
    title: str
    url: str
    detail: str = ""


@dataclass
class Group:
    kind: str
    label: str
    count: int
    capped: bool
    hits: list[Hit] = field(default_factory=list)
    more_url: str = ""  # the kind's own list, searching the same words, when it has one
    synced_at: object = None  # when the kind's cache was last loaded from Telnyx
    never_synced: bool = False  # nothing of this kind is in the cache yet: say so, not "no match"
    coverage: str = ""  # for versions, loaded per assistant: how many assistants' lists are cached


def _prefix(column: str, term: str) -> Q:
    if connection.vendor == "postgresql":
        # A range may go wrong under a locale that ignores punctuation (the hyphens in ids).
        return Q(**{f"{column}__startswith": term})
    # SQLite's LIKE is case-insensitive and ignores indexes; a range is exact and indexable.
    return Q(**{f"{column}__gte": term, f"{column}__lt": term + "\uffff"})


def _group(kind: str, label: str, queryset: QuerySet, hit: Callable[[object], Hit], more_url: str = "") -> Group:
    count = queryset.order_by()[: COUNT_CAP + 1].count()
    rows = list(queryset[:PER_KIND]) if count else []
    return Group(kind, label, min(count, COUNT_CAP), count > COUNT_CAP, [hit(r) for r in rows], more_url)


def _with_q(url_name: str, term: str) -> str:
    return f"{reverse(url_name)}?{urlencode({'q': term})}"


def search_everything(term: str) -> list[Group]:
    """Every kind's matches for `term` (empty when the term is too short to mean anything)."""
    term = " ".join(term.split())[:MAX_LENGTH]
    if len(term) < MIN_LENGTH:
        return []
    id_term = term.lower()
    assistant_names = dict(Assistant.objects.values_list("telnyx_id", "name"))
    groups = [
        _group("assistants", "Assistants",
               Assistant.objects.filter(Q(name__icontains=term) | _prefix("telnyx_id", id_term)).order_by("name", "pk"),
               lambda a: Hit(a.name or a.telnyx_id, reverse("assistants:assistant-detail", args=[a.telnyx_id]),
                             a.model),
               _with_q("assistants:assistant-list", term)),
        _group("versions", "Versions",
               AssistantVersion.objects.filter(Q(name__icontains=term) | _prefix("version_id", id_term))
               .order_by("-created_at", "-pk"),
               lambda v: Hit(v.name or f"Version of {assistant_names.get(v.assistant_id, 'an assistant')}",
                             reverse("assistants:version-detail", args=[v.assistant_id, v.version_id]),
                             f"{assistant_names.get(v.assistant_id, v.assistant_id)}{' · main' if v.is_main else ''}")),
        _group("tests", "Tests",
               AssistantTest.objects.filter(Q(name__icontains=term) | _prefix("telnyx_id", id_term)).order_by("name", "pk"),
               lambda t: Hit(t.name, reverse("testing:test-detail", args=[t.telnyx_id]),
                             " · ".join(x for x in (t.test_suite and f"Suite {t.test_suite}", t.channel) if x)),
               _with_q("testing:test-list", term)),
        _group("suites", "Suites", TestSuite.objects.filter(name__icontains=term).order_by("name", "pk"),
               lambda s: Hit(s.name, reverse("testing:suite-detail", args=[s.name])),
               _with_q("testing:suite-list", term)),
        _group("conversations", "Conversations",
               Conversation.objects.filter(name_condition(term) | _prefix("telnyx_id", id_term))
               .order_by("-created_at", "-pk"),
               lambda c: Hit(c.name or "Untitled conversation",
                             reverse("conversations:conversation-detail", args=[c.telnyx_id]),
                             " · ".join(x for x in (assistant_names.get(c.assistant_id, ""), c.channel,
                                                    c.created_at and f"{c.created_at:%-d %b %Y}") if x)),
               _with_q("conversations:conversation-list", term)),
    ]
    _add_freshness(groups)
    return groups


# The SyncState each kind's cache is filled under (versions: one per assistant).
LISTINGS = {"assistants": "assistants", "tests": "assistant-tests", "suites": "test-suites",
            "conversations": "conversations"}


def _add_freshness(groups: list[Group]) -> None:
    """Two queries: each listing's last sync, and how many assistants' versions are cached."""
    states = dict(SyncState.objects.filter(resource__in=LISTINGS.values()).values_list("resource", "synced_at"))
    for group in groups:
        if group.kind in LISTINGS:
            group.synced_at = states.get(LISTINGS[group.kind])
            group.never_synced = group.synced_at is None and not group.count
    versions = next(g for g in groups if g.kind == "versions")
    loaded = SyncState.objects.filter(resource__startswith="versions:", synced_at__isnull=False).count()
    versions.coverage = f"{loaded} assistant{'s' if loaded != 1 else ''}"
    versions.never_synced = not loaded and not versions.count

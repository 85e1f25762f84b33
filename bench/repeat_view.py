"""Benchmark: a changelist's repeat view vs the hello view, in process (Django test client).

Without HTTP, gunicorn or a client in the measurement, a loaded 2-core machine still ranks the
two: views of /conversations/ and /bench-hello/ alternate 1,000 times, each timed alone, and
the fastest and the first quartile are compared (hello's time ÷ the list's: 1.0x is as fast as
hello). Seeds as `bench/changelists.py` does, with BENCH_CONVERSATIONS (2,000 here) conversations.

    .venv/bin/python bench/repeat_view.py
    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_small .venv/bin/python bench/repeat_view.py

To compare two checkouts, run it in each (cd there first), one after the other, twice.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

os.environ.setdefault("BENCH_CONVERSATIONS", "2000")
sys.path.insert(0, str(Path.cwd()))

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

import bench.changelists as seeding  # noqa: E402  (sets the environment up, a fresh database, django.setup())
from portal.models import SyncState  # noqa: E402

VIEWS = int(os.environ.get("BENCH_VIEWS", "1000"))


def main() -> None:
    quiet = open(os.devnull, "w")
    call_command("migrate", verbosity=0)
    call_command("collectstatic", "--noinput", verbosity=0)
    call_command("sandbox_seed", "--demo", stdout=quiet)
    call_command("ensure_login", stdout=quiet)
    seeding.bulk_conversations(seeding.CONVERSATIONS, messages_each=1)
    seeding.seed_cache_conversations()
    for resource in ["conversations", *SyncState.objects.values_list("resource", flat=True)]:
        SyncState.objects.update_or_create(resource=resource, defaults={"synced_at": timezone.now(), "lease_until": None})
    user = get_user_model().objects.get(username="admin")
    get_user_model().objects.filter(pk=user.pk).update(is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(user)
    times: dict[str, list[float]] = {"/conversations/": [], "/bench-hello/": []}
    for url in times:
        for _ in range(20):  # warm: kept fragments, the kept page, caches
            assert client.get(url).status_code == 200
    for _ in range(VIEWS):
        for url, kept in times.items():
            started = time.perf_counter()
            client.get(url)
            kept.append(time.perf_counter() - started)

    def at(url, share):
        return sorted(times[url])[int(len(times[url]) * share)] * 1000

    ours, hello = "/conversations/", "/bench-hello/"
    print(f"{Path.cwd()} ({connection.vendor}, {VIEWS} views each, load {os.getloadavg()[0]:.1f}): "
          f"conversations fastest / p25 / median {at(ours, 0):.2f} / {at(ours, .25):.2f} / {at(ours, .5):.2f} ms, "
          f"hello {at(hello, 0):.2f} / {at(hello, .25):.2f} / {at(hello, .5):.2f} ms; "
          f"hello ÷ conversations {at(hello, 0) / at(ours, 0):.2f}x fastest, {at(hello, .25) / at(ours, .25):.2f}x p25")


if __name__ == "__main__":
    main()

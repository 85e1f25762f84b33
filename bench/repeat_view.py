"""Benchmark: a changelist's repeat view vs the hello view, in process (Django test client).

Without HTTP, gunicorn or a client in the measurement, a loaded 2-core machine still ranks the
two: views of /conversations/ and /bench-hello/ alternate 1,000 times, each timed alone, and
the fastest and the first quartile are compared (hello's time ÷ the list's: 1.0x is as fast as
hello). Seeds as `bench/changelists.py` does (`bench/seeding.py`), with BENCH_CONVERSATIONS (2,000 here) conversations.

    .venv/bin/python bench/repeat_view.py
    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_small .venv/bin/python bench/repeat_view.py

To compare two checkouts, run it in each (cd there first), one after the other, twice.

On PostgreSQL, BENCH_PREPARED=1 compares in one run the default connection (A: client-side
binding) with DATABASE_PREPARED's (B: server-side binding, prepared statements): rounds of
BENCH_VIEWS ÷ BENCH_ROUNDS views each alternate A, B, A, B… on a fresh connection each, and it
prints each side's min / median / max over rounds and the ratio.

    BENCH_PREPARED=1 BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_small .venv/bin/python bench/repeat_view.py

BENCH_BOUNDS=1 says where the list's time over hello's goes: rounds alternate four sides, the list
as it is, with its sync-state query free (the state and the generations it reads, read once
before and handed back), with `render_changelist` free (the page as first served, no kept-page
lookup, fill, CSRF token or column chooser), and with both free; each side's p25 per round and
hello's time ÷ the side's median. A side's gain is what no change to that part can beat.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

os.environ.setdefault("BENCH_CONVERSATIONS", "2000")
sys.path.insert(0, str(Path.cwd()))

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.http import HttpResponse  # noqa: E402
from django.test import Client  # noqa: E402

import bench.seeding as seeding  # noqa: E402  (sets the environment up, a fresh database, django.setup())
from conversations.views.conversations import CONVERSATIONS  # noqa: E402
from core.changelist import spec  # noqa: E402
from portal import generations  # noqa: E402

VIEWS = int(os.environ.get("BENCH_VIEWS", "1000"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "6"))
PREPARED = {"server_side_binding": True, "prepare_threshold": 5}  # as DATABASE_PREPARED sets them


def main() -> None:
    seeding.prepare()
    seeding.seed_conversations(seeding.CONVERSATIONS)
    seeding.mark_synced("conversations")
    user = get_user_model().objects.get(username="admin")
    get_user_model().objects.filter(pk=user.pk).update(is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(user)
    if os.environ.get("BENCH_PREPARED") and connection.vendor == "postgresql":
        compare_prepared(client)
    elif os.environ.get("BENCH_BOUNDS"):
        bounds(client)
    else:
        one_run(client)


def views(client, count: int) -> dict[str, list[float]]:
    """`count` views of each page, alternating, after 20 warming views of each."""
    times: dict[str, list[float]] = {"/conversations/": [], "/bench-hello/": []}
    for url in times:
        for _ in range(20):  # warm: kept fragments, the kept page, caches, prepared statements
            assert client.get(url).status_code == 200
    for _ in range(count):
        for url, kept in times.items():
            started = time.perf_counter()
            client.get(url)
            kept.append(time.perf_counter() - started)
    return times


def at(kept: list[float], share: float) -> float:
    return sorted(kept)[int(len(kept) * share)] * 1000


def one_run(client) -> None:
    times = views(client, VIEWS)
    ours, hello = times["/conversations/"], times["/bench-hello/"]
    print(f"{Path.cwd()} ({connection.vendor}, {VIEWS} views each, load {os.getloadavg()[0]:.1f}): "
          f"conversations fastest / p25 / median {at(ours, 0):.2f} / {at(ours, .25):.2f} / {at(ours, .5):.2f} ms, "
          f"hello {at(hello, 0):.2f} / {at(hello, .25):.2f} / {at(hello, .5):.2f} ms; "
          f"hello ÷ conversations {at(hello, 0) / at(ours, 0):.2f}x fastest, {at(hello, .25) / at(ours, .25):.2f}x p25")


def compare_prepared(client) -> None:
    """A (client-side binding, Django's default) and B (DATABASE_PREPARED), interleaved by round."""
    default = dict(connection.settings_dict.get("OPTIONS") or {})
    sides = {"A client-side": default, "B prepared": {**default, **PREPARED}}
    found: dict[str, dict[str, list[float]]] = {side: {"list": [], "hello": [], "ratio": []} for side in sides}
    load = [os.getloadavg()[0]]
    for _ in range(ROUNDS):
        for side, options in sides.items():
            connection.close()
            connection.settings_dict["OPTIONS"] = options
            times = views(client, VIEWS // ROUNDS)
            ours, hello = at(times["/conversations/"], .25), at(times["/bench-hello/"], .25)
            found[side]["list"].append(ours)
            found[side]["hello"].append(hello)
            found[side]["ratio"].append(hello / ours)
    connection.close()
    connection.settings_dict["OPTIONS"] = default
    load.append(os.getloadavg()[0])

    def spread(values: list[float], unit: str) -> str:
        ordered = sorted(values)
        return f"{ordered[0]:.3f} / {ordered[len(ordered) // 2]:.3f} / {ordered[-1]:.3f}{unit}"

    print(f"{Path.cwd()} (postgresql, {ROUNDS} rounds of {VIEWS // ROUNDS} views each side, "
          f"load {load[0]:.1f} → {load[1]:.1f}); p25 per round, min / median / max:")
    for side, kept in found.items():
        print(f"  {side:14} conversations {spread(kept['list'], ' ms')}, hello {spread(kept['hello'], ' ms')}, "
              f"hello ÷ conversations {spread(kept['ratio'], 'x')}")
    a, b = (sorted(found[side]["list"])[ROUNDS // 2] for side in sides)
    print(f"  B ÷ A conversations (median round): {b / a:.2f}")


def bounds(client) -> None:
    """The list as it is, and with its state query, its kept page's Python, or both made free."""
    as_is_state, as_is_render = CONVERSATIONS.state, spec.render_changelist
    views(client, 1)  # warm
    state = as_is_state(CONVERSATIONS.resource)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {generations.all_as_column()}")
        kept_generations = cursor.fetchone()[0]
    page = client.get("/conversations/").content

    def free_state(resource, **_):
        generations.prime(kept_generations)  # as the query would
        return state

    sides = {"as is": (as_is_state, as_is_render), "state query free": (free_state, as_is_render),
             "render free": (as_is_state, lambda request, **_: HttpResponse(page)), "both free": (free_state, lambda request, **_: HttpResponse(page))}
    as_is_ahead = spec.read_listing_state_ahead  # the state rides on the session's read: free means not asked for either
    found: dict[str, list[float]] = {side: [] for side in sides}
    hello: list[float] = []
    load = [os.getloadavg()[0]]
    try:
        for _ in range(ROUNDS):
            for side, (state_of, render) in sides.items():
                CONVERSATIONS.state, spec.render_changelist = state_of, render
                spec.read_listing_state_ahead = as_is_ahead if state_of is as_is_state else (lambda resource: None)
                times = views(client, VIEWS // ROUNDS)
                found[side].append(at(times["/conversations/"], .25))
                hello.append(at(times["/bench-hello/"], .25))
    finally:
        CONVERSATIONS.state, spec.render_changelist, spec.read_listing_state_ahead = as_is_state, as_is_render, as_is_ahead
    load.append(os.getloadavg()[0])
    median_hello = sorted(hello)[len(hello) // 2]
    print(f"{Path.cwd()} ({connection.vendor}, {ROUNDS} rounds of {VIEWS // ROUNDS} views each side, load {load[0]:.1f} → {load[1]:.1f}); "
          f"p25 per round min / median / max; hello {min(hello):.3f} / {median_hello:.3f} / {max(hello):.3f} ms")
    for side, kept in found.items():
        ordered = sorted(kept)
        print(f"  {side:17} {ordered[0]:.3f} / {ordered[len(ordered) // 2]:.3f} / {ordered[-1]:.3f} ms, "
              f"hello ÷ it {median_hello / ordered[len(ordered) // 2]:.2f}x")


if __name__ == "__main__":
    main()

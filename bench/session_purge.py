"""Benchmark: ending one user's sessions among N stored sessions, before and after the user id
column (`portal.session_engines`), interleaved.

Stores N sessions (as the portal's engine saves them: signed data and the user id column) for
1,000 users, then, ×ROUNDS alternating: the old way (read every unexpired session, decode each
and keep those naming the user; the rows then deleted) and `console.users.services.end_sessions`
(the user's rows by the indexed column). Each round first gives the user 2 fresh sessions.

    .venv/bin/python bench/session_purge.py [N] [ROUNDS]          # default 100000 3
    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/NAME …   # PostgreSQL (NAME dropped and made again)
"""

import base64
import json
import os
import statistics
import sys
import tempfile
import time
import zlib
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PG_URL = os.environ.get("BENCH_DATABASE_URL", "")
os.environ.update({"DJANGO_SETTINGS_MODULE": "portal.settings",
                   "DATABASE_URL": PG_URL or f"sqlite:///{Path(tempfile.mkdtemp()) / 'sessions.sqlite3'}"})
os.environ.setdefault("LOG_LEVEL", "WARNING")

import django  # noqa: E402

django.setup()

from django.contrib.auth import SESSION_KEY  # noqa: E402
from django.contrib.auth.models import User  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from console.users.services import end_sessions  # noqa: E402
from portal.models import UserSession  # noqa: E402
from portal.session_engines.db import SessionStore  # noqa: E402


def _claimed_user_id(data: str) -> str | None:
    """The old code's cheap sieve: the user id a stored session names, its signature unchecked."""
    payload = data.split(":", 1)[0]
    try:
        raw = base64.urlsafe_b64decode(payload.lstrip(".") + "=" * (-len(payload.lstrip(".")) % 4))
        value = json.loads(zlib.decompress(raw) if payload.startswith(".") else raw)
    except (ValueError, zlib.error):
        return None
    return str(value.get(SESSION_KEY)) if isinstance(value, dict) else None


def old_way(user: User) -> int:
    """What end_sessions did before the column (main at be4f594): read every unexpired session,
    sieve it by the id it names, decode the matches properly."""
    wanted, ended = str(user.pk), []
    rows = UserSession.objects.filter(expire_date__gt=timezone.now()).values_list("session_key", "session_data")
    for key, data in rows.iterator(chunk_size=5000):
        if _claimed_user_id(data) == wanted and str(SessionStore().decode(data).get(SESSION_KEY)) == wanted:
            ended.append(key)
    UserSession.objects.filter(session_key__in=ended).delete()
    return len(ended)


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    if PG_URL:
        import psycopg

        name = connection.settings_dict["NAME"]
        connection.close()
        with psycopg.connect(PG_URL.rsplit("/", 1)[0] + "/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
            admin.execute(f'CREATE DATABASE "{name}"')
    call_command("migrate", verbosity=0)
    users = User.objects.bulk_create([User(username=f"user-{i}") for i in range(1000)])
    users = list(User.objects.order_by("pk"))
    store, expire = SessionStore(), timezone.now() + timedelta(days=14)
    data = [store.encode({SESSION_KEY: str(u.pk), "_auth_user_backend": "x"}) for u in users]  # one per user
    for start in range(0, n, 5000):
        UserSession.objects.bulk_create([
            UserSession(session_key=f"{i:040d}", expire_date=expire, user_id=users[i % 1000].pk, session_data=data[i % 1000])
            for i in range(start, min(n, start + 5000))])
    target = users[0]
    times = {"decode every session (before)": [], "indexed user id (after)": []}
    for r in range(rounds):
        for name, purge in (("decode every session (before)", old_way), ("indexed user id (after)", end_sessions)):
            for _ in range(2):
                session = SessionStore()
                session[SESSION_KEY] = str(target.pk)
                session.save()
            started = time.perf_counter()
            with transaction.atomic():  # as inside a role change
                ended = purge(target)
            times[name].append(time.perf_counter() - started)
            print(f"round {r + 1}, {name}: {ended} ended in {times[name][-1]:.3f} s", flush=True)
    print(f"\n{time.strftime('%Y-%m-%d %H:%M')}; {connection.vendor}; {UserSession.objects.count():,} sessions; "
          f"load {os.getloadavg()[0]:.1f}")
    for name, values in times.items():
        print(f"{name:>32}: {min(values):.4f} / {statistics.median(values):.4f} / {max(values):.4f} s (min / median / max)")
    before, after = (statistics.median(v) for v in times.values())
    print(f"ratio of medians {before / after:.0f}x")


if __name__ == "__main__":
    main()

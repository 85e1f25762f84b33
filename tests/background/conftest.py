"""Real Celery workers for integration tests: a `celery -A portal worker` subprocess on the
test database, against the sandbox served by the live server, on either broker.

The embedded (filesystem) broker always runs; Redis runs at TEST_REDIS_URL (default
redis://127.0.0.1:6379/1) and is skipped when unreachable, unless CI=true. Each test gets a
queue of its own, so runs sharing a Redis never take each other's messages.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.db import connection

from portal.celery import app

ROOT = Path(__file__).resolve().parents[2]
TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/1")


def _redis_reachable() -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(TEST_REDIS_URL, socket_connect_timeout=2).ping())
    except redis.RedisError:
        return False


def _database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    return f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


class Worker:
    """One worker process group; `kill()` is SIGKILL to the main process and its children."""

    def __init__(self, env: dict, log: Path):
        self.env, self.log, self.proc = env, log, None

    def start(self, timeout: float = 60.0) -> "Worker":
        out = self.log.open("ab")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "portal", "worker", "--loglevel", "INFO", "--concurrency", "1",
             "--without-mingle", "--without-gossip", "-Q", self.env["CELERY_TASK_DEFAULT_QUEUE"], "-n", f"test-{uuid.uuid4().hex[:6]}@%h"],
            cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if b"ready." in self.log.read_bytes():
                return self
            if self.proc.poll() is not None:
                break
            time.sleep(0.2)
        raise AssertionError(f"the worker did not start:\n{self.log.read_text()[-3000:]}")

    def kill(self) -> None:
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=10)

    def stop(self) -> None:
        """At the end of a test nothing the worker holds matters any more: SIGKILL, not a warm
        shutdown, which waits out the filesystem transport's polling for 5–6 s per worker
        (about a minute of every pass). The tests that stop a worker on purpose call `kill()`."""
        if self.proc and self.proc.poll() is None:
            self.kill()


@pytest.fixture(params=["embedded", "redis"])
def broker(request, tmp_path, settings):
    """Point this process's Celery app at the broker and return the environment for workers."""
    queue = f"test-{uuid.uuid4().hex[:10]}"
    env = {k: v for k, v in os.environ.items() if k not in ("TELNYX_API_KEY", "REDIS_URL", "DATABASE_URL")}
    if request.param == "redis":
        if not _redis_reachable():
            if os.environ.get("CI") == "true":
                pytest.fail(f"Redis at {TEST_REDIS_URL} is not reachable")
            pytest.skip(f"Redis at {TEST_REDIS_URL} is not reachable")
        env["CELERY_BROKER_URL"] = TEST_REDIS_URL
        conf = {"broker_url": TEST_REDIS_URL, "broker_transport_options": {"visibility_timeout": 3600}}
    else:
        folder = tmp_path / "broker"
        env["CELERY_BROKER_URL"] = "filesystem://"
        env["CELERY_BROKER_DIR"] = str(folder)
        options = {f"{name}": str(folder / sub) for name, sub in (
            ("data_folder_in", "queue"), ("data_folder_out", "queue"), ("processed_folder", "processed"),
            ("control_folder", "control"))}
        for sub in ("queue", "processed", "control"):
            (folder / sub).mkdir(parents=True, exist_ok=True)
        conf = {"broker_url": "filesystem://", "broker_transport_options": options}
    env["CELERY_TASK_DEFAULT_QUEUE"] = queue
    saved = {key: app.conf[key] for key in (*conf, "task_default_queue", "task_always_eager")}
    app.conf.update(**conf, task_default_queue=queue, task_always_eager=False)
    app._after_fork()  # drop pooled connections to the previous broker
    yield env
    app.conf.update(**saved)
    app._after_fork()


@pytest.fixture
def start_worker(broker, sandbox, live_server, tmp_path):
    """Start workers (`start_worker(**extra_env)`), all stopped at the end of the test."""
    workers: list[Worker] = []
    from django.conf import settings

    def start(**extra) -> Worker:
        env = {**broker, "DATABASE_URL": _database_url(), "TELNYX_BASE_URL": sandbox,
               "SANDBOX_API_KEY": settings.SANDBOX_API_KEY, "TELNYX_MAX_RETRIES": "0", "LOG_LEVEL": "WARNING",
               "PYTHONUNBUFFERED": "1", **{k: str(v) for k, v in extra.items()}}
        worker = Worker(env, tmp_path / f"worker-{len(workers)}.log")
        workers.append(worker)
        return worker.start()

    yield start
    for worker in workers:
        worker.stop()


def wait_for(condition, *, timeout: float = 60.0, what: str = "the condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.25)
    raise AssertionError(f"timed out waiting for {what}")

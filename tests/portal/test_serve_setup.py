"""`manage.py serve_setup` (what bin/serve runs before serving) does each step only when needed,
and a restart skips what the first start did."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command

ROOT = Path(__file__).resolve().parents[2]


def setup(**options) -> str:
    out = io.StringIO()
    call_command("serve_setup", stdout=out, **options)
    return out.getvalue()


@pytest.mark.django_db
def test_a_restart_skips_migrate_and_collectstatic_and_keeps_the_password(settings, tmp_path, monkeypatch):
    settings.STATIC_ROOT = tmp_path / "static"
    settings.SANDBOX_MODE = True
    monkeypatch.delenv("PORTAL_ADMIN_PASSWORD", raising=False)
    first = setup()
    assert "==> Database: up to date" in first  # the test database is migrated already
    assert "==> Static files: collected" in first and (tmp_path / "static" / "portal").is_dir()
    password = first.split("password: ")[1].split()[0]  # the new login's password is printed once
    again = setup()
    assert "==> Static files: unchanged since the last collection" in again
    assert "password unchanged" in again and User.objects.get(username="admin").check_password(password)
    stamp = tmp_path / "static" / ".collected"
    stamp.write_text("a static file changed")
    assert "==> Static files: collected" in setup()


def test_bin_serve_installs_requirements_only_when_they_changed():
    script = (ROOT / "bin" / "serve").read_text()
    assert 'stamp=".venv/.requirements-$(sha256sum requirements.txt' in script and 'if [ ! -f "$stamp" ]' in script
    assert "setup_args+=(--sandbox)" in script and '-m portal.server "${setup_args[@]}" &' in script
    assert "manage.py migrate" not in script and "manage.py serve_setup" not in script


def test_starting_the_portal_does_not_import_scipy():
    """scipy.stats took half of each process's start (web, worker, beat, serve_setup); only a gate
    evaluation or the planner needs it, and those import it on first use."""
    import subprocess
    import sys

    code = ("import os, sys; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'portal.settings');"
            "from portal.wsgi import application; from django.urls import get_resolver; get_resolver().url_patterns;"
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('scipy', 'numpy')))")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]", result.stdout


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_the_server_sets_up_then_serves_the_login_page_and_stops_with_its_children(tmp_path):
    """What bin/serve starts: one Django start runs serve_setup on an empty database, then forks
    the web processes; the ready file appears once they serve, and SIGTERM stops them all."""
    import os
    import signal
    import subprocess
    import sys
    import time
    import urllib.request

    port, ready = free_port(), tmp_path / "ready"
    env = {**os.environ, "PORT": str(port), "WEB_WORKERS": "2", "WEB_THREADS": "2", "PORTAL_READY_FILE": str(ready),
           "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}", "STATIC_ROOT": str(tmp_path / "static"),
           "DJANGO_SETTINGS_MODULE": "portal.settings", "DEBUG": "false", "CELERY_BROKER_DIR": str(tmp_path / "broker")}
    env.pop("TELNYX_API_KEY", None)
    server = subprocess.Popen([sys.executable, "-m", "portal.server", "--setup", "--sandbox"], cwd=ROOT, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 240
        while not ready.exists() and server.poll() is None and time.monotonic() < deadline:
            time.sleep(0.1)
        assert ready.exists(), server.communicate(timeout=5)[0] if server.poll() is not None else "not ready in time"
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/login/", timeout=60) as page:
            assert page.status == 200 and b"csrfmiddlewaretoken" in page.read()
        children = subprocess.run(["pgrep", "-P", str(server.pid)], capture_output=True, text=True).stdout.split()
        assert len(children) == 2
    finally:
        server.send_signal(signal.SIGTERM)
        output = server.communicate(timeout=30)[0]
    assert "==> Database: applied" in output and "Login created: admin" in output and "Serving on" in output
    assert all(subprocess.run(["kill", "-0", child], capture_output=True).returncode != 0 for child in children)


@pytest.mark.django_db
def test_a_restart_finds_every_migration_recorded_and_a_new_one_is_still_seen():
    from django.db.migrations.recorder import MigrationRecorder

    from portal.management.commands.serve_setup import all_recorded_applied, migration_files

    assert ("portal", "0001_initial") in migration_files() and all_recorded_applied()  # no graph loaded
    MigrationRecorder.Migration.objects.filter(app="portal").order_by("-id").first().delete()  # as a new file would be
    assert not all_recorded_applied()  # then the full plan is asked (serve_setup migrates)

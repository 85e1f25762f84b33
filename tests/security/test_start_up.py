"""Starting the portal: no built-in secret key against real Telnyx, no demo logins or printed
passwords outside sandbox mode."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command

ROOT = Path(__file__).resolve().parents[2]


def _start(*args: str, **env: str) -> subprocess.CompletedProcess:
    """Run manage.py in a fresh process with only `env` on top of a clean environment."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("SECRET_KEY", "TELNYX_", "DEBUG", "SANDBOX_"))}
    clean.pop("DJANGO_SETTINGS_MODULE", None)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env={**clean, **env}, capture_output=True, text=True, timeout=60
    )


def test_real_telnyx_without_secret_key_refuses_to_start_and_says_why():
    result = _start("check", TELNYX_API_KEY="KEYreal_not_a_sandbox_key", DEBUG="false")
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


@pytest.mark.parametrize("debug", ["true", "false"])
def test_real_telnyx_never_starts_on_the_built_in_key_even_with_debug(debug):
    from portal.settings import BUILT_IN_SECRET_KEY

    missing = _start("check", TELNYX_API_KEY="KEYreal_not_a_sandbox_key", DEBUG=debug)
    assert missing.returncode != 0 and "SECRET_KEY is not set" in missing.stderr
    # Setting the published key by hand is no better than leaving it out.
    named = _start("check", TELNYX_API_KEY="KEYreal_not_a_sandbox_key", DEBUG=debug, SECRET_KEY=BUILT_IN_SECRET_KEY)
    assert named.returncode != 0 and "built-in sandbox key" in named.stderr


def test_real_telnyx_with_a_secret_key_starts():
    result = _start("check", TELNYX_API_KEY="KEYreal_not_a_sandbox_key", DEBUG="false", SECRET_KEY="s" * 10 + "Q7x!" * 12)
    assert result.returncode == 0, result.stderr


def test_check_deploy_reports_the_built_in_sandbox_key():
    result = _start("check", "--deploy")
    assert "security.W009" in result.stderr + result.stdout


@pytest.mark.django_db
def test_outside_sandbox_no_demo_logins_and_no_password_printed(settings, monkeypatch):
    settings.SANDBOX_MODE = False
    monkeypatch.delenv("PORTAL_ADMIN_PASSWORD", raising=False)
    out = io.StringIO()
    call_command("ensure_login", "--demo-roles", stdout=out)
    admin = User.objects.get(username="admin")
    assert not admin.has_usable_password()
    assert not User.objects.filter(username__in=["operator", "viewer"]).exists()
    text = out.getvalue()
    assert "password:" not in text and "changepassword admin" in text


@pytest.mark.django_db
def test_outside_sandbox_a_given_password_is_used_but_never_printed(settings, monkeypatch):
    settings.SANDBOX_MODE = False
    monkeypatch.setenv("PORTAL_ADMIN_PASSWORD", "Given-pass-8812")
    out = io.StringIO()
    call_command("ensure_login", stdout=out)
    assert User.objects.get(username="admin").check_password("Given-pass-8812")
    assert "Given-pass-8812" not in out.getvalue()


@pytest.mark.django_db
def test_sandbox_mode_creates_demo_logins_and_prints_the_generated_password(settings, monkeypatch):
    settings.SANDBOX_MODE = True
    monkeypatch.delenv("PORTAL_ADMIN_PASSWORD", raising=False)
    out = io.StringIO()
    call_command("ensure_login", "--demo-roles", stdout=out)
    password = out.getvalue().split("password: ")[1].split()[0]
    for name in ("admin", "operator", "viewer"):
        assert User.objects.get(username=name).check_password(password)


def test_bin_serve_binds_loopback_unless_bind_is_set():
    script = (ROOT / "bin" / "serve").read_text()
    assert 'BIND="${BIND:-127.0.0.1}"' in script and "export BIND" in script
    assert '.venv/bin/python -m portal.server "${setup_args[@]}" &' in script
    assert 'os.environ.get("BIND", "127.0.0.1")' in (ROOT / "portal" / "server.py").read_text()
    assert "0.0.0.0" not in script

"""The nginx configuration the README ships: valid for nginx (`nginx -t`, skipped where nginx
is not installed), and always checked for what it promises: timeouts for slow clients, the
portal's body limits, request buffering, and X-Forwarded-For set rather than passed on."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings

CONFIG = Path(settings.BASE_DIR) / "deploy" / "nginx-portal.conf"
MB = 1024 * 1024


def directives(block: str) -> dict[str, str]:
    return {m.group(1): m.group(2).strip() for m in re.finditer(r"^\s*([a-z_]+)\s+([^;{]+);", block, re.M)}


def server_block() -> str:
    text = CONFIG.read_text()
    return text[text.index("server {"):]


def test_the_config_sets_timeouts_limits_and_buffering():
    server = directives(server_block().split("location")[0])
    assert server["client_header_timeout"] == "10s" and server["client_body_timeout"] == "30s"
    assert server["send_timeout"] == "30s" and server["proxy_request_buffering"] == "on"
    assert server["client_max_body_size"] == f"{settings.REQUEST_MAX_BYTES // MB}m"
    # Set to the address nginx saw, never $proxy_add_x_forwarded_for (which keeps what a client wrote).
    assert re.search(r"^\s*proxy_set_header X-Forwarded-For \$remote_addr;", server_block(), re.M)
    assert "proxy_add_x_forwarded_for" not in CONFIG.read_text()


def test_only_the_upload_views_take_larger_bodies_and_the_sandbox_is_closed():
    locations = dict(re.findall(r"location ([^{]+)\{([^}]*)\}", server_block()))
    larger = {where.strip().removeprefix("= ") for where, body in locations.items() if "client_max_body_size" in body}
    from portal.request_limits import upload_paths

    assert larger == {path for path in upload_paths() if not path.startswith("/sandbox/")}
    upload = directives(locations["= /inference/transcribe/ "])
    assert upload["client_max_body_size"] == f"{settings.UPLOAD_MAX_BYTES // MB}m"
    assert "return 404" in locations["/sandbox/ "]


@pytest.mark.skipif(shutil.which("nginx") is None, reason="nginx is not installed")
def test_nginx_accepts_the_config(tmp_path):
    main = tmp_path / "nginx.conf"
    main.write_text(f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\nevents {{}}\n"
                    f"http {{\n  access_log off;\n  client_body_temp_path {tmp_path}/body;\n  include {CONFIG};\n}}\n")
    result = subprocess.run([shutil.which("nginx"), "-t", "-p", str(tmp_path), "-c", str(main)],
                            capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr
    assert "syntax is ok" in result.stderr

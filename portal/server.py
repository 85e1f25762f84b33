"""The web server `bin/serve` runs: waitress, in WEB_WORKERS processes sharing one socket.

Why waitress: its I/O loop reads a whole request, headers and body, before a worker thread
sees it, so a client that sends half a request and stalls costs a socket, not a thread.
gunicorn's gthread worker hands a connection to a thread as soon as any byte arrives, and
~200 such clients held every thread of `bin/serve` (issue 22). An ASGI server would not
help here: Django runs sync views one at a time on a single thread under ASGI, and in
sandbox mode a view calls this same server, which would deadlock.

Limits applied here, in the I/O loop, before a body is read (bench/load.py measures them):
- a request body over REQUEST_MAX_BYTES is refused with 413 unless its path is an upload
  view's, which may send UPLOAD_MAX_BYTES (the app then also requires a login:
  portal/request_limits.py);
- a connection idle for WEB_CHANNEL_TIMEOUT seconds without a complete request is closed;
- at most WEB_CONNECTION_LIMIT open connections per process (then new ones wait in the
  kernel's backlog).

One process per core gets round the GIL; each process runs WEB_THREADS threads. A child
that exits stops the others and the command (bin/serve then stops the worker and beat).

    .venv/bin/python -m portal.server   # BIND, PORT, WEB_WORKERS, WEB_THREADS from the environment
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import sys
import time

from waitress.channel import HTTPChannel
from waitress.parser import HTTPRequestParser
from waitress.utilities import RequestEntityTooLarge

logger = logging.getLogger("portal.access")

def _env_int(name: str, default: int) -> int:
    return int(os.environ.get(name) or default)


class SizeLimitedParser(HTTPRequestParser):
    """waitress's parser, with the default body limit for every path but the upload views'.
    `limits` is (default bytes, upload bytes, upload paths), set by `serve_socket`."""

    limits: tuple[int, int, frozenset[str]] = (0, 0, frozenset())

    def limit(self) -> int:
        default, upload, paths = self.limits
        return upload if self.path in paths else default

    def parse_header(self, header_plus):
        super().parse_header(header_plus)
        if self.content_length > self.limit():
            self._refuse()

    def received(self, data):
        consumed = super().received(data)
        if self.chunked and not self.error and self.body_bytes_received > self.limit():
            self._refuse()  # a chunked body has no length up front: stop once it passes the limit
        return consumed

    def _refuse(self) -> None:
        self.error = RequestEntityTooLarge(f"The request body is larger than this path accepts ({self.limit()} bytes).")
        self.completed = True


class SizeLimitedChannel(HTTPChannel):
    parser_class = SizeLimitedParser


class AccessLog:
    """One line per request (but the sandbox's: the Telnyx client logs those calls already),
    written when the response is done, streaming ones included."""

    def __init__(self, application):
        from portal.log_filters import SANDBOX_PREFIX

        self.application, self.skip = application, SANDBOX_PREFIX

    def __call__(self, environ, start_response):
        started, status = time.perf_counter(), []

        def recording_start_response(code, headers, *args):
            status.append(code.split(" ", 1)[0])
            return start_response(code, headers, *args)

        body = self.application(environ, recording_start_response)
        path = environ.get("PATH_INFO", "")
        if path.startswith(self.skip):
            return body
        return _LoggedBody(body, lambda: logger.info(
            '%s "%s %s" %s %.0fms', environ.get("REMOTE_ADDR", "-"), environ.get("REQUEST_METHOD"), path,
            status[0] if status else "-", (time.perf_counter() - started) * 1000))


class _LoggedBody:
    def __init__(self, body, log):
        self.body, self.log = body, log

    def __iter__(self):
        return iter(self.body)

    def close(self):
        try:
            if hasattr(self.body, "close"):
                self.body.close()
        finally:
            self.log()


def serve_socket(sock: socket.socket) -> None:
    """Serve the portal on an already listening socket until stopped."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    from django.conf import settings
    from waitress.server import create_server

    from portal.request_limits import upload_paths
    from portal.wsgi import application

    SizeLimitedParser.limits = (settings.REQUEST_MAX_BYTES, settings.UPLOAD_MAX_BYTES, frozenset(upload_paths()))
    server = create_server(
        AccessLog(application), sockets=[sock], ident="telnyx-portal",
        threads=_env_int("WEB_THREADS", 8),
        connection_limit=_env_int("WEB_CONNECTION_LIMIT", 2000),
        channel_timeout=_env_int("WEB_CHANNEL_TIMEOUT", 30),
        cleanup_interval=5,
        max_request_body_size=settings.UPLOAD_MAX_BYTES,
        max_request_header_size=64 * 1024,
        asyncore_use_poll=True,  # select() stops at 1024 descriptors
    )
    server.channel_class = SizeLimitedChannel
    server.run()


def listen(bind: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in bind else socket.AF_INET
    return socket.create_server((bind.strip("[]"), port), family=family, backlog=2048)


def prepare(setup: list[str] | None) -> None:
    """In the parent, before the children are forked: Django loaded once (each child paid a
    whole start when it imported the project itself), `serve_setup` run in the same start when
    asked (one Django start where bin/serve paid two before serving), and what the first
    request would build (URL resolver, the login page's templates) built once for all."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    import django

    django.setup()
    if setup is not None:
        from django.core.management import call_command

        call_command("serve_setup", *setup)
    from django.db import connections
    from django.template.loader import get_template
    from django.urls import get_resolver

    import portal.wsgi  # noqa: F401  the application and its middleware chain

    get_resolver().url_patterns
    for name in ("registration/login.html",):
        get_template(name)
    connections.close_all()  # no connection crosses a fork: each child opens its own


def main(argv: list[str] | None = None) -> int:
    """`python -m portal.server [--setup [--sandbox]]`: load Django (and run serve_setup with
    --setup), then fork WEB_WORKERS children serving one listening socket. When
    PORTAL_READY_FILE is set, that file is created once the children are serving (bin/serve
    waits for it before it starts the worker and beat)."""
    argv = sys.argv[1:] if argv is None else argv
    setup = [arg for arg in argv if arg == "--sandbox"] if "--setup" in argv else None
    started = time.monotonic()
    prepare(setup)
    bind, port = os.environ.get("BIND", "127.0.0.1"), _env_int("PORT", 8000)
    sock = listen(bind, port)
    workers = _env_int("WEB_WORKERS", 2)
    children: list[int] = []

    def stop(signum, frame):
        for child in children:
            try:
                os.kill(child, signal.SIGTERM)
            except ProcessLookupError:
                pass

    signal.signal(signal.SIGTERM, stop)  # before the forks: a stop that comes meanwhile still reaches every child
    signal.signal(signal.SIGINT, stop)
    for _ in range(workers):
        pid = os.fork()
        if pid == 0:  # a child: serve until stopped, never return into the parent's code
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            signal.signal(signal.SIGINT, signal.default_int_handler)
            code = 1
            try:
                serve_socket(sock)
                code = 0
            finally:
                os._exit(code)
        children.append(pid)
    sock.close()
    print(f"Serving on http://{bind}:{port}/ ({workers} processes × {_env_int('WEB_THREADS', 8)} threads, waitress) "
          f"{time.monotonic() - started:.1f} s after start", flush=True)
    ready = os.environ.get("PORTAL_READY_FILE")
    if ready:
        with open(ready, "w") as marker:
            marker.write(str(os.getpid()))

    pid, status = os.wait()  # the first child to exit ends the server
    stop(None, None)
    for child in children:
        if child != pid:
            os.waitpid(child, 0)
    return os.waitstatus_to_exitcode(status)


if __name__ == "__main__":
    sys.exit(main())

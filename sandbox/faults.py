"""Fault injection for the sandbox: latency, error statuses, 429s, timeouts, dropped connections.

A fault spec is a short string, e.g. ``status=503``, ``status=503;rate=0.3``,
``status=429;retry_after=1``, ``latency=250`` (ms), ``timeout=5`` (s), ``drop`` (cut the
connection instead of answering) or ``drop_after`` (do the work, then cut the connection: the
client cannot tell whether its create happened, which is what Idempotency-Key is for).
Parts may be separated by ``;`` or ``,``. A request gets a spec from its
``X-Sandbox-Fault`` header, otherwise from ``settings.SANDBOX_FAULTS``; with neither,
nothing is injected.
"""

from __future__ import annotations

import socket
import time
from dataclasses import dataclass

from django.conf import settings
from django.http import HttpResponse, StreamingHttpResponse

from sandbox import dice

FAULT_HEADER = "HTTP_X_SANDBOX_FAULT"

class FaultSpecError(ValueError):
    """A fault spec that cannot be parsed."""


@dataclass(frozen=True)
class Fault:
    status: int | None = None
    rate: float = 1.0
    retry_after: float | None = None
    latency_ms: int = 0
    timeout_s: float = 0.0
    drop: bool = False
    drop_after: bool = False


def parse_fault(spec: str) -> Fault | None:
    """Parse a fault spec string; empty or blank means no fault."""
    spec = (spec or "").strip()
    if not spec:
        return None
    values: dict = {}
    for part in spec.replace(",", ";").split(";"):
        part = part.strip()
        if not part:
            continue
        key, _, raw = part.partition("=")
        key = key.strip().lower()
        raw = raw.strip()
        try:
            if key == "status":
                values["status"] = int(raw)
            elif key == "rate":
                values["rate"] = float(raw)
            elif key == "retry_after":
                values["retry_after"] = float(raw)
            elif key == "latency":
                values["latency_ms"] = int(raw)
            elif key == "timeout":
                values["timeout_s"] = float(raw)
            elif key in ("drop", "drop_after"):
                values[key] = True
                if raw:
                    values["rate"] = float(raw)
            else:
                raise FaultSpecError(f"unknown fault key {key!r}")
        except ValueError as exc:
            raise FaultSpecError(f"bad fault part {part!r}") from exc
    if values.get("status") == 429 and "retry_after" not in values:
        values["retry_after"] = 1.0
    _check_ranges(values)
    return Fault(**values)


# What a fault may ask for: an HTTP error status, a probability, and waits no longer than a
# client would ever sit through (a spec asking for more is refused, never a stuck thread).
RANGES = {"status": (400, 599), "rate": (0.0, 1.0), "retry_after": (0.0, 3600.0),
          "latency_ms": (0, 30_000), "timeout_s": (0.0, 60.0)}


def _check_ranges(values: dict) -> None:
    for key, (low, high) in RANGES.items():
        value = values.get(key)
        if value is not None and not low <= value <= high:  # NaN is never in range either
            raise FaultSpecError(f"{key} must be between {low:g} and {high:g}")


def reset_rng(seed: int | None = None) -> None:
    """Restart the sandbox dice from a seed (settings.SANDBOX_SEED by default), for tests."""
    dice.reset(seed)


def _roll(rate: float) -> bool:
    return rate >= 1 or dice.uniform("faults") < rate


def fault_for(request) -> Fault | None:
    """The fault to apply to this request, if any (header first, then the global setting)."""
    spec = request.META.get(FAULT_HEADER) or settings.SANDBOX_FAULTS
    fault = parse_fault(spec)
    if fault is None or not _roll(fault.rate):
        return None
    return fault


def apply_fault(request, fault: Fault) -> HttpResponse | None:
    """Sleep as the fault says, then return a replacement response, or None to carry on."""
    if fault.latency_ms:
        time.sleep(fault.latency_ms / 1000)
    if fault.timeout_s:
        time.sleep(fault.timeout_s)
    if fault.drop:
        return dropped_connection_response(request)
    if fault.status:
        return None  # the caller renders the error envelope, see api.py
    return None


def _client_socket(environ) -> socket.socket | None:
    """Find the client socket under gunicorn or Django's own server (best effort)."""
    sock = environ.get("gunicorn.socket")
    if sock is not None:
        return sock
    stream = environ.get("wsgi.input")
    # Django's dev/live server wraps the socket file in a LimitedStream that keeps only
    # bound methods of the buffered reader; follow them down to the socket.
    reader = getattr(getattr(stream, "_read", None), "__self__", None)
    raw = getattr(reader, "raw", None)
    return getattr(raw, "_sock", None)


def dropped_connection_response(request) -> HttpResponse:
    """Cut the connection so the client sees a network error, not an HTTP answer."""
    sock = _client_socket(request.environ)
    if sock is not None:
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
    # Whatever the server still writes is a truncated body: a Content-Length it never meets.
    response = StreamingHttpResponse(iter([b'{"data": ']), content_type="application/json")
    response["Content-Length"] = "4096"
    return response

"""What the assistant pages do with the hooks' answers (see assistants.hooks): a gate that
makes the Admin wait sends them to the request, one that refuses says why, and a change by
hand is followed by what other apps did about it (a rollout plan paused or ended)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from assistants import hooks
from assistants.hooks import GateAnswer


def answered(request: HttpRequest, gate: GateAnswer) -> HttpResponse | None:
    """None when the gate allows the change; otherwise a redirect to wait at, or (a refusal
    said as a message) None with `gate.allowed` False for the caller to show its page."""
    if gate.wait_url:
        messages.info(request, gate.wait_message)
        return redirect(gate.wait_url)
    if not gate.allowed:
        messages.error(request, gate.refusal)
    return None


def tell_live_change(request: HttpRequest, assistant_id: str, what: str, promoted_version_id: str = "") -> None:
    for text in hooks.live_changed(user=request.user, assistant_id=assistant_id, what=what,
                                   promoted_version_id=promoted_version_id):
        messages.warning(request, text)

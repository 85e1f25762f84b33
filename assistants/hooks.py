"""What apps built on assistants add to its pages, registered from their `AppConfig.ready()`.

Assistants imports none of those apps: releases depends on assistants, never the other way
round (tests/core/test_layering.py). Three kinds of hook:

- a *panel*: a template included on an assistant page (`canary`, `promote`), with a function
  giving the context it reads: `register_panel("canary", "releases/_card.html", context_fn)`;
- a *promotion gate*: asked before a version is promoted (or a rollback); it may refuse, or
  send the Admin to wait elsewhere (a second Admin's approval);
- a *canary gate*: asked before an Admin's canary rules are saved or restored, the same way;
- a *live-change listener*: told after an Admin changed by hand what callers get (canary rules
  saved, restored or deleted; a version promoted); it answers with sentences for the page
  (releases pauses or ends a rollout plan that was running);
- a *live-edit blocker*: asked before a write that makes a new main version at once (attaching
  a shared tool, moving inline tools into the library); it says why not (two-person approval);
- a *release note*: a sentence for the page after a version is saved, about what making it
  live will take (releases: "needs a second Admin's approval");
- a *picker*: the choices for a setting of the change form another app caches (the insight
  groups for `insight_group_id`): `register_choices("insight_group_id", fn)`;
- an *offer*: what an assistant's list of attached things may hold, each with the tools it makes
  available (the MCP servers for `mcp_servers`, the connected integrations for `integrations`):
  `register_offers("mcp_servers", fn)`; `fn()` raises `Unlisted` when it cannot list them now.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from django.core.exceptions import PermissionDenied


@dataclass(frozen=True)
class Panel:
    template: str
    #: (request, assistant_id, **page) -> the names the template reads.
    context: Callable[..., dict[str, Any]]


@dataclass(frozen=True)
class GateAnswer:
    allowed: bool
    refusal: str = ""
    #: Set when the promotion waits on someone: where to go, and what to say.
    wait_url: str = ""
    wait_message: str = ""


_panels: dict[str, list[Panel]] = {}
_gates: list[Callable[..., GateAnswer]] = []
_canary_gates: list[Callable[..., GateAnswer]] = []
_live_listeners: list[Callable[..., list[str]]] = []
_trial_blockers: list[Callable[[str], str]] = []
_choices: dict[str, Callable[[], list[tuple[str, str]]]] = {}
_release_notes: list[Callable[[str], str]] = []
_live_edit_blockers: list[Callable[[str, str], str]] = []


@dataclass(frozen=True)
class Offer:
    """One thing a picker offers: its id, what a person calls it, the tools it makes available."""

    value: str
    label: str
    tools: tuple[str, ...] = ()


class Unlisted(Exception):
    """An offer provider cannot list its choices now; str() says why, for the page."""


_offers: dict[str, Callable[[], list[Offer]]] = {}


def register_offers(field: str, offers: Callable[[], list[Offer]]) -> None:
    _offers[field] = offers


def offers_for(field: str) -> list[Offer] | None:
    """What an app offers for an assistant's list `field`; None when no app offers it. May raise Unlisted."""
    provider = _offers.get(field)
    return list(provider()) if provider else None


class LiveEditRefused(PermissionDenied):
    """A write that would change what callers get at once, refused; str() says why and what instead."""


def register_choices(field: str, choices: Callable[[], list[tuple[str, str]]]) -> None:
    _choices[field] = choices


def choices_for(field: str) -> list[tuple[str, str]] | None:
    """(value, label) pairs for a change-form field, or None when no app offers them."""
    provider = _choices.get(field)
    return list(provider()) if provider else None


def register_panel(page: str, template: str, context: Callable[..., dict[str, Any]]) -> None:
    if not any(p.template == template for p in _panels.get(page, [])):  # ready() may run twice in tests
        _panels.setdefault(page, []).append(Panel(template, context))


def register_promotion_gate(gate: Callable[..., GateAnswer]) -> None:
    if gate not in _gates:
        _gates.append(gate)


def register_canary_gate(gate: Callable[..., GateAnswer]) -> None:
    if gate not in _canary_gates:
        _canary_gates.append(gate)


def register_live_change(listener: Callable[..., list[str]]) -> None:
    if listener not in _live_listeners:
        _live_listeners.append(listener)


def register_trial_blocker(blocker: Callable[[str], str]) -> None:
    """`blocker(assistant_id)` says why a trial chat must not touch the canary rules now ("" if it may)."""
    if blocker not in _trial_blockers:
        _trial_blockers.append(blocker)


def register_release_note(note: Callable[[str], str]) -> None:
    """`note(assistant_id)` says what making a saved version live will take ("" if nothing special)."""
    if note not in _release_notes:
        _release_notes.append(note)


def register_live_edit_blocker(blocker: Callable[[str, str], str]) -> None:
    """`blocker(assistant_id, what)` says why `what` (e.g. "Attaching a shared tool") must not
    make a new main version of the assistant directly ("" if it may)."""
    if blocker not in _live_edit_blockers:
        _live_edit_blockers.append(blocker)


def refuse_live_edit(assistant_id: str, what: str) -> None:
    """Raise LiveEditRefused when a blocker refuses `what` on this assistant; before anything is sent."""
    reason = next((said for said in (b(assistant_id, what) for b in _live_edit_blockers) if said), "")
    if reason:
        raise LiveEditRefused(reason)


def release_notes(assistant_id: str) -> str:
    return " ".join(said for said in (note(assistant_id) for note in _release_notes) if said)


def trial_blocked(assistant_id: str) -> str:
    return next((reason for reason in (b(assistant_id) for b in _trial_blockers) if reason), "")


def panels(page: str, request, assistant_id: str, **page_context) -> dict[str, Any]:
    """The context of every panel registered for `page`, plus `panels`: their templates in order."""
    context: dict[str, Any] = {"panels": []}
    for panel in _panels.get(page, []):
        context.update(panel.context(request, assistant_id, **page_context))
        context["panels"].append(panel.template)
    return context


def promotion_gate(*, user, assistant_id: str, version_id: str, post, rollback: bool = False) -> GateAnswer:
    """The first gate that does not allow the promotion answers; with none, it is allowed."""
    for gate in _gates:
        answer = gate(user=user, assistant_id=assistant_id, version_id=version_id, post=post, rollback=rollback)
        if not answer.allowed:
            return answer
    return GateAnswer(True)


def canary_gate(*, user, assistant_id: str, rules: list[dict], main_version_id: str) -> GateAnswer:
    """The first gate that does not allow saving these rules answers; with none, it is allowed."""
    for gate in _canary_gates:
        answer = gate(user=user, assistant_id=assistant_id, rules=rules, main_version_id=main_version_id)
        if not answer.allowed:
            return answer
    return GateAnswer(True)


def live_changed(*, user, assistant_id: str, what: str, promoted_version_id: str = "") -> list[str]:
    """Tell the listeners an Admin changed what callers get by hand; their sentences for the page."""
    said: list[str] = []
    for listener in _live_listeners:
        said += listener(user=user, assistant_id=assistant_id, what=what, promoted_version_id=promoted_version_id)
    return said

"""What apps built on assistants add to its pages, registered from their `AppConfig.ready()`.

Assistants imports none of those apps: releases depends on assistants, never the other way
round (tests/core/test_layering.py). Two kinds of hook:

- a *panel*: a template included on an assistant page (`canary`, `promote`), with a function
  giving the context it reads: `register_panel("canary", "releases/_card.html", context_fn)`;
- a *promotion gate*: asked before a version is promoted; it may refuse, or send the Admin to
  wait elsewhere (a second Admin's approval).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable


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


def register_panel(page: str, template: str, context: Callable[..., dict[str, Any]]) -> None:
    if not any(p.template == template for p in _panels.get(page, [])):  # ready() may run twice in tests
        _panels.setdefault(page, []).append(Panel(template, context))


def register_promotion_gate(gate: Callable[..., GateAnswer]) -> None:
    if gate not in _gates:
        _gates.append(gate)


def panels(page: str, request, assistant_id: str, **page_context) -> dict[str, Any]:
    """The context of every panel registered for `page`, plus `panels`: their templates in order."""
    context: dict[str, Any] = {"panels": []}
    for panel in _panels.get(page, []):
        context.update(panel.context(request, assistant_id, **page_context))
        context["panels"].append(panel.template)
    return context


def promotion_gate(*, user, assistant_id: str, version_id: str, post) -> GateAnswer:
    """The first gate that does not allow the promotion answers; with none, it is allowed."""
    for gate in _gates:
        answer = gate(user=user, assistant_id=assistant_id, version_id=version_id, post=post)
        if not answer.allowed:
            return answer
    return GateAnswer(True)


# --- Pickers: choices Telnyx can list for a free-text setting of the change form ------------
_pickers: dict[str, Callable[[], list[tuple[str, str]]]] = {}


def register_picker(field: str, choices: Callable[[], list[tuple[str, str]]]) -> None:
    """Offer `choices()` ((value, label) pairs, read from a cache) for the change form's `field`:
    `register_picker("insight_group_id", fn)` from the app that caches insight groups."""
    _pickers[field] = choices


def picker_choices(field: str) -> list[tuple[str, str]]:
    found = _pickers.get(field)
    return list(found()) if found else []

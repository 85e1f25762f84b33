"""The confirm-then-act view of a destructive action (delete, disable, abort).

GET shows the confirm page; POST calls Telnyx through the app's service. A Telnyx error is a
message on the page again (or, with `leave_on_error`, on the page it goes back to); success is
a message and a redirect. A delete that found the object already gone in Telnyx (the service
returned False) says so instead of claiming it deleted something.
"""

from __future__ import annotations

from typing import Any, Callable

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from portal.telnyx import TelnyxError


def confirm_page(
    request: HttpRequest,
    template: str,
    context: dict[str, Any],
    *,
    act: Callable[[], Any],
    done: str,
    failed: str,
    then: str | Callable[[], HttpResponse],
    gone: str = "",
    leave_on_error: bool = False,
) -> HttpResponse:
    """`act()` does it; `done`/`gone` are the success messages; `failed` starts the error
    message; `then` is where to go afterwards (a URL, or a view's response)."""
    if request.method == "POST":
        try:
            result = act()
        except TelnyxError as exc:
            messages.error(request, f"{failed} {exc.user_message}")
            if not leave_on_error:
                return render(request, template, context)
        else:
            if result is False and gone:
                messages.warning(request, gone)
            else:
                messages.success(request, done)
        return then() if callable(then) else redirect(then)
    return render(request, template, context)


def delete_each(request: HttpRequest, rows, delete: Callable[[Any], Any]) -> int:
    """A bulk delete's POST: `delete(row)` for every ticked row; each one Telnyx refuses is a
    message naming it (the others still go). Returns how many were deleted."""
    deleted = 0
    for row in rows:
        try:
            delete(row)
            deleted += 1
        except TelnyxError as exc:
            messages.error(request, f"Could not delete “{row.name}”. {exc.user_message}")
    return deleted

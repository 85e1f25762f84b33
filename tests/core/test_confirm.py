"""core.confirm.confirm_page: the one confirm-then-act path of every delete, disable and abort."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.signed_cookies import SessionStore
from django.test import RequestFactory

from core.confirm import confirm_page
from portal.telnyx import InternalServerError

TEMPLATE = "knowledge/cluster_confirm_delete.html"
CONTEXT = {"task": None, "task_id": "task-1"}


def request_for(method: str):
    request = getattr(RequestFactory(), method)("/x/")
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    return request


def said(request) -> list[tuple[str, str]]:
    return [(m.level_tag, m.message) for m in get_messages(request)]


def act_that(result=None, error=None):
    calls = []

    def act():
        calls.append(1)
        if error:
            raise error
        return result
    return act, calls


def confirm(request, act, **kwargs):
    return confirm_page(request, TEMPLATE, CONTEXT, act=act, done="Deleted it.", gone="It was already gone.",
                        failed="Could not delete it.", then="/list/", **kwargs)


@pytest.mark.django_db
def test_get_shows_the_page_and_does_nothing():
    act, calls = act_that()
    response = confirm(request_for("get"), act)
    assert response.status_code == 200 and "Delete this cluster task?" in response.content.decode() and calls == []


def test_post_acts_then_goes_on_with_a_success_message():
    request = request_for("post")
    response = confirm(request, act_that(True)[0])
    assert (response.status_code, response["Location"]) == (302, "/list/")
    assert said(request) == [("success", "Deleted it.")]


def test_a_delete_that_found_it_gone_says_so():
    request = request_for("post")
    confirm(request, act_that(False)[0])
    assert said(request) == [("warning", "It was already gone.")]


@pytest.mark.django_db
def test_a_telnyx_error_shows_the_page_again_with_the_reason():
    request = request_for("post")
    response = confirm(request, act_that(error=InternalServerError(status=500))[0])
    assert response.status_code == 200
    [(level, text)] = said(request)
    assert level == "error" and text.startswith("Could not delete it. Telnyx had a server error (500)")


def test_leave_on_error_goes_on_with_the_error_message():
    request = request_for("post")
    response = confirm(request, act_that(error=InternalServerError(status=503))[0], leave_on_error=True)
    assert response.status_code == 302 and said(request)[0][0] == "error"

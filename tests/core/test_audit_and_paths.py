"""core.audit redaction and diffs; resources._base.api_path quoting and refusals."""

from __future__ import annotations

import pytest

from core.audit import REDACTED, diff, record, redact
from portal.telnyx.dates import parse_date
from portal.telnyx.errors import InvalidIdError, NotFoundError
from portal.telnyx.resources._base import api_path, unwrap


def test_redact_hides_secret_looking_keys_at_any_depth_and_keeps_the_rest():
    value = {"name": "bot", "api_key": "KEY123", "voice_settings": {"api_key_ref": "ref-1", "voice": "x"},
             "tools": [{"headers": {"Authorization": "Bearer abc"}, "password": ""}]}
    assert redact(value) == {"name": "bot", "api_key": REDACTED,
                             "voice_settings": {"api_key_ref": REDACTED, "voice": "x"},
                             "tools": [{"headers": {"Authorization": REDACTED}, "password": ""}]}


def test_diff_says_a_secret_changed_but_never_what_it_was():
    changes = diff({"name": "a", "client_secret": "old", "same": 1}, {"name": "b", "client_secret": "new", "same": 1})
    assert changes == {"name": {"before": "a", "after": "b"},
                       "client_secret": {"before": REDACTED, "after": REDACTED}}


@pytest.mark.django_db
def test_a_recorded_event_never_holds_a_secret():
    event = record(user=None, action="update", resource_type="assistant", summary="s",
                   changes={"nested": {"token": "tok-9"}})
    event.refresh_from_db()
    assert "tok-9" not in str(event.changes) and event.username == ""


@pytest.mark.parametrize("segment, quoted", [
    ("plain-id", "plain-id"), ("a/b", "a%2Fb"), ("x?y=1", "x%3Fy%3D1"), ("h#frag", "h%23frag"),
    ("50%", "50%25"), ("sp ace", "sp%20ace"), ("meta-llama/Llama-3.1-8B", "meta-llama%2FLlama-3.1-8B"),
    ("..x", "..x"),
])
def test_every_segment_is_quoted_whole(segment, quoted):
    assert api_path("ai", "things", segment, "graph") == f"ai/things/{quoted}/graph"


@pytest.mark.parametrize("segment", [".", "..", "", "a\x00b"])
def test_dot_segments_and_empty_ids_are_refused_as_not_found(segment):
    with pytest.raises(InvalidIdError) as caught:
        api_path("ai", "assistants", segment)
    assert isinstance(caught.value, NotFoundError)


def test_unwrap_and_parse_date():
    assert unwrap({"data": [1]}) == [1] and unwrap({"data": None}, []) == [] and unwrap({"id": 1}) == {"id": 1}
    assert unwrap(None, {}) == {}
    assert parse_date("2026-11-01T10:00:00Z").isoformat() == "2026-11-01T10:00:00+00:00"
    assert parse_date("not a date") is None and parse_date("") is None

"""Request size: refused with 413 before a byte of the body is read, a few MB for anyone, the
upload size only on an upload view and only after login; the web server applies the same
sizes by path before it buffers a body."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from waitress.adjustments import Adjustments

from portal.request_limits import upload_paths
from portal.server import SizeLimitedParser

pytestmark = pytest.mark.django_db
MB = 1024 * 1024


class Unreadable:
    """A request body that fails the test if anything reads it."""

    def read(self, *args):
        raise AssertionError("the body was read")

    readline = read


def post_claiming(client, path: str, size: int):
    return client.generic("POST", path, b"", CONTENT_TYPE="multipart/form-data; boundary=x",
                          CONTENT_LENGTH=str(size), **{"wsgi.input": Unreadable()})


@pytest.mark.parametrize("path", ["/login/", "/inference/transcribe/", "/sandbox/v2/ai/audio/transcriptions"])
def test_an_anonymous_large_body_is_refused_with_413_before_it_is_read(client, path):
    response = post_claiming(client, path, 120 * MB)
    assert response.status_code == 413
    assert response.content.decode() == "Request too large: 120 MB sent, the limit here is 4 MB.\n"


def test_a_few_megabytes_over_the_default_are_refused_even_after_login(operator_client):
    assert post_claiming(operator_client, "/assistants/", 5 * MB).status_code == 413


def test_a_logged_in_operator_may_upload_audio_up_to_the_upload_limit(operator_client, sandbox):
    audio = SimpleUploadedFile("call.wav", b"RIFF" + b"\x00" * (6 * MB))  # over the default, under the upload size
    response = operator_client.post(reverse("inference:transcribe"), {"file": audio, "model": "openai/whisper-large-v3-turbo"})
    assert response.status_code == 200
    assert "Request too large" not in response.content.decode()
    over = post_claiming(operator_client, reverse("inference:transcribe"), settings.UPLOAD_MAX_BYTES + 1)
    assert over.status_code == 413 and "the limit here is 101 MB" in over.content.decode()


def test_the_upload_paths_are_the_marked_views():
    assert upload_paths() == {"/inference/transcribe/", "/sandbox/v2/ai/audio/transcriptions"}


def parse(head: str, body: bytes = b"") -> SizeLimitedParser:
    SizeLimitedParser.limits = (4 * MB, 101 * MB, frozenset({"/inference/transcribe/"}))
    parser = SizeLimitedParser(Adjustments(max_request_body_size=101 * MB))
    feed(parser, head.encode() + b"\r\n\r\n" + body)
    return parser


def feed(parser: SizeLimitedParser, data: bytes) -> None:
    """As waitress's channel does: what the parser did not take is offered again."""
    while data and not parser.completed:
        data = data[parser.received(data):]


def test_the_web_server_refuses_by_path_before_it_buffers_a_body():
    refused = parse(f"POST /login/ HTTP/1.1\r\nHost: x\r\nContent-Length: {5 * MB}")
    assert refused.completed and refused.error.code == 413 and refused.body_bytes_received == 0
    allowed = parse(f"POST /inference/transcribe/ HTTP/1.1\r\nHost: x\r\nContent-Length: {5 * MB}", b"abc")
    assert allowed.error is None and not allowed.completed  # still reading: the app decides on the login
    small = parse("POST /login/ HTTP/1.1\r\nHost: x\r\nContent-Length: 3", b"a=b")
    assert small.error is None and small.completed


def test_the_web_server_stops_a_chunked_body_once_it_passes_the_limit():
    chunk = b"%x\r\n%s\r\n" % (MB, b"x" * MB)
    parser = parse("POST /login/ HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked")
    for _ in range(6):
        feed(parser, chunk)
    assert parser.completed and parser.error.code == 413
    assert parser.body_bytes_received <= 5 * MB + 64

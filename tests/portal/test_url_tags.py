"""Row links built from one reversed prefix are exactly what `{% url %}` gives."""

import pytest
from django.urls import reverse

from core.templatetags.portal_tags import nav_url, row_url


@pytest.mark.parametrize("url_name, object_id", [
    ("conversations:conversation-detail", "conv-1"), ("assistants:assistant-detail", "assistant-x:1"),
    ("testing:suite-detail", "suite a/b?#&"), ("testing:test-detail", "test-0001"), ("audit-detail", 42),
])
def test_row_url_matches_reverse(url_name, object_id):
    assert row_url(object_id, url_name) == reverse(url_name, args=[object_id])


def test_nav_url_matches_reverse():
    assert nav_url("audit") == reverse("audit")

"""A kept changelist fragment is shared by the users of one role, so it must hold nothing of the
user who rendered it first: two Admins open the same list, one after the other, and neither
page shows the other's name, although the second is served from what the first one kept."""

from __future__ import annotations

import pytest
import responses
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.conftest import _client_for, _user_with_role
from tests.core.test_export_every_list import LISTS

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("kept_clock_still")]


def _view(client, url: str) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries.captured_queries), response.content.decode()


@responses.activate  # from the cache only: no call reaches Telnyx
@pytest.mark.parametrize("url", [*LISTS, "/audit/"])
@pytest.mark.parametrize("first,second", [("alma_first_admin", "bert_second_admin"),
                                          ("bert_second_admin", "alma_first_admin")])
def test_two_admins_see_one_kept_list_and_neither_sees_the_others_name(url, first, second):
    alma, bert = _user_with_role("alma_first_admin", "Admin"), _user_with_role("bert_second_admin", "Admin")
    clients = {"alma_first_admin": _client_for(alma), "bert_second_admin": _client_for(bert)}
    rendered_queries, first_page = _view(clients[first], url)
    kept_queries, second_page = _view(clients[second], url)

    assert kept_queries < rendered_queries, "the second view is served from the kept fragments"
    assert first in first_page and second not in first_page
    assert second in second_page and first not in second_page

"""Contract tests: the official telnyx SDK, with strict response validation, against the
sandbox served over real HTTP by pytest-django's live_server."""

import pytest
import telnyx
from django.conf import settings


@pytest.fixture(autouse=True)
def _instant_async(settings):
    settings.SANDBOX_ASYNC_SECONDS = 0
    settings.SANDBOX_FAULTS = ""


@pytest.fixture
def sdk(live_server, transactional_db):
    client = telnyx.Telnyx(api_key=settings.SANDBOX_API_KEY, base_url=live_server.url + "/sandbox/v2",
                           _strict_response_validation=True, max_retries=0)
    yield client
    # Close kept-alive connections now: a server thread woken after the live server has
    # stopped would touch the test database from the wrong thread.
    client.close()

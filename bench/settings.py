"""Settings for `bench/changelists.py` only: the portal plus the stock Django admin and a hello view."""

from portal.settings import *  # noqa: F401,F403

ROOT_URLCONF = "bench.urls"

import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def empty_cache():
    """The observed split and the editor's version names are cached; every test starts empty."""
    cache.clear()
    yield
    cache.clear()

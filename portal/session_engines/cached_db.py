"""`SESSION_ENGINE = "portal.session_engines.cached_db"`: Django's cached_db engine, the user id kept in a column."""

from django.contrib.sessions.backends.cached_db import SessionStore as CachedDatabaseStore

from portal.session_engines import UserColumn


class SessionStore(UserColumn, CachedDatabaseStore):
    pass

"""`SESSION_ENGINE = "portal.session_engines.db"`: Django's db engine, the user id kept in a column."""

from django.contrib.sessions.backends.db import SessionStore as DatabaseStore

from portal.session_engines import UserColumn


class SessionStore(UserColumn, DatabaseStore):
    pass

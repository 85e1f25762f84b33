"""Django's database session engines, with the signed-in user's id stored in a column of the
session table (`portal.models.UserSession`, `django_session.user_id`, indexed) at every save: so
ending a user's sessions (`console.users.services.end_sessions`) reads that user's rows by index
instead of decoding every unexpired session. `db` without Redis, `cached_db` with it."""

from __future__ import annotations

from django.apps import apps
from django.contrib.auth import SESSION_KEY


class UserColumn:
    """Mixed into a database session store: saves put the user's id beside the data."""

    @classmethod
    def get_model_class(cls):
        # By the app registry, not an import: `portal.models.UserSession` names this engine as its store.
        return apps.get_model("portal", "UserSession")

    def create_model_instance(self, data):
        session = super().create_model_instance(data)
        session.user_id = user_id_of(data)
        return session


def user_id_of(data: dict) -> int | None:
    try:
        return int(data.get(SESSION_KEY))
    except (TypeError, ValueError):
        return None

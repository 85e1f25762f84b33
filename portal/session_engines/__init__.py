"""Django's database session engines, with the signed-in user's id stored in a column of the
session table (`portal.models.UserSession`, `django_session.user_id`, indexed) at every save: so
ending a user's sessions (`console.users.services.end_sessions`) reads that user's rows by index
instead of decoding every unexpired session. `db` without Redis, `cached_db` with it.

Reading a session row also makes the reads the view asked for ahead (`portal.read_ahead`), in
the same query: a list page's sync state costs no round trip of its own."""

from __future__ import annotations

from django.apps import apps
from django.contrib.auth import SESSION_KEY
from django.db import connections, router
from django.utils import timezone

from portal import read_ahead


class UserColumn:
    """Mixed into a database session store: saves put the user's id beside the data."""

    @classmethod
    def get_model_class(cls):
        # By the app registry, not an import: `portal.models.UserSession` names this engine as its store.
        return apps.get_model("portal", "UserSession")

    def _get_session_from_db(self):
        joins = read_ahead.take_pending()
        if not joins or not self.session_key:
            return super()._get_session_from_db()
        model = self.model
        connection = connections[router.db_for_read(model)]
        quote, table = connection.ops.quote_name, model._meta.db_table
        columns = [f"s.{quote('session_data')}", f"s.{quote('expire_date')}"]
        params: list = []
        for join in joins.values():
            columns += join.columns
            params += join.column_params
        sql = f"SELECT {', '.join(columns)} FROM {quote(table)} s"
        for join in joins.values():
            if join.table:
                sql += f" LEFT JOIN {quote(join.table)} {join.alias} ON {join.on}"
                params += join.on_params
        sql += f" WHERE s.{quote('session_key')} = %s AND s.{quote('expire_date')} > %s"
        params += [self.session_key, connection.ops.adapt_datetimefield_value(timezone.now())]
        with connection.cursor() as cursor:  # written out: the joins are the point, and the ORM's build cost more than the read
            cursor.execute(sql, params)
            row = cursor.fetchone()
        if row is None:
            self._session_key = None  # as Django's: no such session, or expired
            return None
        expire_date, column = row[1], model._meta.get_field("expire_date").get_col(table)
        for convert in connection.ops.get_db_converters(column):  # as the ORM gives it (SQLite's is text)
            expire_date = convert(expire_date, column, connection)
        at = 2
        for name, join in joins.items():
            read_ahead.made(name, join, row[at:at + len(join.columns)])
            at += len(join.columns)
        return model(session_key=self.session_key, session_data=row[0], expire_date=expire_date)

    def create_model_instance(self, data):
        session = super().create_model_instance(data)
        session.user_id = user_id_of(data)
        return session


def user_id_of(data: dict) -> int | None:
    try:
        return int(data.get(SESSION_KEY))
    except (TypeError, ValueError):
        return None

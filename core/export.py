"""CSV export of a changelist: exactly the rows its search, filters and sort select, streamed.

A list declares its columns once (`ChangelistSpec(exports=[ExportColumn(...)])`); the list's own
URL with `?_export=csv` and the rest of its query string answers with the file. Rows are read
with `values(...).iterator(chunk_size=...)` and written a chunk at a time, so 100,000
conversations never sit in memory, neither as objects nor as one CSV string.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import StreamingHttpResponse
from django.utils import timezone

from core.audit import record

EXPORT_PARAM = "_export"
CHUNK_SIZE = 2000
#: What a spreadsheet would run as a formula (OWASP's list): such a text cell gets a leading apostrophe.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class ExportColumn:
    """One CSV column: its header, the `values()` path it reads, and how to turn that value into a cell."""

    header: str
    field: str
    format: Callable[[Any], Any] | None = None


@dataclass
class Export:
    """What a list exports. `columns` may be a function (columns that depend on the cache, such as
    one per insight template); `prepare` adds what the columns read (annotations) to the selection;
    `permission` is needed beyond the list's own (the audit log: Admins only)."""

    columns: list[ExportColumn] | Callable[[], list[ExportColumn]]
    prepare: Callable[[QuerySet], QuerySet] | None = None
    permission: str = ""
    name: str = ""

    def resolved_columns(self) -> list[ExportColumn]:
        return list(self.columns() if callable(self.columns) else self.columns)


def as_export(value) -> Export | None:
    if value is None or isinstance(value, Export):
        return value
    return Export(columns=value)


def wants_export(request) -> bool:
    return request.GET.get(EXPORT_PARAM) == "csv"


def safe_cell(value: Any) -> Any:
    """A value as a CSV cell: text a spreadsheet would evaluate is prefixed with `'`; numbers stay numbers."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        return value.isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (dict, list)):
        value = json.dumps(value, ensure_ascii=False, sort_keys=True)
    text = str(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def csv_chunks(rows: Iterable[Iterable[Any]], header: list[str], *, rows_per_chunk: int = 500) -> Iterator[str]:
    """The CSV text of `header` and `rows`, a few hundred rows per yielded string."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([safe_cell(h) for h in header])
    pending = 0
    for row in rows:
        writer.writerow([safe_cell(v) for v in row])
        pending += 1
        if pending >= rows_per_chunk:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
            pending = 0
    yield buffer.getvalue()


def export_rows(queryset: QuerySet, columns: list[ExportColumn], *, chunk_size: int = CHUNK_SIZE) -> Iterator[list]:
    """Each selected row as the list of its column values, read a chunk at a time."""
    fields = list(dict.fromkeys(c.field for c in columns))
    for values in queryset.values_list(*fields).iterator(chunk_size=chunk_size):
        by_field = dict(zip(fields, values))
        yield [c.format(by_field[c.field]) if c.format else by_field[c.field] for c in columns]


@dataclass
class _Counted:
    """Counts the rows that went out, so the audit event can say how many without keeping them."""

    rows: Iterator[list]
    count: int = 0
    finished: bool = False
    on_close: Callable[["_Counted"], None] | None = field(default=None, repr=False)

    def __iter__(self):
        try:
            for row in self.rows:
                self.count += 1
                yield row
            self.finished = True
        finally:
            if self.on_close:
                self.on_close(self)


def export_response(request, *, export: Export, queryset: QuerySet, resource: str, label: str = "") -> StreamingHttpResponse:
    """Stream `queryset` (already filtered, searched and sorted) as CSV, and audit the export
    (who, which list, the query, how many rows) once the last row went out."""
    if export.permission and not request.user.has_perm(export.permission):
        raise PermissionDenied("Only Admins may export this list.")
    if export.prepare:
        queryset = export.prepare(queryset)
    columns = export.resolved_columns()
    query = request.GET.copy()
    query.pop(EXPORT_PARAM, None)
    query.pop("page", None)
    user = request.user
    name = export.name or resource

    def audit(counted: _Counted) -> None:
        record(user=user, action="export", resource_type=name, resource_label=label or name,
               summary=(f"Exported {counted.count} rows as CSV" + ("" if counted.finished else " (download stopped)")),
               changes={"query": query.urlencode(), "rows": counted.count, "complete": counted.finished})

    rows = _Counted(export_rows(queryset, columns), on_close=audit)
    response = StreamingHttpResponse(csv_chunks(rows, [c.header for c in columns]), content_type="text/csv; charset=utf-8")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="{name}-{stamp}.csv"'
    response["Cache-Control"] = "no-store"
    return response

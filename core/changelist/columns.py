"""The column chooser of a changelist, kept per person: the priority columns (the row's name,
its tick box, its actions) never hide; the others can be hidden from the "Columns" menu above
the table. The choice is stored in the person's preferences (`portal.models.UserPreference`,
copied into their session so a list costs no query) and applied here, on the server, to the
finished response: the hidden columns' cells are not sent at all.

Applied to the whole rendered table, after kept fragments are filled, so the fragments shared
between people keep every column and nobody sees another person's choice."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.urls import reverse
from django.utils.html import escape, strip_tags
from django.utils.text import slugify

from core.changelist.kept import HIDDEN_COLUMNS as SESSION_KEY
from core.changelist.kept import response_token

_TABLE = re.compile(r'(<div id="changelist-table"[^>]*>.*?)(<table class="table"[^>]*>)(.*?)(</table>)', re.S)
_TAG = re.compile(r"<(/?)(tr|td|th)\b[^>]*>", re.I)


@dataclass
class TableColumn:
    key: str
    label: str
    priority: bool
    hidden: bool = False


def list_key(request) -> str:
    """Which list the choice belongs to: the page's URL name ("assistants:assistant-list")."""
    match = getattr(request, "resolver_match", None)
    return (match.view_name if match else request.path)[:100]


def hidden_for(request, key: str) -> set[str]:
    session = getattr(request, "session", None)
    return set(((session.get(SESSION_KEY) if session is not None else None) or {}).get(key, []))


def _rows(body: str) -> list[list[tuple[int, int]]]:
    """Each <tr>'s cells as (start, end) offsets in `body` (cells hold no tables)."""
    rows: list[list[tuple[int, int]]] = []
    start = None
    for tag in _TAG.finditer(body):
        closing, name = tag.group(1), tag.group(2).lower()
        if name == "tr" and not closing:
            rows.append([])
        elif name in ("td", "th") and not closing and start is None:
            start = tag.start()
        elif name in ("td", "th") and closing and start is not None and rows:
            rows[-1].append((start, tag.end()))
            start = None
    return rows


def _columns(body: str, header: list[tuple[int, int]]) -> list[TableColumn]:
    columns, seen_data = [], False
    for start, end in header:
        cell = body[start:end]
        label = " ".join(strip_tags(cell).split())
        key_match = re.search(r'data-col="([^"]+)"', cell[: cell.index(">") + 1])
        key = key_match.group(1) if key_match else slugify(label)
        check = "check-col" in cell[: cell.index(">") + 1]
        actions = not key or "visually-hidden" in cell
        # The first data column (the row's name) is the priority column: it never hides.
        priority = check or actions or not seen_data
        seen_data = seen_data or not (check or actions)
        columns.append(TableColumn(key or f"col{len(columns)}", label, priority))
    return columns


def _chooser(request, key: str, columns: list[TableColumn], token: str) -> str:
    toggleable = [c for c in columns if not c.priority]
    if not toggleable:
        return ""
    hidden = sum(c.hidden for c in toggleable)
    boxes = "".join(
        f'<label class="column-choice"><input type="checkbox" name="show" value="{escape(c.key)}"{"" if c.hidden else " checked"}>'
        f' {escape(c.label)}</label><input type="hidden" name="column" value="{escape(c.key)}">'
        for c in toggleable)
    fixed = ", ".join(escape(c.label) for c in columns if c.priority and c.label)
    summary = f"Columns{f' ({hidden} hidden)' if hidden else ''}"
    return (
        f'<details class="column-chooser" data-testid="column-chooser"><summary>{summary}</summary>'
        f'<form method="post" action="{reverse("preferences-columns")}" class="column-chooser-form">'
        f'<input type="hidden" name="csrfmiddlewaretoken" value="{token}">'
        f'<input type="hidden" name="list" value="{escape(key)}"><input type="hidden" name="next" value="{escape(request.get_full_path())}">'
        f'<fieldset><legend>Show these columns</legend>{boxes}</fieldset>'
        + (f'<p class="help">Always shown: {fixed}.</p>' if fixed else "")
        + '<button class="btn btn-small" type="submit">Apply</button></form></details>'
    )


def apply_column_choice(request, html: str, *, token: str | None = None) -> str:
    """The changelist's table without the columns this person hid, with the chooser above it
    (its form's CSRF token `token`, else this response's)."""
    found = _TABLE.search(html)
    if not found:
        return html
    key = list_key(request)
    hidden = hidden_for(request, key)
    body = found.group(3)
    rows = _rows(body)
    if not rows:
        return html
    columns = _columns(body, rows[0])
    drop = set()
    for index, column in enumerate(columns):
        column.hidden = not column.priority and column.key in hidden
        if column.hidden:
            drop.add(index)
    cuts = sorted((cells[i] for cells in rows if len(cells) == len(columns) for i in drop), reverse=True)
    for start, end in cuts:
        body = body[:start] + body[end:]
    table = found.group(2)
    if drop:
        table = table.replace("<table ", f'<table data-hidden-columns="{len(drop)}" ', 1)
    chooser = _chooser(request, key, columns, token or response_token(request))
    return html[:found.start()] + found.group(1) + chooser + table + body + found.group(4) + html[found.end():]

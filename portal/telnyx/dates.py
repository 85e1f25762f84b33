"""Telnyx's timestamps read into Python: what services store from an answer."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils.dateparse import parse_datetime


def parse_date(value: Any) -> datetime | None:
    """An ISO 8601 timestamp from Telnyx as an aware datetime, or None."""
    if not value:
        return None
    if isinstance(value, datetime):
        return value
    try:
        return parse_datetime(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None

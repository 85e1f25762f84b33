from __future__ import annotations

import json

from django import template
from django.urls import reverse

from portal.changelist import remembered_query

register = template.Library()


@register.simple_tag(takes_context=True)
def changelist_url(context, url_name: str, remember_as: str = "") -> str:
    """The changelist's URL with the search, filters and page the user last had there."""
    request = context["request"]
    query = remembered_query(request, remember_as or url_name.split(":")[0])
    url = reverse(url_name)
    return f"{url}?{query}" if query else url


@register.filter
def pretty_json(value) -> str:
    return json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False, default=str)

"""The Django-admin changelist pattern for cached listings, one module a job:

- `query`: the query string to one page of rows (`FilterForm`, `Column`, `build_changelist`);
- `kept`: counts, choices and rendered fragments kept in the shared cache;
- `memory`: the list's query kept in the session, for links back to it;
- `refresh`: a Refresh click (sync queued on a worker, or run here);
- `render`: the page or its `#table` fragment (`render_changelist`);
- `spec`: `ChangelistSpec`, a list declared once, the way every list is built;
- `live`: the same for short lists read live from Telnyx (nothing cached).

The names below are the package's face, so `from core.changelist import X` keeps working.
"""

from core.changelist.kept import Fragments, kept
from core.changelist.memory import remember_query, remembered_query
from core.changelist.query import (
                                   CHOICES_PARAM,
                                   MAX_PAGE,
                                   PAGE_PARAM,
                                   PAGE_SIZE,
                                   SEARCH_PARAM,
                                   SORT_PARAM,
                                   ChangeList,
                                   Column,
                                   FilterForm,
                                   Selection,
                                   build_changelist,
                                   ordering,
                                   page_number,
                                   select,
)
from core.changelist.refresh import refresh_from_request
from core.changelist.render import choices_response, render_changelist
from core.changelist.spec import ChangelistSpec

__all__ = [
    "CHOICES_PARAM", "MAX_PAGE", "PAGE_PARAM", "PAGE_SIZE", "SEARCH_PARAM", "SORT_PARAM", "ChangeList",
    "ChangelistSpec", "Column", "FilterForm", "Fragments", "Selection", "build_changelist", "choices_response", "kept",
    "ordering", "page_number", "refresh_from_request", "remember_query", "remembered_query", "render_changelist", "select",
]

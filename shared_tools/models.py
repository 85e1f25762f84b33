from django.db import models
from django.db.models import F
from django.db.models.functions import Upper

from core.models import TelnyxCached


class SharedTool(TelnyxCached):
    """Cached copy of one tool of the shared library (`GET /ai/tools`), for the changelist."""

    display_name = models.CharField(max_length=300, db_index=True)
    type = models.CharField(max_length=100, blank=True, db_index=True)
    timeout_ms = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(null=True, blank=True, db_index=True)

    class Meta:
        ordering = ["display_name"]
        # The changelist's order (name, then the pk tiebreaker), whole and within a type: a page
        # walks the index and stops, instead of sorting the library (100,000 tools: bench/pages_at_scale.py).
        # The id is in them too: a search walking them tests the name and the id on the index entry
        # and reads only the rows that match (SQLite: 116 → 35 ms for a word the last third holds).
        # Both hold UPPER(name) and UPPER(id) too, what `icontains` tests on PostgreSQL: its walk
        # (index-only, `shared_tools.search`) reads them instead of computing them (27 → 9 ms).
        indexes = [models.Index(F("display_name"), F("id"), F("telnyx_id"), Upper("display_name"), Upper("telnyx_id"),
                                name="shared_tool_name_upper_cover"),
                   models.Index(F("type"), F("display_name"), F("id"), F("telnyx_id"), Upper("display_name"),
                                Upper("telnyx_id"), name="shared_tool_type_upper_cover")]

    def __str__(self) -> str:
        return self.display_name

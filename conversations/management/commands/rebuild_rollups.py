"""Recompute the per-day conversation counts, insight aggregates and audit counts from the tables."""

from django.core.management.base import BaseCommand

from conversations.rollups import rebuild
from portal import audit_days


class Command(BaseCommand):
    help = ("Recompute the dashboard's and analytics' per-day rollups from the conversation cache and the insight "
            "store and the audit log's per-day counts (after changing TIME_ZONE or loading rows around the portal's write path).")

    def handle(self, *args, **options):
        volume, insights, hours = rebuild()
        audits = audit_days.rebuild()
        self.stdout.write(f"Rebuilt {volume} conversation-day rows, {insights} insight-day rows, {hours} "
                          f"conversation-hour rows and {audits} audit-day rows.")

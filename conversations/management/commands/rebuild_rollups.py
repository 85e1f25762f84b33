"""Recompute the per-day conversation counts and insight aggregates from the tables."""

from django.core.management.base import BaseCommand

from conversations.rollups import rebuild


class Command(BaseCommand):
    help = ("Recompute the dashboard's and analytics' per-day rollups from the conversation cache and the insight "
            "store (after changing TIME_ZONE or loading rows around the portal's write path).")

    def handle(self, *args, **options):
        volume, insights, hours = rebuild()
        self.stdout.write(f"Rebuilt {volume} conversation-day rows, {insights} insight-day rows and {hours} "
                          "conversation-hour rows.")

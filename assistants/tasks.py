"""Assistants' background work: the assistants listing, and each assistant's versions and
scheduled events, sync on the worker."""

from assistants.services import assistants, canary, scheduled, versions
from core.background import register_listing, register_listing_family

register_listing(assistants.RESOURCE, assistants.assistants_sync)
register_listing(canary.CANARIES, canary.canaries_sync)
register_listing_family(versions.VERSIONS_FAMILY, lambda assistant_id: versions.versions_sync(assistant_id=assistant_id))
register_listing_family(scheduled.SCHEDULED_FAMILY, lambda assistant_id: scheduled.scheduled_sync(assistant_id=assistant_id))

"""Assistants' background work: the assistants listing syncs on the worker."""

from assistants.services import assistants
from core.background import register_listing

register_listing(assistants.RESOURCE, assistants.assistants_sync)

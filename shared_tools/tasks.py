"""Shared tools' background work: the listing syncs on the worker."""

from core.background import register_listing
from shared_tools import services

register_listing(services.RESOURCE, services.shared_tools_sync)

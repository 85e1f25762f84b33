"""MCP servers' background work: the listing syncs on the worker."""

from core.background import register_listing
from mcp_servers import services

register_listing(services.RESOURCE, services.mcp_servers_sync)

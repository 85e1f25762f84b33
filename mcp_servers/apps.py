from django.apps import AppConfig


class McpServersConfig(AppConfig):
    name = "mcp_servers"
    verbose_name = "MCP servers"

    def ready(self) -> None:
        from assistants import hooks

        from . import selectors

        # The assistant change form picks its MCP servers, and their allowed tools, from the cached servers.
        hooks.register_offers("mcp_servers", selectors.mcp_server_offers)

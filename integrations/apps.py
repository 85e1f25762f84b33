from django.apps import AppConfig


class IntegrationsConfig(AppConfig):
    name = "integrations"

    def ready(self) -> None:
        from assistants import hooks

        from . import services

        # The assistant change form picks its integrations from the account's connections (read live).
        hooks.register_offers("integrations", services.connected_integration_offers)

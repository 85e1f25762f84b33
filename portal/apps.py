from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = "Portal"

    def ready(self) -> None:
        from portal.permission_cache import connect

        connect()  # role changes reach every app server's kept permission sets at once

from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = "Portal"

    def ready(self) -> None:
        # Imported in ready(): models, signals and hooks load only once the app registry is.
        from portal import audit_days
        from portal.permission_cache import connect

        connect()  # role changes reach every app server's kept permission sets at once
        audit_days.connect()  # every stored audit event counted on its day

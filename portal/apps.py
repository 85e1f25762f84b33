from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = "Portal"

    def ready(self) -> None:
        from core import heartbeat  # noqa: F401 (a worker starts its heartbeat when ready)
        from core.cache import bump_on_save
        from portal import signals  # noqa: F401 (connects the lockout audit)
        from portal.models import AuditEvent
        from portal.permission_cache import connect

        bump_on_save(AuditEvent)
        connect()  # role changes reach every app server's kept permission sets at once

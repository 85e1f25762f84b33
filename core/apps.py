from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        # Imported in ready(): models, signals and hooks load only once the app registry is.
        from core import (
            cache,
            heartbeat,  # noqa: F401 (a worker starts its heartbeat when ready)
            signals,  # noqa: F401 (connects the lockout audit)
        )
        from portal.models import AuditEvent

        cache.bump_on_save(AuditEvent)

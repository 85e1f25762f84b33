from django.apps import AppConfig


class ConsoleConfig(AppConfig):
    name = "console"
    verbose_name = "Console"

    def ready(self) -> None:
        # Imported in ready(), not by the URLconf: a login in a process that has served no page
        # yet (a test's force_login, a management command) still remembers the person's zone and
        # hidden columns in their session.
        from console import preferences  # noqa: F401 (connects the login receiver)

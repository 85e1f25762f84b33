from django.apps import AppConfig


class TestingConfig(AppConfig):
    name = "testing"

    def ready(self) -> None:
        # Imported in ready(): models, signals and hooks load only once the app registry is.
        from core.cache import bump_on_save
        from testing.models import RunTrigger, SuiteRun

        bump_on_save(SuiteRun, RunTrigger)

        # Testing adds to the assistant pages through assistants' hooks, so assistants imports no testing module.
        from assistants import hooks
        from testing import hooks as ours

        hooks.register_panel("version", "testing/_version_suites_panel.html", ours.version_panel)

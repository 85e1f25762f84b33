from django.apps import AppConfig


class TestingConfig(AppConfig):
    name = "testing"

    def ready(self) -> None:
        from core.cache import bump_on_save
        from testing.models import SuiteRun, RunTrigger

        bump_on_save(SuiteRun, RunTrigger)

from django.apps import AppConfig


class AssistantsConfig(AppConfig):
    name = "assistants"

    def ready(self) -> None:
        # Imported in ready(): models, signals and hooks load only once the app registry is.
        from assistants.models import CanaryConfig, PromotionRecord
        from core.cache import bump_on_save

        bump_on_save(CanaryConfig, PromotionRecord)

from django.apps import AppConfig


class AssistantsConfig(AppConfig):
    name = "assistants"

    def ready(self) -> None:
        from assistants.models import CanaryConfig, PromotionRecord
        from core.cache import bump_on_save

        bump_on_save(CanaryConfig, PromotionRecord)

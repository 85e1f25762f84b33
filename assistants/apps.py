from django.apps import AppConfig


class AssistantsConfig(AppConfig):
    name = "assistants"

    def ready(self) -> None:
        from core.cache import bump_on_save
        from assistants.models import CanaryConfig, PromotionRecord

        bump_on_save(CanaryConfig, PromotionRecord)

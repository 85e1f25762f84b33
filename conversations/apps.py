from django.apps import AppConfig


class ConversationsConfig(AppConfig):
    name = "conversations"

    def ready(self) -> None:
        from core.cache import keep_rollup

        from .models import Conversation
        from .rollups import VOLUME

        keep_rollup(Conversation, VOLUME)  # per-day volume moves with every write to the conversation cache

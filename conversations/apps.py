from django.apps import AppConfig


class ConversationsConfig(AppConfig):
    name = "conversations"

    def ready(self) -> None:
        from assistants import hooks
        from conversations.insights import selectors
        from core.cache import keep_rollup

        from .models import Conversation
        from .rollups import MEASURE, VOLUME

        # The assistant change form picks its insight group from the cached groups.
        hooks.register_choices("insight_group_id", selectors.insight_group_choices)
        keep_rollup(Conversation, VOLUME)  # per-day volume moves with every write to the conversation cache
        keep_rollup(Conversation, MEASURE)  # and the alert rules' per-hour sums

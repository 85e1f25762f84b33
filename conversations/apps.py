from django.apps import AppConfig


class ConversationsConfig(AppConfig):
    name = "conversations"

    def ready(self) -> None:
        from assistants import hooks
        from conversations.insights import selectors

        # The assistant change form picks its insight group from the cached groups.
        hooks.register_choices("insight_group_id", selectors.insight_group_choices)

from django.apps import AppConfig


class ConversationsConfig(AppConfig):
    name = "conversations"

    def ready(self) -> None:
        from assistants.hooks import register_picker
        from conversations.insights.selectors import group_choices

        # The assistant form's insight group: pick one of the cached groups by name.
        register_picker("insight_group_id", group_choices)

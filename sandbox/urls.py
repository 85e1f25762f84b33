"""The sandbox API, mounted at /sandbox/v2/. Paths mirror https://api.telnyx.com/v2/."""

from django.urls import path

from sandbox.api import endpoint
from sandbox.views import assistants, canary_deploys, chat, conversations, models, versions

app_name = "sandbox"

urlpatterns = [
    path("ai/models", endpoint(GET=models.models_list), name="models-seed"),
    path("ai/openai/models", endpoint(GET=models.models_list), name="models"),
    path("ai/assistants", endpoint(GET=assistants.assistant_list, POST=assistants.assistant_create),
         name="assistants"),
    path("ai/assistants/import", endpoint(POST=assistants.assistant_import), name="assistants-import"),
    path("ai/assistants/deleted", endpoint(GET=assistants.deleted_list), name="assistants-deleted"),
    path("ai/assistants/<str:assistant_id>",
         endpoint(GET=assistants.assistant_retrieve, POST=assistants.assistant_update,
                  DELETE=assistants.assistant_delete), name="assistant"),
    path("ai/assistants/<str:assistant_id>/deleted", endpoint(GET=assistants.deleted_retrieve),
         name="assistant-deleted"),
    path("ai/assistants/<str:assistant_id>/restore", endpoint(POST=assistants.assistant_restore_view),
         name="assistant-restore"),
    path("ai/assistants/<str:assistant_id>/clone", endpoint(POST=assistants.assistant_clone),
         name="assistant-clone"),
    path("ai/assistants/<str:assistant_id>/versions", endpoint(GET=versions.version_list), name="versions"),
    path("ai/assistants/<str:assistant_id>/versions/<str:version_id>",
         endpoint(GET=versions.version_retrieve, POST=versions.version_update, DELETE=versions.version_delete),
         name="version"),
    path("ai/assistants/<str:assistant_id>/versions/<str:version_id>/promote",
         endpoint(POST=versions.version_promote), name="version-promote"),
    path("ai/assistants/<str:assistant_id>/canary-deploys",
         endpoint(GET=canary_deploys.canary_retrieve, POST=canary_deploys.canary_create,
                  PUT=canary_deploys.canary_update, DELETE=canary_deploys.canary_delete),
         name="canary-deploys"),
    path("ai/assistants/<str:assistant_id>/chat", endpoint(POST=chat.assistant_chat), name="chat"),
    path("ai/assistants/<str:assistant_id>/chat/sms", endpoint(POST=chat.assistant_chat_sms), name="chat-sms"),
    path("ai/assistants/<str:assistant_id>/texml", endpoint(GET=chat.assistant_texml), name="texml"),
    path("ai/assistants/<str:assistant_id>/tools/<str:tool_id>/test", endpoint(POST=chat.tool_test),
         name="tool-test"),
    path("ai/conversations", endpoint(GET=conversations.conversation_list, POST=conversations.conversation_create),
         name="conversations"),
    path("ai/conversations/<str:conversation_id>",
         endpoint(GET=conversations.conversation_retrieve, PUT=conversations.conversation_update,
                  DELETE=conversations.conversation_delete), name="conversation"),
    path("ai/conversations/<str:conversation_id>/message", endpoint(POST=conversations.message_add),
         name="conversation-message"),
    path("ai/conversations/<str:conversation_id>/messages", endpoint(GET=conversations.message_list),
         name="conversation-messages"),
    path("ai/conversations/<str:conversation_id>/conversations-insights",
         endpoint(GET=conversations.insights_retrieve), name="conversation-insights"),
]

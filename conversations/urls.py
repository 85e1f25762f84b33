from django.urls import path

from conversations.views import conversations as views
from conversations.views import writes as write_views

app_name = "conversations"
urlpatterns = [
    path("", views.conversation_list, name="conversation-list"),
    path("sync/", views.conversation_sync, name="conversation-sync"),
    path("add/", write_views.conversation_add, name="conversation-add"),
    path("<tid:conversation_id>/", views.conversation_detail, name="conversation-detail"),
    path("<tid:conversation_id>/message/", write_views.conversation_message, name="conversation-message"),
    path("<tid:conversation_id>/metadata/", write_views.conversation_change, name="conversation-change"),
    path("<tid:conversation_id>/ai/", views.conversation_ai, name="conversation-ai"),
    path("<tid:conversation_id>/delete/", views.conversation_delete, name="conversation-delete"),
    path("<tid:conversation_id>/history/", views.conversation_history, name="conversation-history"),
]

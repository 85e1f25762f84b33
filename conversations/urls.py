from django.urls import path

from conversations import views

app_name = "conversations"
urlpatterns = [
    path("", views.conversation_list, name="list"),
    path("sync/", views.conversation_sync, name="sync"),
    path("<tid:conversation_id>/", views.conversation_detail, name="detail"),
    path("<tid:conversation_id>/ai/", views.conversation_ai, name="ai"),
    path("<tid:conversation_id>/delete/", views.conversation_delete, name="delete"),
    path("<tid:conversation_id>/history/", views.conversation_history, name="history"),
]

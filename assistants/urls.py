from django.urls import path

from assistants.views import assistants as views
from assistants.views import canary, change, chat, lifecycle, scheduled, versions

app_name = "assistants"
urlpatterns = [
    path("", views.assistant_list, name="list"),
    path("refresh/", views.assistant_refresh, name="refresh"),
    path("add/", views.assistant_create, name="create"),
    path("tool-row/", change.tool_row, name="tool-row"),
    path("import/", lifecycle.assistant_import, name="import"),
    path("deleted/", lifecycle.deleted_list, name="deleted"),
    path("deleted/<str:assistant_id>/restore/", lifecycle.assistant_restore, name="restore"),
    path("<str:assistant_id>/", views.assistant_detail, name="detail"),
    path("<str:assistant_id>/change/", change.assistant_change, name="change"),
    path("<str:assistant_id>/delete/", views.assistant_delete, name="delete"),
    path("<str:assistant_id>/clone/", lifecycle.assistant_clone, name="clone"),
    path("<str:assistant_id>/json/", lifecycle.assistant_json, name="json"),
    path("<str:assistant_id>/texml/", lifecycle.assistant_texml, name="texml"),
    path("<str:assistant_id>/history/", views.assistant_history, name="history"),
    path("<str:assistant_id>/canary/", canary.canary_detail, name="canary"),
    path("<str:assistant_id>/canary/save/", canary.canary_save, name="canary-save"),
    path("<str:assistant_id>/canary/editor/", canary.canary_editor, name="canary-editor"),
    path("<str:assistant_id>/canary/preview/", canary.canary_preview, name="canary-preview"),
    path("<str:assistant_id>/canary/delete/", canary.canary_delete, name="canary-delete"),
    path("<str:assistant_id>/canary/restore/<int:config_id>/", canary.canary_restore, name="canary-restore"),
    path("<str:assistant_id>/canary/test/", canary.canary_test, name="canary-test"),
    path("<str:assistant_id>/canary/observed/", canary.canary_observed, name="canary-observed"),
    path("<str:assistant_id>/chat/", chat.chat_page, name="chat"),
    path("<str:assistant_id>/chat/send/", chat.chat_send, name="chat-send"),
    path("<str:assistant_id>/chat/sms/", chat.chat_sms, name="chat-sms"),
    path("<str:assistant_id>/scheduled/", scheduled.scheduled_list, name="scheduled"),
    path("<str:assistant_id>/scheduled/add/", scheduled.scheduled_create, name="scheduled-create"),
    path("<str:assistant_id>/scheduled/<str:event_id>/", scheduled.scheduled_detail, name="scheduled-detail"),
    path("<str:assistant_id>/scheduled/<str:event_id>/cancel/", scheduled.scheduled_cancel, name="scheduled-cancel"),
    path("<str:assistant_id>/versions/", versions.version_list, name="versions"),
    path("<str:assistant_id>/versions/compare/", versions.version_compare, name="version-compare"),
    path("<str:assistant_id>/versions/rollback/", versions.assistant_rollback, name="rollback"),
    path("<str:assistant_id>/versions/<str:version_id>/", versions.version_detail, name="version"),
    path("<str:assistant_id>/versions/<str:version_id>/change/", versions.version_change, name="version-change"),
    path("<str:assistant_id>/versions/<str:version_id>/delete/", versions.version_delete, name="version-delete"),
    path("<str:assistant_id>/versions/<str:version_id>/promote/", versions.version_promote, name="version-promote"),
]

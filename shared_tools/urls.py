from django.urls import path

from shared_tools import views

app_name = "shared_tools"
urlpatterns = [
    path("", views.tool_list, name="tool-list"),
    path("refresh/", views.tool_refresh, name="tool-refresh"),
    path("add/", views.tool_create, name="tool-add"),
    path("move/<tid:assistant_id>/", views.move_inline, name="move-inline"),
    path("<tid:tool_id>/", views.tool_detail, name="tool-detail"),
    path("<tid:tool_id>/edit/", views.tool_change, name="tool-change"),
    path("<tid:tool_id>/delete/", views.tool_delete, name="tool-delete"),
    path("<tid:tool_id>/attach/", views.tool_attach, name="tool-attach"),
]

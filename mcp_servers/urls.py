from django.urls import path

from mcp_servers import views

app_name = "mcp_servers"
urlpatterns = [
    path("", views.mcp_list, name="server-list"),
    path("refresh/", views.mcp_refresh, name="server-refresh"),
    path("add/", views.mcp_create, name="server-add"),
    path("<tid:server_id>/", views.mcp_detail, name="server-detail"),
    path("<tid:server_id>/edit/", views.mcp_edit, name="server-change"),
    path("<tid:server_id>/delete/", views.mcp_delete, name="server-delete"),
]

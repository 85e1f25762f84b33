from django.urls import path

from mcp_servers import views

app_name = "mcp_servers"
urlpatterns = [
    path("", views.mcp_list, name="list"),
    path("refresh/", views.mcp_refresh, name="refresh"),
    path("add/", views.mcp_create, name="create"),
    path("<tid:server_id>/", views.mcp_detail, name="detail"),
    path("<tid:server_id>/edit/", views.mcp_edit, name="edit"),
    path("<tid:server_id>/delete/", views.mcp_delete, name="delete"),
]

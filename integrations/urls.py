from django.urls import path

from integrations import views

app_name = "integrations"
urlpatterns = [
    path("", views.integration_list, name="integration-list"),
    path("connections/<tid:connection_id>/", views.connection_detail, name="connection-detail"),
    path("connections/<tid:connection_id>/delete/", views.connection_delete, name="connection-delete"),
    path("<tid:integration_id>/", views.integration_detail, name="integration-detail"),
]

from django.urls import path
from django.views.decorators.http import require_GET
from django.views.generic import RedirectView

from integrations import views

app_name = "integrations"
urlpatterns = [
    path("", views.integration_list, name="integration-list"),
    # Connections are listed with the integrations; without this, "connections" was read as an
    # integration id and Telnyx's connection list crashed the integration page (500).
    path("connections/", require_GET(RedirectView.as_view(pattern_name="integrations:integration-list")), name="connection-list"),
    path("connections/<tid:connection_id>/", views.connection_detail, name="connection-detail"),
    path("connections/<tid:connection_id>/delete/", views.connection_delete, name="connection-delete"),
    path("<tid:integration_id>/", views.integration_detail, name="integration-detail"),
]

from django.urls import path

from monitoring import views

app_name = "monitoring"
urlpatterns = [
    path("", views.rule_list, name="rule-list"),
    path("add/", views.rule_create, name="rule-add"),
    path("<int:rule_id>/edit/", views.rule_edit, name="rule-change"),
    path("<int:rule_id>/delete/", views.rule_delete, name="rule-delete"),
    path("incidents/<int:incident_id>/", views.incident_detail, name="incident-detail"),
    path("incidents/<int:incident_id>/acknowledge/", views.incident_acknowledge, name="incident-acknowledge"),
    path("incidents/<int:incident_id>/resolve/", views.incident_resolve, name="incident-resolve"),
]

from django.urls import path

from conversations.insights.views import analytics as analytics_views
from conversations.insights.views import insights as views

app_name = "insights"
urlpatterns = [
    path("", views.template_list, name="template-list"),
    # Fixed segments before <id> patterns, so "templates/refresh/" is not read as an id.
    path("analytics/", analytics_views.analytics_detail, name="analytics-detail"),
    path("analytics/refresh/", analytics_views.analytics_refresh, name="analytics-refresh"),
    path("<str:kind>/refresh/", views.refresh, name="insight-refresh"),
    path("templates/add/", views.template_detail, name="template-add"),
    path("groups/", views.group_list, name="group-list"),
    path("groups/add/", views.group_detail, name="group-add"),
    path("templates/<tid:template_id>/", views.template_detail, name="template-detail"),
    path("groups/<tid:group_id>/", views.group_detail, name="group-detail"),
    path("groups/<tid:group_id>/assign/", views.group_assign, name="group-assign"),
    path("<str:kind>/<tid:object_id>/delete/", views.delete, name="insight-delete"),
]


from django.urls import path

from conversations import insight_views as views

app_name = "insights"
urlpatterns = [
    path("", views.template_list, name="templates"),
    # Fixed segments before <id> patterns, so "templates/refresh/" is not read as an id.
    path("<str:kind>/refresh/", views.refresh, name="refresh"),
    path("templates/add/", views.template_detail, name="template-add"),
    path("groups/", views.group_list, name="groups"),
    path("groups/add/", views.group_detail, name="group-add"),
    path("templates/<str:template_id>/", views.template_detail, name="template"),
    path("groups/<str:group_id>/", views.group_detail, name="group"),
    path("groups/<str:group_id>/assign/", views.group_assign, name="group-assign"),
    path("<str:kind>/<str:object_id>/delete/", views.delete, name="delete"),
]

from django.urls import path

from assistants.views import assistants as views

app_name = "assistants"
urlpatterns = [
    path("", views.assistant_list, name="list"),
    path("refresh/", views.assistant_refresh, name="refresh"),
    path("add/", views.assistant_create, name="create"),
    path("<str:assistant_id>/", views.assistant_detail, name="detail"),
    path("<str:assistant_id>/delete/", views.assistant_delete, name="delete"),
    path("<str:assistant_id>/history/", views.assistant_history, name="history"),
]

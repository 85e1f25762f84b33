from django.urls import path

from inference import views

app_name = "inference"
urlpatterns = [
    path("models/", views.model_list, name="models"),
    path("models/refresh/", views.model_refresh, name="models-refresh"),
    path("models/<path:model_id>/", views.model_detail, name="model-detail"),
]

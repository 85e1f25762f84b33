from django.urls import path

from inference import views

app_name = "inference"
urlpatterns = [
    path("models/", views.model_list, name="model-list"),
    path("models/refresh/", views.model_refresh, name="model-refresh"),
    path("models/<path:model_id>/", views.model_detail, name="model-detail"),
    path("chat/", views.chat, name="chat"),
    path("chat/stream/", views.chat_stream, name="chat-stream"),
    path("transcribe/", views.transcribe, name="transcribe"),
    path("fine-tuning/", views.job_list, name="job-list"),
    path("fine-tuning/refresh/", views.job_refresh, name="job-refresh"),
    path("fine-tuning/new/", views.job_create, name="job-add"),
    path("fine-tuning/<tid:job_id>/", views.job_detail, name="job-detail"),
    path("fine-tuning/<tid:job_id>/cancel/", views.job_cancel, name="job-cancel"),
]

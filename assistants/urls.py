from django.urls import path

app_name = "assistants"
urlpatterns: list = []

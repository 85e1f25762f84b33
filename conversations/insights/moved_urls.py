"""Insights used to live at `/insights/`: old links and bookmarks land on the same page."""

from django.urls import path

from conversations.insights.views import insights as views

urlpatterns = [
    path("", views.moved, name="insights-moved"),
    path("<path:rest>", views.moved, name="insights-moved-page"),
]

"""The site-wide pages' URLs, mounted at the root: their paths and names are the ones the
portal always had (no namespace), so every `{% url %}` and bookmark still works."""

from django.urls import include, path, reverse_lazy

from console import preferences, task_views, views
from console.users.views import InviteConfirmView

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("dashboard/refresh/", views.dashboard_refresh, name="dashboard-refresh"),
    # An invited or locked-out user opens this logged out: Django's reset view checks the token.
    path(
        "login/invite/<uidb64>/<token>/",
        InviteConfirmView.as_view(
            template_name="console/user_invite.html", success_url=reverse_lazy("login")
        ),
        name="invite",
    ),
    path("search/", views.search, name="search"),
    path("audit/", views.audit_list, name="audit"),
    path("audit/<int:pk>/", views.audit_detail, name="audit-detail"),
    path("tasks/", task_views.task_list, name="tasks"),
    path("tasks/<int:pk>/retry/", task_views.task_retry, name="task-retry"),
    path("tasks/sync/<str:resource>/", task_views.sync_detail, name="sync-detail"),
    path("users/", include("console.users.urls")),
    path("preferences/", preferences.preferences, name="preferences"),
    path("preferences/columns/", preferences.columns_save, name="preferences-columns"),
]

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.urls import include, path, reverse_lazy

from conversations.insights.webhook_views import telnyx_insights_webhook
from portal import converters, preferences, task_views, views  # noqa: F401 (registers <tid:>)

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("dashboard/refresh/", views.dashboard_refresh, name="dashboard-refresh"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    # An invited or locked-out user opens this logged out: Django's reset view checks the token.
    path(
        "login/invite/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            template_name="portal/user_invite.html", success_url=reverse_lazy("login")
        ),
        name="invite",
    ),
    path("search/", views.search, name="search"),
    path("audit/", views.audit_list, name="audit"),
    path("audit/<int:pk>/", views.audit_detail, name="audit-detail"),
    path("tasks/", task_views.task_list, name="tasks"),
    path("tasks/<int:pk>/retry/", task_views.task_retry, name="task-retry"),
    path("tasks/sync/<str:resource>/", task_views.sync_detail, name="sync-detail"),
    path("coming/<slug:section>/", views.coming_soon, name="coming-soon"),
    path("preferences/", preferences.preferences, name="preferences"),
    path("assistants/<tid:assistant_id>/releases/", include("releases.urls")),
    path("users/", include("portal.users.urls")),
    path("assistants/", include("assistants.urls")),
    path("mcp-servers/", include("mcp_servers.urls")),
    path("integrations/", include("integrations.urls")),
    path("testing/", include("testing.urls")),
    path("inference/", include("inference.urls")),
    # Before conversations/: "insights" would otherwise be read as a conversation id.
    path("conversations/insights/", include("conversations.insights.urls")),
    path("conversations/", include("conversations.urls")),
    path("insights/", include("conversations.insights.moved_urls")),
    path("knowledge/", include("knowledge.urls")),
    # Telnyx posts here (no login: only bodies with Telnyx's signature are accepted).
    path("webhooks/telnyx/insights/", telnyx_insights_webhook, name="telnyx-insights-webhook"),
]

if settings.SANDBOX_ENABLED:
    urlpatterns.append(path("sandbox/v2/", include("sandbox.urls")))

handler403 = "portal.errors.permission_denied"

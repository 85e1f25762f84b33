"""Every page's URL, by app: the wiring only (each app's views are named by its urls module)."""

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.urls import include, path

from portal import converters  # noqa: F401 (registers <tid:>)
from portal.kept_routes import routes

patterns = [
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("assistants/<tid:assistant_id>/releases/", include("releases.urls")),
    path("assistants/", include("assistants.urls")),
    path("mcp-servers/", include("mcp_servers.urls")),
    path("tools/", include("shared_tools.urls")),
    path("integrations/", include("integrations.urls")),
    path("testing/", include("testing.urls")),
    path("alerts/", include("monitoring.urls")),
    path("inference/", include("inference.urls")),
    # Before conversations/: "insights" would otherwise be read as a conversation id.
    path("conversations/insights/", include("conversations.insights.urls")),
    path("conversations/", include("conversations.urls")),
    path("insights/", include("conversations.insights.moved_urls")),
    path("knowledge/", include("knowledge.urls")),
    # Telnyx posts here (no login: only bodies with Telnyx's signature are accepted).
    path("webhooks/telnyx/insights/", include("conversations.insights.webhook_urls")),
]

if settings.SANDBOX_ENABLED:
    patterns.append(path("sandbox/v2/", include("sandbox.urls")))

# The site-wide pages: dashboard, search, audit log, tasks, users. Last: an include with no prefix
# is walked pattern by pattern for every URL placed after it, on each path's first request.
patterns.append(path("", include("console.urls")))

# Each path's match is kept (`portal.kept_routes`): the walk above runs once per path and process.
urlpatterns = routes(patterns)

handler403 = "portal.errors.permission_denied"

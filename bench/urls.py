"""The bench's URL conf: the portal, the stock Django admin over the same cache tables, and a
hello-world view behind the same login and middleware. Never mounted outside the bench."""

from django.contrib import admin
from django.http import HttpResponse
from django.urls import include, path

from conversations.models import Conversation
from portal.kept_routes import routes
from testing.models import AssistantTest


@admin.register(Conversation)
class ConversationAdmin(admin.ModelAdmin):
    list_display = ["name", "telnyx_id", "created_at", "last_message_at", "assistant_id", "channel"]
    list_filter = ["assistant_id", "channel"]
    search_fields = ["telnyx_id", "name", "assistant_version_id"]


@admin.register(AssistantTest)
class AssistantTestAdmin(admin.ModelAdmin):
    list_display = ["name", "test_suite", "channel", "created_at"]
    list_filter = ["test_suite", "destination", "channel"]
    search_fields = ["name", "instructions", "telnyx_id"]


def hello(request):
    return HttpResponse("hello")


def hello_sized(request, size: int):
    """hello with a body of `size` bytes (the list page's): the same bytes to send and read, so a
    ratio against it counts the server's work only, not the transfer of a 65 KB page vs 5 bytes."""
    return HttpResponse(b"x" * min(size, 2_000_000))


# Kept per path as the portal's own (`portal.kept_routes`): hello resolves the way the lists do.
urlpatterns = routes([
    path("bench-admin/", admin.site.urls),
    path("bench-hello/", hello),
    path("bench-hello/<int:size>/", hello_sized),
    path("", include("portal.urls")),
])

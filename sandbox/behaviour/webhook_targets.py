"""Where the sandbox may send webhooks: only URLs under SANDBOX_WEBHOOK_ALLOWED_URLS (default:
this portal's own `/webhooks/`), so an insight group's webhook cannot make the sandbox reach an
internal address."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings


def allowed_prefixes() -> list[str]:
    """SANDBOX_WEBHOOK_ALLOWED_URLS, or by default only the portal's own webhook endpoints."""
    return list(settings.SANDBOX_WEBHOOK_ALLOWED_URLS) or [settings.PORTAL_BASE_URL.rstrip("/") + "/webhooks/"]


def webhook_allowed(url: str) -> bool:
    """True when `url` is under one of the allowed prefixes: same scheme, host and port, a path
    below the prefix's, no `..` segment, no backslash and no credentials."""
    try:
        target = urlsplit(url)
        target.port  # noqa: B018 (a malformed port raises here)
    except ValueError:
        return False
    if target.username or target.password or ".." in target.path.split("/") or "\\" in url:
        return False
    for prefix in allowed_prefixes():
        allowed = urlsplit(prefix)
        same_origin = ((target.scheme.lower(), target.hostname or "", target.port)
                       == (allowed.scheme.lower(), allowed.hostname or "", allowed.port))
        if same_origin and target.path.startswith(allowed.path or "/"):
            return True
    return False

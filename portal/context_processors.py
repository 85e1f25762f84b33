from django.conf import settings
from django.utils import timezone

from portal.roles import ADMINISTER, OPERATE, role_name


def portal(request):
    """What every page's chrome needs: the role, what it allows, and the API target."""
    user = getattr(request, "user", None)
    return {
        "role_name": role_name(user) if user else "",
        "can_operate": bool(user and user.has_perm(OPERATE)),
        "can_administer": bool(user and user.has_perm(ADMINISTER)),
        "sandbox_mode": settings.SANDBOX_MODE,
        "telnyx_target": "Sandbox" if settings.SANDBOX_MODE else "Telnyx",
        "portal_version": settings.PORTAL_VERSION,
        "time_zone": timezone.get_current_timezone_name(),
    }

"""Create the first logins: an Admin, and in sandbox mode with --demo-roles an Operator and a Viewer.

The password comes from PORTAL_ADMIN_PASSWORD. In sandbox mode, without it, a random one is
generated and printed once. Against real Telnyx no password is ever printed and no demo login
is created: without PORTAL_ADMIN_PASSWORD the admin gets no usable password until someone runs
`manage.py changepassword`. Existing users are left as they are.
"""

import os
import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand

from portal.roles import ensure_roles


class Command(BaseCommand):
    help = "Create the admin login (and, in sandbox mode, demo operator/viewer logins) if they do not exist."

    def add_arguments(self, parser):
        parser.add_argument("--username", default=os.environ.get("PORTAL_ADMIN_USER", "admin"))
        parser.add_argument(
            "--demo-roles", action="store_true", help="Also create 'operator' and 'viewer' (sandbox mode only)."
        )

    def handle(self, *args, **options):
        sandbox = settings.SANDBOX_MODE
        given = os.environ.get("PORTAL_ADMIN_PASSWORD", "")
        password = given or (secrets.token_urlsafe(12) if sandbox else "")
        logins = [(options["username"], "Admin")]
        if options["demo_roles"] and sandbox:
            logins += [("operator", "Operator"), ("viewer", "Viewer")]
        elif options["demo_roles"]:
            self.stdout.write("Not in sandbox mode: no demo operator/viewer logins are created.")
        ensure_roles()
        User = get_user_model()
        for username, role in logins:
            user, created = User.objects.get_or_create(username=username)
            user.groups.add(Group.objects.get(name=role))
            if not created:
                self.stdout.write(f"Login exists: {username} (role: {role}); password unchanged.")
                continue
            if password:
                user.set_password(password)
            else:
                user.set_unusable_password()
            user.save()
            self.stdout.write(self.style.SUCCESS(f"Login created: {username} (role: {role})") + self._password_note(username, password, given, sandbox))

    @staticmethod
    def _password_note(username: str, password: str, given: str, sandbox: bool) -> str:
        if given:
            return ", password from PORTAL_ADMIN_PASSWORD."
        if sandbox:
            return f", password: {password}"
        return f", no password yet: set one with `manage.py changepassword {username}`."

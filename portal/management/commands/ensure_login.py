"""Create the first logins: an Admin, and with --demo-roles an Operator and a Viewer.

The password comes from PORTAL_ADMIN_PASSWORD; without it a random one is generated and
printed once. Existing users are left as they are (their password is not printed again).
"""

import os
import secrets

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand

from portal.roles import ensure_roles


class Command(BaseCommand):
    help = "Create the admin login (and demo operator/viewer logins) if they do not exist."

    def add_arguments(self, parser):
        parser.add_argument("--username", default=os.environ.get("PORTAL_ADMIN_USER", "admin"))
        parser.add_argument("--demo-roles", action="store_true", help="Also create 'operator' and 'viewer'.")

    def handle(self, *args, **options):
        password = os.environ.get("PORTAL_ADMIN_PASSWORD") or secrets.token_urlsafe(12)
        logins = [(options["username"], "Admin")]
        if options["demo_roles"]:
            logins += [("operator", "Operator"), ("viewer", "Viewer")]
        ensure_roles()
        User = get_user_model()
        for username, role in logins:
            user, created = User.objects.get_or_create(username=username)
            user.groups.add(Group.objects.get(name=role))
            if created:
                user.set_password(password)
                user.save()
                self.stdout.write(self.style.SUCCESS(f"Login created: {username} / {password}  (role: {role})"))
            else:
                self.stdout.write(f"Login exists: {username} (role: {role}); password unchanged.")

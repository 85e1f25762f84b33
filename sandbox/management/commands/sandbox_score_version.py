"""Tell the sandbox to score one version's conversations lower (a degraded candidate).

    manage.py sandbox_score_version <version id> --penalty 0.3     # 0 restores it
"""

from django.core.management.base import BaseCommand, CommandError

from sandbox.behaviour.quality import score_version
from sandbox.models import SbVersion


class Command(BaseCommand):
    help = "Lower the sandbox's quality insight for conversations served by one version."

    def add_arguments(self, parser):
        parser.add_argument("version_id")
        parser.add_argument("--penalty", type=float, default=0.3, help="subtracted from the 0-1 score (0 restores)")

    def handle(self, *args, version_id, penalty, **options):
        version = SbVersion.objects.filter(pk=version_id).first()
        if version is None:
            raise CommandError(f"The sandbox has no version {version_id}.")
        score_version(version, penalty)
        self.stdout.write(f"Conversations served by {version_id} now score {penalty:g} lower.")

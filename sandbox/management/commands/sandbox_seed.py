"""Seed the sandbox: `--demo` for a small realistic data set, `--bulk` for benchmarks."""

from django.core.management.base import BaseCommand
from django.db import transaction

from sandbox.behaviour.demo_assistants import seed_demo_assistants
from sandbox.models import SbAssistant


class Command(BaseCommand):
    help = "Seed the Telnyx sandbox with demo data (idempotent unless --reset)."

    def add_arguments(self, parser):
        parser.add_argument("--demo", action="store_true", help="create the demo data set")
        parser.add_argument("--reset", action="store_true", help="delete sandbox data first")

    def handle(self, *args, **options):
        if options["reset"]:
            self._reset()
        if options["demo"]:
            self._demo()
            self._demo_knowledge()

    def _reset(self):
        from sandbox import models

        for name in models.__all__:
            getattr(models, name).objects.all().delete()
        self.stdout.write("Sandbox data deleted.")

    @transaction.atomic
    def _demo(self):
        if SbAssistant.objects.filter(is_demo=True).exists():
            self.stdout.write("Demo data already present; use --reset to recreate it.")
            return
        assistants = seed_demo_assistants()
        self.stdout.write(f"Created {len(assistants)} demo assistants.")

    # Knowledge, insights and inference demo data (branch sandbox-knowledge).
    @transaction.atomic
    def _demo_knowledge(self):
        from sandbox.behaviour.demo_knowledge import demo_knowledge_present, seed_demo_knowledge

        if demo_knowledge_present():
            self.stdout.write("Demo knowledge data already present.")
            return
        counts = seed_demo_knowledge()
        self.stdout.write("Created demo knowledge data: " + ", ".join(f"{v} {k}" for k, v in counts.items()) + ".")

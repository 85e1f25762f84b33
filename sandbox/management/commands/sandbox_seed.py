"""Seed the sandbox.

    manage.py sandbox_seed --demo                 # demo data set (idempotent)
    manage.py sandbox_seed --demo --brief         # the same; when it is there, says so without counting
    manage.py sandbox_seed --reset --demo         # wipe sandbox tables, then seed
    manage.py sandbox_seed --bulk --conversations 100000 --test-runs 20000
"""

import time

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from sandbox import models
from sandbox.behaviour.bulk_seed import bulk_conversations, bulk_test_runs
from sandbox.behaviour.demo_activity import seed_demo_activity
from sandbox.behaviour.demo_assistants import seed_demo_assistants, seed_demo_tools
from sandbox.behaviour.demo_knowledge import demo_knowledge_present, seed_demo_knowledge
from sandbox.behaviour.seed_summary import demo_data_present, sandbox_summary, summary_line
from sandbox.models import SbAssistant


class Command(BaseCommand):
    help = "Seed the Telnyx sandbox with demo data (idempotent unless --reset) or bulk benchmark data."

    def add_arguments(self, parser):
        parser.add_argument("--demo", action="store_true", help="create the demo data set")
        parser.add_argument("--reset", action="store_true", help="delete all sandbox data first")
        parser.add_argument("--bulk", action="store_true", help="add benchmark data (needs --demo data)")
        parser.add_argument("--conversations", type=int, default=0, help="with --bulk: conversations to add")
        parser.add_argument("--messages-per-conversation", type=int, default=2)
        parser.add_argument("--test-runs", type=int, default=0, help="with --bulk: test runs to add")
        parser.add_argument("--brief", action="store_true",
                            help="with --demo: if the demo data is there, say so without counting the sandbox (bin/serve's restart)")

    def handle(self, *args, **options):
        if not (options["demo"] or options["reset"] or options["bulk"]):
            raise CommandError("Nothing to do: pass --demo, --bulk and/or --reset.")
        if options["brief"] and options["demo"] and not (options["reset"] or options["bulk"]) and demo_data_present():
            self.stdout.write("Present already (`manage.py sandbox_seed --demo` says what the sandbox holds).")
            return
        if options["reset"]:
            self._reset()
        if options["demo"]:
            self._demo()
            self._demo_knowledge()
        if options["bulk"]:
            self._bulk(options)
        if options["demo"] or options["bulk"]:
            self.stdout.write(summary_line(sandbox_summary()))

    def _reset(self):
        for name in models.__all__:
            getattr(models, name).objects.all().delete()
        self.stdout.write("Sandbox data deleted.")

    @transaction.atomic
    def _demo(self):
        if SbAssistant.objects.filter(is_demo=True).exists():
            self.stdout.write("Demo data already present; use --reset to recreate it.")
            return
        assistants = seed_demo_assistants()
        counts = seed_demo_activity()
        counts["shared tools"] = seed_demo_tools(assistants)
        summary = ", ".join(f"{n} {label}" for label, n in counts.items())
        self.stdout.write(f"Created {len(assistants)} demo assistants, {summary}.")

    def _bulk(self, options):
        started = time.monotonic()
        try:
            if options["conversations"]:
                bulk_conversations(options["conversations"], messages_each=options["messages_per_conversation"])
            if options["test_runs"]:
                bulk_test_runs(options["test_runs"])
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"Bulk: {options['conversations']} conversations, {options['test_runs']} test runs "
                          f"in {time.monotonic() - started:.1f}s.")

    # Knowledge, insights and inference demo data (branch sandbox-knowledge).
    @transaction.atomic
    def _demo_knowledge(self):
        if demo_knowledge_present():
            self.stdout.write("Demo knowledge data already present.")
            return
        counts = seed_demo_knowledge()
        self.stdout.write("Created demo knowledge data: " + ", ".join(f"{v} {k}" for k, v in counts.items()) + ".")

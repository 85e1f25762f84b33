"""What `bin/serve` does before it serves, in one process, skipping what is already done.

One Django start instead of four (`migrate`, `collectstatic`, `sandbox_seed`, `ensure_login`
each paid for loading the project), and each step only when it has something to do:
- migrate when the migration plan is not empty (what `migrate --check` asks); on a restart the
  migration files on disk are all recorded as applied already, which one query and a directory
  listing tell without loading the migration graph (every migration module imported);
- collect static files when the files the finders see changed since the last collection
  (their paths, sizes and modification times, fingerprinted into a stamp in STATIC_ROOT);
- seed the sandbox's demo data when it is not there (sandbox mode only); when it is, two
  look-ups say so, rather than the seeding command's count of every sandbox table;
- create the logins that are missing (`ensure_login`, which never resets a password).
Each step prints what it did and how long it took.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import time
from io import StringIO
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.contrib.staticfiles.finders import get_finders
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder

STAMP = ".collected"


def migration_files() -> set[tuple[str, str]]:
    """(app label, migration name) of every migration file on disk, as the loader finds them
    (modules in each app's migrations package not starting with _ or ~), none imported."""
    found = set()
    for config in apps.get_app_configs():
        module, _ = MigrationLoader.migrations_module(config.label)
        if module is None:
            continue
        try:
            spec = importlib.util.find_spec(module)
        except ModuleNotFoundError:
            continue
        for folder in (spec.submodule_search_locations or []) if spec else []:
            found.update((config.label, name[:-3]) for name in os.listdir(folder)
                         if name.endswith(".py") and name[0] not in "_~")
    return found


def all_recorded_applied() -> bool:
    """Every migration file on disk is recorded as applied (a restart's case): nothing to plan."""
    recorder = MigrationRecorder(connections[DEFAULT_DB_ALIAS])
    return recorder.has_table() and migration_files() <= set(recorder.applied_migrations())


def pending_migrations() -> int:
    executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
    return len(executor.migration_plan(executor.loader.graph.leaf_nodes()))


def static_fingerprint() -> str:
    """A hash of every static file the finders would collect: path, size and modification time."""
    digest = hashlib.sha256()
    for finder in get_finders():
        for path, storage in sorted(finder.list([]), key=lambda found: found[0]):
            stat = Path(storage.path(path)).stat()
            digest.update(f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()


class Command(BaseCommand):
    help = "Migrate, collect static files, seed the sandbox and create logins, each only if needed."

    def add_arguments(self, parser):
        parser.add_argument("--sandbox", action="store_true", help="seed the sandbox's demo data and demo logins")

    def step(self, label: str, action) -> None:
        started = time.perf_counter()
        said = action()
        self.stdout.write(f"==> {label}: {said} ({time.perf_counter() - started:.1f} s)")

    def handle(self, *args, **options):
        self.step("Database", self.migrate)
        self.step("Static files", self.collect)
        if options["sandbox"]:
            self.step("Sandbox demo data", lambda: self.quietly("sandbox_seed", "--demo", "--brief"))
        self.step("Logins", lambda: self.quietly("ensure_login", *(["--demo-roles"] if options["sandbox"] else [])))

    def migrate(self) -> str:
        if all_recorded_applied():
            return "up to date"
        pending = pending_migrations()
        if not pending:
            return "up to date"
        call_command("migrate", interactive=False, verbosity=0)
        return f"applied {pending} migrations"

    def collect(self) -> str:
        root = Path(settings.STATIC_ROOT)
        fingerprint = static_fingerprint()
        stamp = root / STAMP
        if stamp.exists() and stamp.read_text() == fingerprint:
            return "unchanged since the last collection"
        call_command("collectstatic", interactive=False, verbosity=0)
        stamp.write_text(fingerprint)
        return "collected"

    def quietly(self, *command) -> str:
        """Run a command in this process; its last line of output is what it did."""
        out = StringIO()
        call_command(*command, stdout=out)
        lines = [line for line in out.getvalue().splitlines() if line.strip()]
        for line in lines[:-1]:
            self.stdout.write(line)  # e.g. a login's one-time password: never swallowed
        return lines[-1] if lines else "done"

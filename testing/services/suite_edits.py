"""Add, rename and delete a suite.

Telnyx has no suite object: a suite is the `test_suite` string on tests, so each of these is
one test update per test (each audited on its test) and one audit event for the suite. The
portal's own rows that name the suite (its run history, schedules and alert rule) follow a
rename; a delete keeps the tests (out of any suite) and the run history, and drops the
schedules and the alert rule, which would otherwise fire on a suite nobody has.
"""

from __future__ import annotations

from django.db import transaction

from core import audit
from core.cache import bump, cache_delete
from core.types import PortalUser
from portal.roles import ADMINISTER, require_perm
from portal.telnyx import TelnyxError
from testing import selectors
from testing.models import SuiteAlert, SuiteRun, SuiteSchedule, TestSuite
from testing.services import schedules
from testing.services.assistant_tests import test_update

RESOURCE_TYPE = "test_suite"


class SuiteEditError(ValueError):
    """A suite edit the portal refuses before calling Telnyx (a taken name, no tests)."""


def clean_suite_name(name: str) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise SuiteEditError("Give the suite a name.")
    if len(name) > 300:
        raise SuiteEditError("A suite name has at most 300 characters.")
    return name


def _move_tests(*, user: PortalUser, tests, suite_name: str) -> tuple[int, list[str]]:
    """Set each test's suite in Telnyx; returns (moved, one line per test Telnyx refused)."""
    moved, failures = 0, []
    for test in tests:
        try:
            test_update(user=user, test_id=test.telnyx_id, data={"test_suite": suite_name},
                        before={"test_suite": test.test_suite})
            moved += 1
        except TelnyxError as exc:
            failures.append(f"“{test.name}”: {exc.user_message}")
    return moved, failures


def suite_add_tests(*, user: PortalUser, suite_name: str, test_ids: list[str]) -> tuple[int, list[str]]:
    """Put the given tests into the suite (a new suite is made by its first tests)."""
    require_perm(user, ADMINISTER)
    suite_name = clean_suite_name(suite_name)
    tests = [t for t in selectors.tests_by_ids(test_ids) if t.test_suite != suite_name]
    moved, failures = _move_tests(user=user, tests=tests, suite_name=suite_name)
    if moved:
        audit.record(user=user, action="add_tests", resource_type=RESOURCE_TYPE, resource_id=suite_name,
                     resource_label=suite_name, summary=f"Added {moved} test{'s' if moved != 1 else ''} to suite “{suite_name}”",
                     changes={"tests": {"before": None, "after": [t.telnyx_id for t in tests][:50]}})
    return moved, failures


def suite_create(*, user: PortalUser, name: str, test_ids: list[str]) -> tuple[int, list[str]]:
    """A new suite of the given tests. Telnyx lists a suite only while a test names it, so a
    suite starts with at least one test."""
    require_perm(user, ADMINISTER)
    name = clean_suite_name(name)
    if name in selectors.suite_names():
        raise SuiteEditError(f"A suite named “{name}” exists already; add tests to it from its page.")
    if not test_ids:
        raise SuiteEditError("Choose at least one test: Telnyx keeps a suite only while a test names it.")
    return suite_add_tests(user=user, suite_name=name, test_ids=test_ids)


def suite_rename(*, user: PortalUser, suite_name: str, new_name: str) -> tuple[int, list[str]]:
    """Rename: every test of the suite moves to the new name; once all have, the run history,
    schedules and alert rule follow. A partial failure leaves both names listed; renaming
    again moves the rest."""
    require_perm(user, ADMINISTER)
    new_name = clean_suite_name(new_name)
    if new_name == suite_name:
        raise SuiteEditError("That is the suite's name already.")
    if new_name in selectors.suite_names():
        raise SuiteEditError(f"A suite named “{new_name}” exists already.")
    moved, failures = _move_tests(user=user, tests=list(selectors.suite_tests(suite_name)), suite_name=new_name)
    if not failures:
        with transaction.atomic():
            SuiteRun.objects.filter(suite=suite_name).update(suite=new_name)
            SuiteSchedule.objects.filter(suite=suite_name).update(suite=new_name)
            SuiteAlert.objects.filter(suite=suite_name).update(suite=new_name)
            # Telnyx lists the new name from now on; the cached list follows at once.
            bump(SuiteRun)  # a bulk update sends no save signal
            cache_delete(TestSuite.objects.filter(telnyx_id=suite_name))
            audit.record(user=user, action="rename", resource_type=RESOURCE_TYPE, resource_id=new_name,
                         resource_label=new_name, summary=f"Renamed suite “{suite_name}” to “{new_name}” ({moved} tests)",
                         changes={"name": {"before": suite_name, "after": new_name}})
    return moved, failures


def suite_delete(*, user: PortalUser, suite_name: str) -> tuple[int, list[str]]:
    """Take every test out of the suite (the tests stay); drop its schedules and alert rule."""
    require_perm(user, ADMINISTER)
    moved, failures = _move_tests(user=user, tests=list(selectors.suite_tests(suite_name)), suite_name="")
    if not failures:
        with transaction.atomic():
            for schedule in SuiteSchedule.objects.filter(suite=suite_name):
                schedules.schedule_delete(user=user, schedule=schedule)
            SuiteAlert.objects.filter(suite=suite_name).delete()
            cache_delete(TestSuite.objects.filter(telnyx_id=suite_name))
            audit.record(user=user, action="delete", resource_type=RESOURCE_TYPE, resource_id=suite_name,
                         resource_label=suite_name, summary=f"Deleted suite “{suite_name}” ({moved} tests kept, out of any suite)")
    return moved, failures


"""Every view that takes a POST writes an audit event, or is on a short allow-list that says
why not. Views come from the URL resolver, so a new one is checked without anyone listing it.

"Writes an audit event" is read from the code: the view, or something it refers to (a service,
a helper, a spec's callables, followed through the project's modules), calls
`core.audit.record`. That is a reachability check, not a proof every branch audits (the tests
beside each view check that); what it catches is a state-changing view with no path at all to
the audit log, like the task retry before issue 22.
"""

from __future__ import annotations

import ast
import inspect
import textwrap
import types
from pathlib import Path

from django.conf import settings
from django.urls import URLPattern, URLResolver, get_resolver

from core import audit

# view (module.name) -> why it takes a POST and writes no audit event.
NOT_AUDITED = {
    "django.contrib.auth.views.LoginView": "portal.signals audits logins, failed logins and lockouts on Django's "
                                           "auth signals",
    "django.contrib.auth.views.LogoutView": "ends the person's own session; changes nothing on Telnyx or in the team",
    "console.preferences.preferences": "a person's own display setting (their time zone): changes nothing on Telnyx, "
                                       "in the team's settings or in what anyone else sees",
    "console.preferences.columns_save": "a person's own display setting (the columns they hide on a list): changes nothing "
                                        "on Telnyx, in the team's settings or in what anyone else sees",
    "console.views.dashboard_refresh": "reads Telnyx into the cache; changes nothing on Telnyx or in the portal's settings",
    "core.changelist.spec.refresh_view": "reads Telnyx into the cache (every list's Refresh)",
    "testing.views.suites.suite_refresh": "reads Telnyx into the cache",
    "conversations.insights.views.analytics.analytics_refresh": "reads Telnyx into the cache",
    "conversations.insights.views.insights.refresh": "reads Telnyx into the cache",
    "conversations.views.conversations.conversation_sync": "reads Telnyx into the cache",
    "assistants.views.canary.canary_editor": "renders the canary editor with one more or one fewer row; saves nothing",
    "assistants.views.canary.canary_preview": "renders which version a share of calls would reach; saves nothing",
    "testing.views.tests.rubric_rows": "renders the rubric editor with one more row; saves nothing",
    "inference.views.chat": "a stateless chat completion: no object is created or changed on Telnyx",
    "inference.views.chat_stream": "the same completion, streamed",
    "inference.views.transcribe": "a stateless transcription: nothing is stored on Telnyx or here",
    "knowledge.views.bucket_summarize": "a stateless summary of one file (a read, open to Viewers)",
    "conversations.insights.views.webhook.telnyx_insights_webhook": "Telnyx's signed delivery, not a person's act: "
                                                                     "each event is kept as an InsightEvent row",
}


def local_packages() -> set[str]:
    """The repository's own top-level packages (apps, core, portal), not what is installed."""
    base = Path(settings.BASE_DIR).resolve()
    return {path.parent.name for path in base.glob("*/__init__.py")} - {"tests", "bench"}


def accepted_methods(view) -> set[str] | None:
    """The methods `require_http_methods` (or require_POST/GET) lets through; None: any."""
    while view is not None:
        code = getattr(view, "__code__", None)
        if code and "request_method_list" in code.co_freevars:
            return set(view.__closure__[code.co_freevars.index("request_method_list")].cell_contents)
        view = getattr(view, "__wrapped__", None)
    return None


def post_views() -> dict[str, object]:
    """Every view the portal routes a POST to (the sandbox, Telnyx's stand-in, left out)."""

    def walk(patterns, prefix: str):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern):
                yield prefix + str(pattern.pattern), pattern.callback

    views = {}
    for route, view in walk(get_resolver().url_patterns, ""):
        methods = accepted_methods(view)
        if route.startswith("sandbox/") or (methods is not None and "POST" not in methods):
            continue
        # A class-based view by its class (every one's unwrapped function is some `dispatch`).
        target = getattr(view, "view_class", None) or inspect.unwrap(view)
        views[f"{target.__module__}.{target.__qualname__.split('.<locals>.')[-1]}"] = view
    return views


class AuditReach:
    """Does `obj` (a function, class, spec or table of callables) lead to `audit.record`?"""

    def __init__(self, *also: str):
        self.packages, self.seen = local_packages() | set(also), set()

    def local(self, obj) -> bool:
        return (getattr(obj, "__module__", "") or "").split(".")[0] in self.packages

    def reaches(self, obj) -> bool:
        if isinstance(obj, (dict, list, tuple, set, frozenset)):
            return any(self.reaches(item) for item in (obj.values() if isinstance(obj, dict) else obj))
        if callable(obj) and inspect.unwrap(obj) is audit.record:
            return True
        if inspect.ismethod(obj):  # `RESOURCE.create` on a shared helper (core.crud): its function
            obj = obj.__func__
        if id(obj) in self.seen or isinstance(obj, types.ModuleType):
            return False
        self.seen.add(id(obj))
        if inspect.isfunction(obj):
            return any(self.reaches(ref) for ref in self.references(obj))
        if inspect.isclass(obj) and self.local(obj):
            return any(self.reaches(member) for member in vars(obj).values() if inspect.isfunction(member))
        if not inspect.isclass(obj) and self.local(type(obj)) and hasattr(obj, "__dict__"):
            return any(self.reaches(value) for value in vars(obj).values())  # a spec: its callables
        return False

    def references(self, func) -> list:
        """What `func` names: globals and attributes of them, closure cells, wrapped functions."""
        found = [cell.cell_contents for cell in (func.__closure__ or ()) if self._filled(cell)]
        if getattr(func, "__wrapped__", None) is not None:
            found.append(func.__wrapped__)
        if not self.local(func):
            return found
        try:
            tree = ast.parse(textwrap.dedent(inspect.getsource(func)))
        except (OSError, TypeError, SyntaxError):  # a lambda inside a dict or a call: its names, loosely
            names = func.__code__.co_names
            values = [func.__globals__[name] for name in names if name in func.__globals__]
            return found + values + [getattr(value, name) for value in values if isinstance(value, types.ModuleType)
                                     for name in names if hasattr(value, name)]
        for node in ast.walk(tree):
            chain = self._chain(node)
            if not chain or chain[0] not in func.__globals__:
                continue
            value = func.__globals__[chain[0]]
            for name in chain[1:]:
                value = getattr(value, name, None)
            if value is not None:
                found.append(value)
        return found

    @staticmethod
    def _filled(cell) -> bool:
        try:
            cell.cell_contents
            return True
        except ValueError:
            return False

    @staticmethod
    def _chain(node) -> list[str]:
        names = []
        while isinstance(node, ast.Attribute):
            names.insert(0, node.attr)
            node = node.value
        return [node.id, *names] if isinstance(node, ast.Name) else []


def test_every_view_taking_a_post_writes_an_audit_event_or_says_why_not():
    views = post_views()
    assert len(views) > 60  # the resolver walk found the portal's forms, not a handful
    silent = sorted(name for name, view in views.items() if name not in NOT_AUDITED and not AuditReach().reaches(view))
    assert silent == [], f"these POST views write no audit event: {silent}; audit them, or add them to NOT_AUDITED with a reason"


def test_the_allow_list_names_only_real_views_that_do_not_audit():
    views = post_views()
    assert sorted(set(NOT_AUDITED) - set(views)) == []
    assert sorted(name for name in NOT_AUDITED if AuditReach().reaches(views[name])) == []


def _unaudited_retry(request):
    from portal.models import TaskRecord

    TaskRecord.objects.filter(pk=request.POST["pk"]).update(state="queued")


def _audited_retry(request):
    _unaudited_retry(request)
    audit.record(user=request.user, action="retry", resource_type="task")


def test_the_check_tells_an_audited_view_from_a_silent_one():
    assert not AuditReach("tests").reaches(_unaudited_retry)
    assert AuditReach("tests").reaches(_audited_retry)

"""One way to build a list (issue 18): a list is a `core.changelist.ChangelistSpec` and its rows are
drawn inside `templates/includes/changelist_table.html`, the one template holding a list's <table>.

This is how the list shapes are counted (docs/patterns.md, "Changelists"): every `<table` in every
template of ours, and every `Paginator(` / `build_changelist(` / `build_live_changelist(` in app code.
A table outside the include is either listed in NOT_LISTS with what it is (details, a diff, a
fixed-size summary of a few rows) or in HAND_ROLLED_LISTS, the lists still drawn by hand, which may
only shrink. A new hand-drawn list fails here: declare a ChangelistSpec and include the table instead.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SKIP = {".venv", "node_modules", "tests", "sandbox", "bench", ".git"}
THE_LIST_TABLE = "templates/includes/changelist_table.html"
TABLE = re.compile(r"<table\b")

#: Tables that are not lists: template → (how many tables, what they are).
NOT_LISTS = {
    "templates/includes/audit_rows.html": (1, "an audit event's changed fields (field, before, after) inside its row"),
    "templates/includes/audit_table.html": (1, "a detail page's latest changes (at most 20; its History tab pages them all)"),
    "templates/includes/_chart_legend_table.html": (1, "a chart's data as a table, for screen readers"),
    "assistants/templates/assistants/_comparison.html": (3, "a diff of two versions' settings"),
    "assistants/templates/assistants/_stale_banner.html": (1, "the settings changed under an open form"),
    "assistants/templates/assistants/canary.html": (1, "the canary's last split changes (a short summary)"),
    "console/templates/console/audit_detail.html": (1, "one audit event's changes"),
    "console/templates/console/dashboard.html": (4, "the dashboard's fixed-size summaries"),
    "console/templates/console/task_list.html": (2, "the tasks per kind (the list's own filter) and the syncs' skipped records"),
    "conversations/templates/conversations/_metadata_rows.html": (1, "a conversation's metadata keys and values"),
    "conversations/templates/conversations/conversation_metadata_form.html": (1, "metadata keys and values being edited"),
    "conversations/templates/conversations/insights/analytics.html": (2, "aggregates per insight"),
    "conversations/templates/conversations/insights/group_form.html": (2, "a group's templates and recent insight events (a form)"),
    "inference/templates/inference/transcribe.html": (1, "a transcript's segments"),
    "integrations/templates/integrations/integration_list.html": (1, "the account's few connections above the catalogue"),
    "knowledge/templates/knowledge/bucket_detail.html": (2, "a bucket's files and its latest embedding tasks"),
    "monitoring/templates/monitoring/incident_detail.html": (1, "one incident's notices"),
    "releases/templates/releases/_gate_result.html": (2, "a gate's measurements"),
    "releases/templates/releases/plan_detail.html": (2, "a plan's steps and alerts"),
    "shared_tools/templates/shared_tools/tool_detail.html": (1, "the assistants using a tool"),
    "testing/templates/testing/_version_suites_panel.html": (1, "a version's suites (a panel)"),
    "testing/templates/testing/compare.html": (2, "two runs compared criterion by criterion"),
    "testing/templates/testing/run_detail.html": (1, "a run's rubric results"),
    "testing/templates/testing/suite_detail.html": (5, "pass rate by version, schedules, alert deliveries, latest 10 runs, first 50 tests"),
    "testing/templates/testing/suite_run.html": (2, "one suite run's test runs and its criteria"),
    "testing/templates/testing/test_detail.html": (1, "a test's latest runs (polled while one runs)"),
}

#: Lists still drawn by hand (a table of their own): may only shrink.
HAND_ROLLED_LISTS = {
    "console/templates/console/user_list.html": (2, "users and pending invites"),
    "monitoring/templates/monitoring/rule_list.html": (2, "alert rules and recent incidents"),
    "releases/templates/releases/plan_list.html": (1, "an assistant's release plans"),
}

#: Paging outside core/changelist that is not a table (a feed of mixed entries).
OTHER_PAGING = {"releases/selectors.py": "the release timeline, a feed of audit events, versions, suite runs and gates"}


def _files(suffix: str):
    for path in ROOT.rglob(f"*{suffix}"):
        rel = path.relative_to(ROOT)
        if not SKIP & set(rel.parts):
            yield rel.as_posix(), path.read_text(encoding="utf-8")


def _tables() -> dict[str, int]:
    return {rel: n for rel, text in _files(".html") if (n := len(TABLE.findall(text)))}


def test_a_list_table_is_drawn_only_by_the_changelist_include():
    tables = _tables()
    assert tables.pop(THE_LIST_TABLE) == 1, "the include draws one <table>: the list's"
    known = {**NOT_LISTS, **HAND_ROLLED_LISTS}
    unknown = {rel: n for rel, n in tables.items() if rel not in known}
    assert not unknown, (f"{unknown}: a list is a ChangelistSpec rendered with includes/changelist_table.html "
                         "(rows in a partial); a table that is not a list goes in NOT_LISTS with what it is")
    grown = {rel: (n, known[rel][0]) for rel, n in tables.items() if n > known[rel][0]}
    assert not grown, f"more tables than counted (found, counted): {grown}"


def test_the_counts_are_kept_exact_so_they_only_shrink():
    tables = _tables()
    stale = {rel: (tables.get(rel, 0), n) for rel, (n, _) in {**NOT_LISTS, **HAND_ROLLED_LISTS}.items()
             if tables.get(rel, 0) != n}
    assert not stale, f"a table went away: lower its count here (found, counted): {stale}"


def test_every_list_in_app_code_is_paged_by_the_changelist_package():
    calls = re.compile(r"\b(Paginator|build_changelist|build_live_changelist|build_served_changelist)\(")
    outside = sorted(rel for rel, text in _files(".py")
                     if calls.search(text) and not rel.startswith("core/changelist/") and rel not in OTHER_PAGING)
    assert not outside, f"{outside}: page a list through a ChangelistSpec (`spec.changelist`/`spec.page`), not by hand"


def test_every_changelist_spec_draws_its_rows_with_the_include():
    """Each declared list's template (ChangelistSpec(template=...), object_history(...)) includes the table."""
    declared = re.compile(r"(?:ChangelistSpec\(\s*template=|object_history\()\s*[\"']([\w/.-]+\.html)[\"']")
    constants = re.compile(r"^(\w+) = [\"']([\w/.-]+\.html)[\"']", re.M)
    by_constant = re.compile(r"ChangelistSpec\(\s*template=([A-Z_]+)\b")
    templates = {}
    for rel, text in _files(".py"):
        named = dict(constants.findall(text))
        found = declared.findall(text) + [named[c] for c in by_constant.findall(text) if c in named]
        templates.update({name: rel for name in found})
    assert len(templates) >= 20, templates
    sources = {rel.split("/templates/", 1)[-1]: text for rel, text in _files(".html")}
    missing = {name: rel for name, rel in templates.items() if "includes/changelist_table.html" not in sources.get(name, "")}
    assert not missing, f"lists whose template does not draw its rows with includes/changelist_table.html: {missing}"

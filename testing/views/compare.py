"""Compare two runs: two suite runs (any two, the previous one, or main), or two runs of one test.

`?b=<batch>` compares that suite run with the suite's newest run on main (`&vs=previous`: its
previous run; `&a=<batch>`: any other). `?suite=<name>&version=<id>` is "this version vs main".
`?run_b=<run>` does the same for one test's runs (`run_a`, `vs=previous`, or main by default).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from portal.roles import read_required
from testing import selectors
from testing.compare import compare_runs
from testing.models import SuiteRun, TestRun
from testing.views.runs import rubric_with_reasoning, transcript_of

TEMPLATE = "testing/compare.html"


@dataclass
class Side:
    label: str
    url: str
    runs: list
    batch_id: str = ""


def _batch_side(suite_run: SuiteRun | None, names: dict[str, str]) -> Side | None:
    if suite_run is None:
        return None
    versions = [suite_run.version_id, *suite_run.versions.values()]
    on = ", ".join(dict.fromkeys(names.get(v, v) for v in versions if v)) or ("main" if suite_run.username else "a version Telnyx does not report")
    when = timezone.localtime(suite_run.started_at).strftime("%-d %b, %H:%M")
    return Side(f"{when} on {on}", reverse("testing:suite-run-detail", args=[suite_run.suite, suite_run.batch_id]),
                selectors.batch_runs(suite_run), suite_run.batch_id)


def _run_side(run: TestRun | None) -> Side | None:
    if run is None:
        return None
    when = timezone.localtime(run.created_at).strftime("%-d %b, %H:%M") if run.created_at else run.telnyx_id[:8]
    return Side(f"Run of {when}", reverse("testing:run-detail", args=[run.test_id, run.telnyx_id]), [run])


def _suite_sides(request: HttpRequest) -> tuple[Side | None, Side | None, str, str]:
    """(left, right, suite name, what the left side is) for suite runs."""
    g = request.GET
    if g.get("b"):
        right_run = selectors.suite_run_by_batch(g["b"])
    elif g.get("suite") and g.get("version"):
        right_run = selectors.version_suite_run(g["suite"], g["version"])
        if right_run is None:
            raise Http404("This suite has not finished a run on this version yet.")
    else:
        raise Http404("Choose a suite run to compare.")
    if right_run is None:
        raise Http404("No such suite run.")
    left_run, wanted = _left_run(g, "a", right_run, chosen=selectors.suite_run_by_batch, previous=selectors.previous_suite_run,
                                 on_main=lambda run: selectors.main_suite_run(run.suite, exclude=run))
    names = selectors.version_names([v for r in (left_run, right_run) if r for v in [r.version_id, *r.versions.values()]])
    return _batch_side(left_run, names), _batch_side(right_run, names), right_run.suite, wanted


def _left_run(g, key: str, right_run, *, chosen, previous, on_main):
    """What the right run is compared with, and that in words: the run `key` names, the one
    before it, or one on main."""
    if g.get(key):
        return chosen(g[key]), "the chosen run"
    if g.get("vs") == "previous":
        return previous(right_run), "the previous run"
    return on_main(right_run), "a run on main"


def _test_sides(request: HttpRequest) -> tuple[Side | None, Side | None, str]:
    g = request.GET
    right_run = selectors.run_by_id(g.get("run_b", ""))
    if right_run is None:
        raise Http404("No such test run.")
    left_run, wanted = _left_run(g, "run_a", right_run, chosen=selectors.run_by_id, previous=selectors.previous_test_run,
                                 on_main=selectors.main_test_run)
    return _run_side(left_run), _run_side(right_run), wanted


@require_GET
@read_required
def run_compare(request: HttpRequest) -> HttpResponse:
    suite = ""
    if request.GET.get("run_b"):
        left, right, wanted = _test_sides(request)
    else:
        left, right, suite, wanted = _suite_sides(request)
    runs = [*(left.runs if left else []), *right.runs]
    comparison = compare_runs(left.runs if left else [], right.runs, selectors.test_names(r.test_id for r in runs))
    recent = list(selectors.suite_runs(suite).exclude(status="running")[:selectors.TREND_RUNS]) if suite else []
    return render(request, TEMPLATE, {
        "left": left, "right": right, "wanted": wanted, "suite": suite, "comparison": comparison,
        "recent": recent, "version_names": selectors.version_names(v for r in recent for v in [r.version_id, *r.versions.values()]),
    })


@require_GET
@read_required
def compare_transcripts(request: HttpRequest) -> HttpResponse:
    """Both runs' transcripts side by side with the grader's verdicts (fetched on demand: two
    calls to Telnyx per opened row, none for the comparison page itself)."""
    sides = []
    for key in ("run_a", "run_b"):
        run = selectors.run_by_id(request.GET.get(key, ""))
        if run is None:
            sides.append(None)
            continue
        test = selectors.test_by_id(run.test_id)
        messages_, error = transcript_of(run.payload)
        sides.append({"run": run, "messages": messages_, "error": error, "rubric": rubric_with_reasoning(run.payload, test)})
    template = f"{TEMPLATE}#transcripts" if request.htmx else "testing/compare_transcripts.html"
    return render(request, template, {"sides": sides})

"""One test run: status, timing, transcript, and each rubric criterion's verdict."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET
from django_htmx.http import HttpResponseStopPolling

from portal.roles import OPERATE, read_required
from portal.telnyx import TelnyxError
from testing import selectors
from testing.forms.runs import RunForm
from testing.models import FINAL_STATUSES, AssistantTest
from testing.services import runs as services

TEMPLATE = "testing/run_detail.html"


def rubric_with_reasoning(run: dict, test: AssistantTest | None) -> list[dict]:
    """Each criterion with its verdict and the grader's reasoning; the criteria text comes from
    the test's rubric. Telnyx may give no reasoning: the grader's log lines that name the
    criterion stand in (the run's `logs`)."""
    criteria = {r.get("name"): r.get("criteria", "") for r in ((test.payload.get("rubric") if test else None) or [])}
    log_lines = [line.strip() for line in str(run.get("logs") or "").splitlines() if line.strip()]
    return [
        {**item, "criteria": criteria.get(item.get("name"), ""),
         "reasoning": item.get("reasoning") or item.get("reason") or item.get("explanation") or "",
         "log": "; ".join(line for line in log_lines if item.get("name") and item["name"] in line)[:500]}
        for item in (run.get("detail_status") or [])
    ]


def transcript_of(run: dict) -> tuple[list[dict], str]:
    """The conversation's messages, or ([], why not) so the page can fall back to the logs."""
    if not run.get("conversation_id"):
        return [], ""
    try:
        return services.run_transcript(conversation_id=run["conversation_id"]), ""
    except TelnyxError as exc:
        return [], exc.user_message


def _version_tested(run: dict, test: AssistantTest | None) -> str | None:
    """The version id tested, "" for the main version, None when unknown.

    Telnyx's run object does not say; a suite run started from the portal remembers it.
    """
    if run.get("destination_version_id"):
        return run["destination_version_id"]
    suite_run = selectors.suite_run_of(run)
    if suite_run is None:
        return None
    if suite_run.versions:
        return suite_run.versions.get(test.destination if test else "", "")
    return suite_run.version_id


@require_GET
@read_required
def run_detail(request: HttpRequest, test_id: str, run_id: str) -> HttpResponse:
    result = services.test_run_fetch(user=request.user, test_id=test_id, run_id=run_id)
    run = result.data
    test = selectors.test_by_id(test_id)
    final = run.get("status") in FINAL_STATUSES
    transcript, transcript_error = transcript_of(run) if final else ([], "")
    version_tested = _version_tested(run, test)
    context = {
        "suite_run": selectors.suite_run_of(run) if final else None,
        "run_form": RunForm() if final and request.user.has_perm(OPERATE) else None,
        "run": run, "result": result, "test": test, "test_id": test_id, "run_id": run_id, "final": final,
        "cached": selectors.run_by_id(run_id),
        "version_tested": version_tested, "version_name": selectors.version_names([version_tested]).get(version_tested or ""),
        "triggered_by": selectors.triggered_by([run_id]).get(run_id),
        "rubric": rubric_with_reasoning(run, test), "transcript": transcript, "transcript_error": transcript_error,
        "assistant_name": selectors.assistant_names().get(test.destination) if test else None,
    }
    if request.htmx:
        # The status fragment polls until the run is final, then stops (286).
        response = render(request, f"{TEMPLATE}#run", context)
        return HttpResponseStopPolling(response.content) if final else response
    return render(request, TEMPLATE, context)

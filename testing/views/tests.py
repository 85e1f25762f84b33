"""Assistant test pages: changelist with bulk actions, create/edit with the rubric editor, delete, detail."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseStopPolling

from assistants.models import Assistant
from core.audit import audit_events_for
from core.background import eager, enqueue_listing_sync, listing_sync_active, page_sync
from core.changelist import ChangelistSpec, Column
from core.confirm import delete_each
from core.export import ExportColumn
from core.forms import add_telnyx_errors
from portal.roles import OPERATE, admin_required, operate_required, read_required
from portal.telnyx import TelnyxError
from testing import selectors
from testing.forms.runs import BulkActionForm, RunForm
from testing.forms.tests import RUBRIC_PREFIX, RubricFormSet, TestFilterForm, TestForm, apply_rubric_op, rubric_rows_from_post
from testing.models import AssistantTest, TestRun, TestSuite
from testing.services import assistant_tests as services
from testing.services import from_conversations
from testing.services import runs as run_services
from testing.tasks import follow_started

LIST_TEMPLATE = "testing/test_list.html"
FORM_TEMPLATE = "testing/test_form.html"
COLUMNS = [Column("name", "Name", "name"), Column("suite", "Suite", "test_suite"), Column("channel", "Channel", "channel"),
           Column("created", "Created", "created_at")]


TESTS = ChangelistSpec(
    template=LIST_TEMPLATE, queryset=selectors.test_queryset, form_class=TestFilterForm, columns=COLUMNS,
    default_sort="name", resource=services.RESOURCE, remember_as="testing-tests", list_url="testing:test-list",
    sync=services.tests_sync,
    form_kwargs=lambda: {"suite_choices": selectors.suite_filter_choices(),
                         "destination_choices": selectors.destination_filter_choices()},
    extra=lambda request: {"assistant_names": selectors.assistant_names()},
    tables=[AssistantTest, TestSuite, Assistant, TestRun],
    exports=[ExportColumn("Test id", "telnyx_id"), ExportColumn("Name", "name"), ExportColumn("Suite", "test_suite"),
             ExportColumn("Channel", "channel"), ExportColumn("Destination", "destination"),
             ExportColumn("Description", "description"), ExportColumn("Instructions", "instructions"),
             ExportColumn("Max duration (s)", "max_duration_seconds"), ExportColumn("Created", "created_at"),
             ExportColumn("Rubric", "payload", lambda p: "; ".join(
                 f"{r.get('name', '')}: {r.get('criteria', '')}" for r in (p or {}).get("rubric") or []))],
)


test_list, test_refresh = TESTS.views(read_required)


@require_POST
@operate_required
def test_bulk_action(request: HttpRequest) -> HttpResponse:
    """The changelist's action bar: run the selected tests now, or confirm deleting them."""
    form = BulkActionForm(request.POST, test_choices=selectors.test_choices())
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return TESTS.back_to_list(request)
    selected = selectors.tests_by_ids(form.cleaned_data["selected"])
    if form.cleaned_data["action"] == "delete":
        return redirect(reverse("testing:test-bulk-delete") + "?" + "&".join(f"id={t.telnyx_id}" for t in selected))
    started, failures = 0, []
    for test in selected:
        try:
            # One key per test from the form's key: resubmitting the action starts nothing twice.
            run_services.test_run_trigger(user=request.user, test_id=test.telnyx_id,
                                          idempotency_key=f"{form.cleaned_data['idempotency_key']}-{test.pk}")
            follow_started(test_id=test.telnyx_id)
            started += 1
        except TelnyxError as exc:
            failures.append(f"“{test.name}”: {exc.user_message}")
    if started:
        messages.success(request, f"Started {started} test run{'s' if started != 1 else ''}.")
    for failure in failures:
        messages.error(request, f"Could not start {failure}")
    return TESTS.back_to_list(request)


@require_http_methods(["GET", "POST"])
@admin_required
def test_bulk_delete(request: HttpRequest) -> HttpResponse:
    ids = request.POST.getlist("id") if request.method == "POST" else request.GET.getlist("id")
    tests = list(selectors.tests_by_ids(ids))
    if request.method == "POST" and tests:
        deleted = delete_each(request, tests, lambda row: services.test_delete(user=request.user, test_id=row.telnyx_id))
        if deleted:
            messages.success(request, f"Deleted {deleted} test{'s' if deleted != 1 else ''}.")
        return TESTS.back_to_list(request)
    return render(request, "testing/test_bulk_delete.html", {"tests": tests})


def _form_context(form: TestForm, rubric, **extra) -> dict:
    return {"form": form, "rubric": rubric, "assistant_options": selectors.assistant_options(),
            "suite_options": selectors.suite_names(), **extra}


def _draft(request: HttpRequest, test: dict | None) -> from_conversations.TestDraft | None:
    """"Make a test" from a conversation: the draft it starts from (GET), or only which
    conversation it came from (POST, carried in a hidden field)."""
    conversation_id = (request.POST or request.GET).get("from_conversation", "")[:200]
    if test or not conversation_id:
        return None
    if request.method == "POST":
        return from_conversations.TestDraft(conversation_id, request.POST.get("from_conversation_name", "")[:300], {})
    draft = from_conversations.test_draft_from_conversation(user=request.user, conversation_id=conversation_id)
    if draft.error:
        messages.warning(request, f"The conversation's messages could not be read, so the caller's turns are missing. {draft.error}")
    return draft


def _edit_test(request: HttpRequest, *, test: dict | None) -> HttpResponse:
    """Create (test None) or edit: one form, the rubric formset, and the no-JS rubric buttons."""
    draft = _draft(request, test)
    initial = {k: test.get(k) for k in TestForm.base_fields} if test else (draft.initial if draft else None)
    form = TestForm(request.POST or None, initial=initial)
    rubric_rows = (test or {}).get("rubric") or (draft.rubric if draft and draft.rubric else None) or [{"name": "", "criteria": ""}]
    if request.method == "POST" and request.POST.get("rubric_op"):
        # A rubric button without HTMX: re-render with the row change, save nothing.
        rows = apply_rubric_op(rubric_rows_from_post(request.POST), request.POST["rubric_op"])
        form = TestForm(request.POST)
        return render(request, FORM_TEMPLATE, _form_context(form, RubricFormSet(initial=rows, prefix=RUBRIC_PREFIX), test=test,
                                                            draft=draft))
    rubric = RubricFormSet(request.POST or None, initial=rubric_rows, prefix=RUBRIC_PREFIX)
    if request.method == "POST" and form.is_valid() & rubric.is_valid():
        body = {**form.to_body(editing=bool(test)), "rubric": [f.cleaned_data for f in rubric.forms if f.cleaned_data]}
        try:
            if test:
                saved = services.test_update(user=request.user, test_id=test["test_id"], data=body, before=test)
            else:
                saved = services.test_create(user=request.user, data=body, idempotency_key=form.cleaned_data["idempotency_key"])
        except TelnyxError as exc:
            add_telnyx_errors(form, exc, field_map={"rubric": "__all__"})
        else:
            if draft:
                from_conversations.remember_origin(user=request.user, test_id=saved["test_id"],
                                                   conversation_id=draft.conversation_id, conversation_name=draft.conversation_name)
            messages.success(request, f"{'Saved' if test else 'Created'} test “{saved.get('name')}”.")
            return redirect("testing:test-detail", test_id=saved["test_id"])
    return render(request, FORM_TEMPLATE, _form_context(form, rubric, test=test, draft=draft))


@require_http_methods(["GET", "POST"])
@admin_required
def test_create(request: HttpRequest) -> HttpResponse:
    return _edit_test(request, test=None)


@require_http_methods(["GET", "POST"])
@admin_required
def test_edit(request: HttpRequest, test_id: str) -> HttpResponse:
    test = services.test_fetch(user=request.user, test_id=test_id).data
    return _edit_test(request, test=test)


@require_POST
@admin_required
def rubric_rows(request: HttpRequest) -> HttpResponse:
    """HTMX: add, remove or move a rubric row; returns the rubric fragment re-rendered."""
    rows = apply_rubric_op(rubric_rows_from_post(request.POST), request.POST.get("rubric_op", ""))
    return render(request, f"{FORM_TEMPLATE}#rubric", {"rubric": RubricFormSet(initial=rows, prefix=RUBRIC_PREFIX)})


@require_http_methods(["GET", "POST"])
@admin_required
def test_delete(request: HttpRequest, test_id: str) -> HttpResponse:
    test = selectors.test_by_id(test_id) or AssistantTest(telnyx_id=test_id, name=test_id)
    return TESTS.delete_page(request, "testing/test_confirm_delete.html", {"test": test}, noun="test", name=test.name,
                             act=lambda: services.test_delete(user=request.user, test_id=test_id))


@require_GET
@read_required
def test_detail(request: HttpRequest, test_id: str) -> HttpResponse:
    resource = run_services.test_runs_resource(test_id)
    if request.htmx:
        # The run history polls while a run is unfinished or its sync runs on the worker; 286
        # stops it once both are over. Unfinished runs are followed by `track_test_runs`
        # (inline here where tasks are eager, as in unit tests).
        outcome, syncing = None, False
        if eager():
            outcome = enqueue_listing_sync(resource)
        runs = list(selectors.runs_for_test(test_id)[:50])
        if not eager():
            syncing = listing_sync_active(resource)
            if any(not r.is_final for r in runs):
                follow_started(test_id=test_id)  # no-op while it is followed already
        response = render(request, "testing/test_detail.html#history",
                          {"runs": runs, "test_id": test_id, "history_error": getattr(outcome, "error", None),
                           "syncing": syncing, "triggered_by": selectors.triggered_by(runs)})
        return response if syncing or any(not r.is_final for r in runs) else HttpResponseStopPolling(response.content)
    # The cached history at once; a stale one is synced on the worker while the page polls.
    listing = page_sync(resource)
    runs = list(selectors.runs_for_test(test_id)[:50])
    result = services.test_fetch(user=request.user, test_id=test_id)
    return render(request, "testing/test_detail.html", {
        "test": result.data, "result": result, "test_id": test_id,
        "history_error": getattr(listing["outcome"], "error", None), "syncing": listing["syncing"],
        "runs": runs, "assistant_names": selectors.assistant_names(), "triggered_by": selectors.triggered_by(runs),
        "run_form": RunForm() if request.user.has_perm(OPERATE) else None,
        "events": audit_events_for(resource_type=services.RESOURCE_TYPE, resource_id=test_id)[:10],
        "origin": selectors.test_origin(test_id),
    })


@require_POST
@operate_required
def test_run_now(request: HttpRequest, test_id: str) -> HttpResponse:
    """Run now. On failure the page re-renders with the same key, so pressing again cannot make a twin."""
    form = RunForm(request.POST)
    form.is_valid()
    key = form.cleaned_data.get("idempotency_key") or ""
    try:
        run = run_services.test_run_trigger(user=request.user, test_id=test_id, idempotency_key=key)
    except TelnyxError as exc:
        messages.error(request, f"The run did not start. {exc.user_message} Press Run now again to retry.")
        result = services.test_fetch(user=request.user, test_id=test_id)
        return render(request, "testing/test_detail.html", {
            "test": result.data, "result": result, "test_id": test_id, "runs": selectors.runs_for_test(test_id)[:50],
            "assistant_names": selectors.assistant_names(), "run_form": form,
        }, status=200)
    follow_started(test_id=test_id)
    messages.success(request, "Run started; it updates below as it moves through its states.")
    return redirect("testing:run-detail", test_id=test_id, run_id=run["run_id"])

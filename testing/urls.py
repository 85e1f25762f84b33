from django.urls import path

from testing.views import compare, from_conversations, runs, schedules, suite_edits, suites, tests

app_name = "testing"
urlpatterns = [
    path("tests/", tests.test_list, name="test-list"),
    path("tests/refresh/", tests.test_refresh, name="test-refresh"),
    path("tests/action/", tests.test_bulk_action, name="test-bulk-action"),
    path("tests/delete/", tests.test_bulk_delete, name="test-bulk-delete"),
    path("tests/add/", tests.test_create, name="test-add"),
    path("tests/rubric-rows/", tests.rubric_rows, name="rubric-rows"),
    path("tests/<tid:test_id>/", tests.test_detail, name="test-detail"),
    path("tests/<tid:test_id>/edit/", tests.test_edit, name="test-change"),
    path("tests/<tid:test_id>/delete/", tests.test_delete, name="test-delete"),
    path("tests/<tid:test_id>/run/", tests.test_run_now, name="test-run"),
    path("tests/<tid:test_id>/runs/<tid:run_id>/", runs.run_detail, name="run-detail"),
    path("from-conversations/", from_conversations.conversations_to_suite, name="conversations-to-suite"),
    path("compare/", compare.run_compare, name="run-compare"),
    path("compare/transcripts/", compare.compare_transcripts, name="compare-transcripts"),
    path("schedules/<int:schedule_id>/edit/", schedules.schedule_edit, name="schedule-edit"),
    path("schedules/<int:schedule_id>/toggle/", schedules.schedule_toggle, name="schedule-toggle"),
    path("schedules/<int:schedule_id>/delete/", schedules.schedule_delete, name="schedule-delete"),
    path("suites/", suites.suite_list, name="suite-list"),
    path("suites/refresh/", suites.suite_refresh, name="suite-refresh"),
    path("suites/add/", suite_edits.suite_create, name="suite-add"),
    # Suite names are free text and may hold "/": the longer routes come first so `path` can match them.
    path("suites/<path:suite_name>/runs/<tid:batch_id>/status/", suites.suite_run_status, name="suite-run-status"),
    path("suites/<path:suite_name>/runs/<tid:batch_id>/", suites.suite_run_live, name="suite-run-detail"),
    path("suites/<path:suite_name>/run/", suites.suite_run_trigger, name="suite-run-trigger"),
    path("suites/<path:suite_name>/schedules/add/", schedules.schedule_create, name="schedule-create"),
    path("suites/<path:suite_name>/alerts/", schedules.alert_save, name="alert-save"),
    path("suites/<path:suite_name>/rename/", suite_edits.suite_rename, name="suite-change"),
    path("suites/<path:suite_name>/delete/", suite_edits.suite_delete, name="suite-delete"),
    path("suites/<path:suite_name>/", suites.suite_detail, name="suite-detail"),
]

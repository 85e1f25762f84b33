"""Assistant tests, test suites (distinct ``test_suite`` names) and test runs."""

from __future__ import annotations

from django.db import transaction

from sandbox.api import ApiError, Enum, ListOf, check_fields, get_or_not_found, iso, new_id, no_content, now, ok, paginate, validate
from sandbox.behaviour.assistant_test_runs import run_json, run_trigger, status_filter
from sandbox.models import SbTest, SbTestRun, SbVersion

CHANNELS = ("phone_call", "web_call", "sms_chat", "web_chat")
DATA_FIELDS = ("description", "instructions", "rubric", "max_duration_seconds")
FIELDS = {"name": str, "destination": str, "instructions": str, "rubric": ListOf(dict), "description": str,
          "max_duration_seconds": int, "telnyx_conversation_channel": Enum(*CHANNELS), "test_suite": str}


def test_json(test: SbTest) -> dict:
    data = {"test_id": test.pk, "name": test.name, "created_at": iso(test.created_at),
            "telnyx_conversation_channel": test.channel, "destination": test.destination,
            "rubric": test.data.get("rubric", [])}
    if test.test_suite:
        data["test_suite"] = test.test_suite
    data.update({k: test.data[k] for k in ("description", "instructions", "max_duration_seconds") if k in test.data})
    return data


def _test(test_id) -> SbTest:
    return get_or_not_found(SbTest, test_id, "Test")


def _validate(body: dict, *, creating: bool) -> None:
    required_names = ("name", "destination", "instructions", "rubric") if creating else ()
    validate(body, required={k: FIELDS[k] for k in required_names},
             optional={k: v for k, v in FIELDS.items() if k not in required_names})
    errors = []
    if "rubric" in body and not body["rubric"]:
        errors.append(check_fields({}, required={"rubric": list})[0])
    for index, item in enumerate(body.get("rubric") or []):
        errors += check_fields(item, required={"name": str, "criteria": str}, prefix=f"/rubric/{index}")
    if errors:
        raise ApiError(422, errors=errors)


def _apply(test: SbTest, body: dict) -> None:
    for field, attr in (("name", "name"), ("destination", "destination"), ("test_suite", "test_suite"),
                        ("telnyx_conversation_channel", "channel")):
        if field in body:
            setattr(test, attr, body[field] or "")
    test.data = {**test.data, **{k: body[k] for k in DATA_FIELDS if k in body}}
    test.data["rubric"] = [{"name": r["name"], "criteria": r["criteria"]} for r in test.data.get("rubric", [])]


def test_list(request):
    tests = SbTest.objects.all()
    for param, field in (("destination", "destination"), ("telnyx_conversation_channel", "channel"),
                         ("test_suite", "test_suite")):
        if request.GET.get(param):
            tests = tests.filter(**{field: request.GET[param]})
    return ok(paginate(request, tests.order_by("created_at", "id"), test_json))


def test_create(request):
    body = request.json
    _validate(body, creating=True)
    test = SbTest(id=new_id(), created_at=now(), channel="web_chat")
    _apply(test, body)
    test.save()
    return ok(test_json(test))


def test_retrieve(request, test_id):
    return ok(test_json(_test(test_id)))


def test_update(request, test_id):
    body = request.json
    _validate(body, creating=False)
    test = _test(test_id)
    _apply(test, body)
    test.save()
    return ok(test_json(test))


def test_delete(request, test_id):
    _test(test_id).delete()
    return no_content()


def suite_list(request):
    names = (SbTest.objects.exclude(test_suite="").order_by("test_suite")
             .values_list("test_suite", flat=True).distinct())
    return ok({"data": list(names)})


def _filtered_runs(request, runs):
    if request.GET.get("status"):
        runs = runs.filter(status_filter(request.GET["status"]))
    if request.GET.get("test_suite_run_id"):
        runs = runs.filter(test_suite_run_id=request.GET["test_suite_run_id"])
    return runs.order_by("-created_at", "-id")


def suite_runs_list(request, suite_name):
    runs = SbTestRun.objects.filter(test__test_suite=suite_name)
    return ok(paginate(request, _filtered_runs(request, runs), run_json))


def _trigger_body(request) -> str:
    validate(request.json, optional={"destination_version_id": str})
    return request.json.get("destination_version_id") or ""


def _check_version(tests: list[SbTest], version_id: str) -> None:
    """Refuse a version that is not a version of every test's destination assistant, as Telnyx does."""
    if not version_id:
        return
    for test in tests:
        if not SbVersion.objects.filter(pk=version_id, assistant_id=test.destination).exists():
            raise ApiError(422, f"Version {version_id} is not a version of assistant {test.destination}, "
                                f"which test “{test.name}” calls.", pointer="/destination_version_id")


@transaction.atomic
def suite_runs_trigger(request, suite_name):
    version_id = _trigger_body(request)
    tests = list(SbTest.objects.filter(test_suite=suite_name).order_by("created_at", "id"))
    if not tests:
        raise ApiError(404, f"Test suite {suite_name} has no tests.")
    _check_version(tests, version_id)
    suite_run_id = new_id()
    runs = [run_trigger(t, destination_version_id=version_id, suite_run_id=suite_run_id) for t in tests]
    return ok([run_json(r) for r in runs])


def test_runs_list(request, test_id):
    test = _test(test_id)
    return ok(paginate(request, _filtered_runs(request, test.runs.all()), run_json))


@transaction.atomic
def test_runs_trigger(request, test_id):
    version_id = _trigger_body(request)
    test = _test(test_id)
    _check_version([test], version_id)
    return ok(run_json(run_trigger(test, destination_version_id=version_id)))


def test_run_retrieve(request, test_id, run_id):
    run = SbTestRun.objects.filter(pk=run_id, test_id=test_id).first()
    if run is None:
        raise ApiError(404, f"Test run {run_id} not found.")
    return ok(run_json(run))

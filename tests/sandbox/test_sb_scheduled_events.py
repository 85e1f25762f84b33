"""Scheduled events: validation, filters, lazy status, cancel vs remove."""

from datetime import timedelta

from django.utils import timezone

from sandbox.models import SbScheduledEvent


def _at(**delta):
    return (timezone.now() + timedelta(**delta)).isoformat()


def _body(**fields):
    return {"scheduled_at_fixed_datetime": _at(hours=1), "telnyx_agent_target": "+15550001111",
            "telnyx_end_user_target": "+15550002222", "telnyx_conversation_channel": "phone_call", **fields}


def test_sms_event_requires_text(api, make_assistant):
    assistant = make_assistant()
    response = api.post(f"/ai/assistants/{assistant['id']}/scheduled_events",
                        _body(telnyx_conversation_channel="sms_chat"))
    assert response.status_code == 422
    assert response.json()["errors"][0]["source"]["pointer"] == "/text"


def test_missing_fields_and_bad_region(api, make_assistant):
    assistant = make_assistant()
    path = f"/ai/assistants/{assistant['id']}/scheduled_events"
    response = api.post(path, {"telnyx_conversation_channel": "fax"})
    pointers = {e["source"]["pointer"] for e in response.json()["errors"]}
    assert pointers == {"/scheduled_at_fixed_datetime", "/telnyx_agent_target", "/telnyx_end_user_target",
                        "/telnyx_conversation_channel"}
    bad_region = api.post(path, _body(call_settings={"sip_region": "Mars"}))
    assert bad_region.json()["errors"][0]["source"]["pointer"] == "/call_settings/sip_region"


def test_pending_until_due_then_completed(api, make_assistant):
    assistant = make_assistant()
    path = f"/ai/assistants/{assistant['id']}/scheduled_events"
    event = api.post(path, _body()).json()
    assert event["status"] == "pending" and "call_status" not in event
    SbScheduledEvent.objects.filter(pk=event["scheduled_event_id"]).update(scheduled_at=timezone.now() - timedelta(minutes=1))
    done = api.get(f"{path}/{event['scheduled_event_id']}").json()
    assert done["status"] == "completed"
    assert done["call_attempts"][0]["call_status"] == "completed"


def test_in_progress_while_async_work_runs(api, make_assistant, settings):
    settings.SANDBOX_ASYNC_SECONDS = 3600
    assistant = make_assistant()
    event = api.post(f"/ai/assistants/{assistant['id']}/scheduled_events",
                     _body(scheduled_at_fixed_datetime=_at(seconds=-5))).json()
    assert event["status"] == "in_progress"


def test_list_filters_and_pages(api, make_assistant):
    assistant = make_assistant()
    path = f"/ai/assistants/{assistant['id']}/scheduled_events"
    api.post(path, _body(scheduled_at_fixed_datetime=_at(days=1)))
    api.post(path, _body(scheduled_at_fixed_datetime=_at(days=2), telnyx_conversation_channel="sms_chat", text="Hi"))
    api.post(path, _body(scheduled_at_fixed_datetime=_at(days=5)))
    assert api.get(path).json()["meta"]["total_results"] == 3
    sms = api.get(path, conversation_channel="sms_chat").json()["data"]
    assert [e["text"] for e in sms] == ["Hi"]
    window = api.get(path, from_date=_at(hours=36), to_date=_at(days=3)).json()["data"]
    assert len(window) == 1
    page = api.get(path, **{"page[size]": "2", "page[number]": "2"}).json()
    assert len(page["data"]) == 1 and page["meta"]["total_pages"] == 2


def test_delete_cancels_pending_then_removes(api, make_assistant):
    assistant = make_assistant()
    path = f"/ai/assistants/{assistant['id']}/scheduled_events"
    event = api.post(path, _body()).json()
    item = f"{path}/{event['scheduled_event_id']}"
    assert api.delete(item).status_code == 204
    assert api.get(item).json()["status"] == "failed"
    assert api.delete(item).status_code == 204
    assert api.get(item).status_code == 404

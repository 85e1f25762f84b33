"""Chat: deterministic replies, stored messages, version pinning and canary routing."""

import json
import uuid

from sandbox import dice


def _chat(api, assistant_id, content, conversation_id=None):
    conversation_id = conversation_id or str(uuid.uuid4())
    response = api.post(f"/ai/assistants/{assistant_id}/chat", {"content": content, "conversation_id": conversation_id})
    assert response.status_code == 200, response.content
    return conversation_id, response.json()["content"]


def test_reply_is_deterministic_and_depends_on_instructions(api, make_assistant):
    a = make_assistant(instructions="You are a pizza shop. Take orders.")
    b = make_assistant(instructions="You are a dentist's receptionist.")
    _, first = _chat(api, a["id"], "Can I order a margherita?")
    _, again = _chat(api, a["id"], "Can I order a margherita?")
    _, other = _chat(api, b["id"], "Can I order a margherita?")
    assert first == again
    assert first != other
    assert "pizza shop" in first


def test_chat_stores_messages_and_pins_version(api, make_assistant):
    assistant = make_assistant()
    conversation_id, reply = _chat(api, assistant["id"], "Where is my order?")
    conversation = api.get(f"/ai/conversations/{conversation_id}").json()["data"]
    assert conversation["metadata"]["assistant_id"] == assistant["id"]
    assert conversation["metadata"]["assistant_version_id"] == assistant["version_id"]
    messages = api.get(f"/ai/conversations/{conversation_id}/messages").json()["data"]
    assert [(m["role"], m["text"]) for m in messages] == [("user", "Where is my order?"), ("assistant", reply)]


def test_existing_conversation_keeps_its_version_after_promotion(api, make_assistant):
    assistant = make_assistant(instructions="You are version one.")
    conversation_id, _ = _chat(api, assistant["id"], "hello there friend")
    api.post(f"/ai/assistants/{assistant['id']}", {"instructions": "You are version two."})
    _, reply = _chat(api, assistant["id"], "and again", conversation_id)
    assert "version one" in reply
    _, fresh = _chat(api, assistant["id"], "and again")
    assert "version two" in fresh


def test_ai_disabled_conversation_is_400(api, make_assistant):
    assistant = make_assistant()
    conversation = api.post("/ai/conversations", {"metadata": {"ai_disabled": "true"}}).json()
    response = api.post(f"/ai/assistants/{assistant['id']}/chat",
                        {"content": "hi", "conversation_id": conversation["id"]})
    assert response.status_code == 400


def test_chat_requires_content_and_conversation(api, make_assistant):
    assistant = make_assistant()
    response = api.post(f"/ai/assistants/{assistant['id']}/chat", {"content": "hi"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["source"]["pointer"] == "/conversation_id"


def test_canary_weights_route_a_thousand_new_chats(api, make_assistant, settings):
    assistant = make_assistant(instructions="You are main.")
    aid = assistant["id"]
    draft = api.post(f"/ai/assistants/{aid}", {"instructions": "You are canary.", "promote_to_main": False}).json()
    api.post(f"/ai/assistants/{aid}/canary-deploys",
             {"rules": [{"serve": {"rollout": [{"version_id": draft["version_id"], "weight": 30}]}}]})
    dice.reset(settings.SANDBOX_SEED)
    served = [_chat(api, aid, f"question {n}")[1] for n in range(1000)]
    canary_share = sum("canary" in reply for reply in served) / 10
    assert abs(canary_share - 30) < 4
    by_version = api.get("/ai/conversations", **{"metadata->assistant_version_id": f"eq.{draft['version_id']}",
                                                 "limit": "1000"}).json()["data"]
    assert len(by_version) == sum("canary" in reply for reply in served)


def test_sms_chat_opens_conversation(api, make_assistant):
    assistant = make_assistant()
    response = api.post(f"/ai/assistants/{assistant['id']}/chat/sms",
                        {"from": "+15550001111", "to": "+15550002222", "text": "Your table is ready.",
                         "conversation_metadata": {"order": 42, "vip": True}})
    conversation_id = response.json()["conversation_id"]
    conversation = api.get(f"/ai/conversations/{conversation_id}").json()["data"]
    assert conversation["metadata"]["telnyx_conversation_channel"] == "sms_chat"
    assert conversation["metadata"]["order"] == "42"
    assert conversation["metadata"]["vip"] == "true"
    messages = api.get(f"/ai/conversations/{conversation_id}/messages").json()["data"]
    assert messages[0]["text"] == "Your table is ready."


def test_texml_is_plain_xml(api, make_assistant):
    assistant = make_assistant(greeting="Hi & welcome")
    response = api.get(f"/ai/assistants/{assistant['id']}/texml")
    assert response["Content-Type"].startswith("text/plain")
    body = response.content.decode()
    assert body.startswith("<?xml") and assistant["id"] in body and "Hi &amp; welcome" in body


def test_tool_test_simulates_webhook(api, make_assistant):
    hook = {"type": "webhook", "webhook": {"name": "lookup", "description": "d", "url": "https://ex.com/ok"}}
    broken = {"type": "webhook", "webhook": {"name": "broken", "description": "d", "url": "https://ex.com/fail"}}
    assistant = make_assistant(tools=[hook, broken])
    good = api.post(f"/ai/assistants/{assistant['id']}/tools/lookup/test", {"arguments": {"id": 7}}).json()["data"]
    assert good["success"] is True and good["status_code"] == 200 and good["request"]["body"] == {"id": 7}
    bad = api.post(f"/ai/assistants/{assistant['id']}/tools/broken/test").json()["data"]
    assert bad["success"] is False and bad["status_code"] == 500
    assert api.post(f"/ai/assistants/{assistant['id']}/tools/nope/test").status_code == 404


def test_stream_true_answers_with_server_sent_events(api, make_assistant):
    assistant = make_assistant()
    response = api.post(f"/ai/assistants/{assistant['id']}/chat",
                        {"content": "Opening hours?", "conversation_id": str(uuid.uuid4()), "stream": True})
    assert response["Content-Type"] == "text/event-stream"
    body = b"".join(response.streaming_content).decode()
    events = [block.split("\n") for block in body.strip().split("\n\n")]
    assert {e[0] for e in events[:-1]} == {"event: delta"}
    assert events[-1][0] == "event: done"
    deltas = "".join(json.loads(e[1][len("data: "):])["content"] for e in events[:-1])
    assert deltas == json.loads(events[-1][1][len("data: "):])["content"]

"""Chat completions on both paths: OpenAI shape, validation, tools, retrieval grounding."""

import json

import pytest

from sandbox.behaviour.embeddings import put_documents

PATHS = ["/ai/openai/chat/completions", "/ai/chat/completions"]


@pytest.mark.parametrize("path", PATHS)
def test_completion_shape_and_determinism(api, path):
    body = {"model": "openai/gpt-4o", "messages": [{"role": "system", "content": "Be brief."},
                                                   {"role": "user", "content": "Where is my parcel delivery?"}]}
    first = api.post(path, body).json()
    assert first["object"] == "chat.completion" and first["model"] == "openai/gpt-4o"
    choice = first["choices"][0]
    assert choice["message"]["role"] == "assistant" and choice["finish_reason"] == "stop"
    assert "parcel" in choice["message"]["content"]
    usage = first["usage"]
    assert usage["total_tokens"] == usage["prompt_tokens"] + usage["completion_tokens"] > 0
    again = api.post(path, body).json()
    assert again["choices"] == first["choices"] and again["id"] == first["id"]


def test_default_model_and_content_parts(api):
    response = api.post(PATHS[0], {"messages": [{"role": "user", "content": [
        {"type": "text", "text": "Describe invoices"}, {"type": "image_url", "image_url": {"url": "https://x/y.png"}}]}]})
    body = response.json()
    assert body["model"] == "meta-llama/Meta-Llama-3.1-8B-Instruct"
    assert "invoice" in body["choices"][0]["message"]["content"]


def test_validation_errors_point_at_messages(api):
    response = api.post(PATHS[0], {"messages": [{"role": "robot", "content": "hi"}, {"role": "user", "content": 5}]})
    assert response.status_code == 422
    assert [e["source"]["pointer"] for e in response.json()["errors"]] == ["/messages/0/role", "/messages/1/content"]
    assert api.post(PATHS[0], {"messages": []}).json()["errors"][0]["source"]["pointer"] == "/messages"
    assert api.post(PATHS[0], {}).json()["errors"][0]["source"]["pointer"] == "/messages"
    unknown = api.post(PATHS[1], {"model": "gpt-99", "messages": [{"role": "user", "content": "hi"}]})
    assert unknown.json()["errors"][0]["source"]["pointer"] == "/model"


def test_json_format_max_tokens_and_n(api):
    messages = [{"role": "user", "content": "Summarise the refund policy for hardware returns please"}]
    as_json = api.post(PATHS[0], {"messages": messages, "response_format": {"type": "json_object"}}).json()
    assert "answer" in json.loads(as_json["choices"][0]["message"]["content"])
    short = api.post(PATHS[0], {"messages": messages, "max_tokens": 4}).json()["choices"][0]
    assert short["finish_reason"] == "length" and len(short["message"]["content"].split()) <= 3
    assert len(api.post(PATHS[0], {"messages": messages, "n": 2}).json()["choices"]) == 2


def test_required_tool_choice_calls_the_function(api):
    tools = [{"type": "function", "function": {"name": "lookup_order", "parameters": {"type": "object"}}}]
    choice = api.post(PATHS[0], {"messages": [{"role": "user", "content": "Order 42?"}], "tools": tools,
                                 "tool_choice": "required"}).json()["choices"][0]
    assert choice["finish_reason"] == "tool_calls"
    assert choice["message"]["tool_calls"][0]["function"]["name"] == "lookup_order"


def test_retrieval_tool_grounds_the_answer_in_the_bucket(api):
    put_documents("kb", {"refunds.md": "Refunds reach your card within 14 days.",
                         "router.md": "Restart the router when the connection drops."})
    api.post("/ai/embeddings", {"bucket_name": "kb"})
    tools = [{"type": "retrieval", "retrieval": {"bucket_ids": ["kb"]}}]
    content = api.post(PATHS[0], {"messages": [{"role": "user", "content": "When will my refund arrive?"}],
                                  "tools": tools}).json()["choices"][0]["message"]["content"]
    assert content.startswith("According to refunds.md") and "14 days" in content


def test_stream_sends_chunks_that_add_up_to_the_answer(api):
    body = {"messages": [{"role": "user", "content": "Tell me about router lights and wifi channels"}]}
    whole = api.post(PATHS[0], body).json()["choices"][0]["message"]["content"]
    response = api.post(PATHS[0], {**body, "stream": True})
    assert response["Content-Type"] == "text/event-stream"
    events = b"".join(response.streaming_content).decode().split("\n\n")
    assert events[-2] == "data: [DONE]" and events[-1] == ""
    chunks = [json.loads(e.removeprefix("data: ")) for e in events[:-2]]
    assert {c["object"] for c in chunks} == {"chat.completion.chunk"}
    assert chunks[0]["choices"][0]["delta"]["role"] == "assistant"
    assert "".join(c["choices"][0]["delta"].get("content", "") for c in chunks) == whole
    assert chunks[-1]["choices"][0]["finish_reason"] == "stop"

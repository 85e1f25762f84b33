"""Demo activity around the demo assistants: conversations, tests with run history,
scheduled events, MCP servers and integration connections.

Everything is drawn from a ``random.Random`` seeded with SANDBOX_SEED, so two seeds of an
empty database give the same shapes (ids and "now" differ).
"""

from __future__ import annotations

import random
from datetime import timedelta

from django.conf import settings

from sandbox.api import new_id, now
from sandbox.behaviour.assistant_test_runs import run_trigger
from sandbox.behaviour.canary_rules import route
from sandbox.behaviour.integration_catalogue import INTEGRATIONS
from sandbox.behaviour.replies import reply_for
from sandbox.models import SbAssistant, SbCanaryDeploy, SbConnection, SbConversation, SbMcpServer, SbMessage, SbScheduledEvent, SbTest

USER_LINES = [
    "Hi, I need some help with my account.", "What are your opening hours?", "Can I change my booking to Friday?",
    "My internet has been down since this morning.", "How much does the premium plan cost?",
    "I'd like to cancel my appointment.", "Where is my order #48213?", "Can someone call me back tomorrow?",
    "Do you have a table for four at 7pm?", "I was charged twice this month.",
]
FOLLOW_UPS = ["Thanks, that helps.", "Okay, please go ahead.", "Could you repeat that?", "Great, bye!"]

DEMO_TESTS = [
    ("support", "Acme Support", "Connectivity troubleshooting", "Say your internet is down and ask for help.",
     [("diagnoses", "Asks about the router lights"), ("ticket", "Offers to open a ticket")]),
    ("support", "Acme Support", "Billing dispute", "Say you were charged twice and ask for a refund.",
     [("verifies", "Confirms the account number first"), ("empathy", "Acknowledges the frustration")]),
    ("support", "Order Status Bot", "Order lookup", "Ask where order 48213 is.",
     [("asks_number", "Asks for the order number"), ("tracking", "Reads back a tracking event")]),
    ("booking", "Clinic Booking", "New patient booking", "Book a check-up next Tuesday morning as a new patient.",
     [("collects_dob", "Collects date of birth"), ("no_advice", "Gives no medical advice")]),
    ("booking", "Restaurant Reservations", "Large party", "Book a table for ten on Saturday.",
     [("deposit", "Mentions the deposit for large parties"), ("hours", "Respects opening hours")]),
    ("booking", "Restaurant Reservations", "Late booking", "Ask for a table at 11:30pm.",
     [("hours", "Explains the kitchen closes at 11pm")]),
    ("sales", "Sales Qualifier", "Qualified lead", "Say you run a 50-person team with budget this quarter.",
     [("bant", "Asks budget, authority, need and timeline"), ("demo", "Offers a demo slot")]),
    ("sales", "Real Estate Concierge", "Viewing request", "Ask to view the two-bed flat on Elm Street.",
     [("schedules", "Offers viewing times"), ("agent", "Hands off to an agent")]),
]


def _by_name() -> dict[str, SbAssistant]:
    return {a.main_version.config["name"]: a for a in
            SbAssistant.objects.filter(is_demo=True, deleted_at__isnull=True).select_related("main_version")}


CHANNEL_TITLES = {"web_chat": "Web chat", "phone_call": "Phone call", "sms_chat": "SMS chat"}


def seed_conversations(rng: random.Random, assistants: list[SbAssistant], *, per_assistant=(6, 14)) -> int:
    """Chats spread over the last 7 days; canaried assistants route by their rules' weights."""
    current = now()
    conversations, messages = [], []
    for assistant in assistants:
        canary = SbCanaryDeploy.objects.filter(assistant=assistant).first()
        versions = {v.pk: v for v in assistant.versions.all()}
        for _ in range(rng.randint(*per_assistant)):
            started = current - timedelta(seconds=rng.randint(600, 7 * 24 * 3600))
            version_id = assistant.main_version_id
            if canary:
                version_id = route(canary.rules, {"channel": "web_chat"}, main_version_id=version_id,
                                   roll=lambda: rng.random() * 100)
            version = versions[version_id]
            named = rng.choice(["", "Web chat", "Phone call"])  # drawn as before, so the rest of the seed is unchanged
            channel = rng.choice(["web_chat", "phone_call", "sms_chat"])
            # A title that names the channel it was on ("SMS chat" on an SMS chat, never "Phone call").
            conversation = SbConversation(id=new_id(), created_at=started, is_demo=True,
                                          name=CHANNEL_TITLES[channel] if named else "")
            conversation.set_metadata({"assistant_id": assistant.pk, "assistant_version_id": version.pk,
                                       "telnyx_conversation_channel": channel,
                                       "telnyx_end_user_target": f"+1555{rng.randint(1000000, 9999999)}"})
            at = started
            for line in [rng.choice(USER_LINES)] + rng.sample(FOLLOW_UPS, rng.randint(0, 2)):
                messages.append(SbMessage(conversation=conversation, role="user", text=line, created_at=at, sent_at=at))
                at += timedelta(seconds=rng.randint(2, 20))
                messages.append(SbMessage(conversation=conversation, role="assistant",
                                          text=reply_for(version.config, line), created_at=at))
                at += timedelta(seconds=rng.randint(5, 60))
            conversation.last_message_at = at
            conversations.append(conversation)
    SbConversation.objects.bulk_create(conversations)
    SbMessage.objects.bulk_create(messages)
    return len(conversations)


def seed_tests(rng: random.Random, by_name: dict[str, SbAssistant]) -> int:
    """Tests in three suites, each suite run as a batch on three days of the last week (some
    against canaries), so the portal's suite history and pass-rate chart have batches to show."""
    current = now()
    by_suite: dict[str, list[SbTest]] = {}
    for suite, assistant_name, name, instructions, rubric in DEMO_TESTS:
        by_suite.setdefault(suite, []).append(SbTest.objects.create(
            id=new_id(), name=name, test_suite=suite, destination=by_name[assistant_name].pk, is_demo=True,
            channel=rng.choice(["web_chat", "phone_call"]), created_at=current - timedelta(days=8),
            data={"instructions": instructions, "description": f"{suite.title()} scenario: {name.lower()}.",
                  "max_duration_seconds": 120, "rubric": [{"name": n, "criteria": c} for n, c in rubric]},
        ))
    runs = 0
    for tests in by_suite.values():
        for day in sorted(rng.sample(range(1, 8), 3), reverse=True):
            batch, started = new_id(), current - timedelta(days=day, minutes=rng.randint(0, 600))
            triggered_by = rng.choice(["manual", "scheduled"])
            for test in tests:
                version_ids = list(SbAssistant.objects.get(pk=test.destination).versions.values_list("id", flat=True))
                run_trigger(test, destination_version_id=rng.choice(version_ids), suite_run_id=batch,
                            triggered_by=triggered_by, created_at=started)
                runs += 1
    return runs


def seed_scheduled_events(rng: random.Random, assistants: list[SbAssistant]) -> int:
    current = now()
    events = []
    for assistant in assistants[:5]:
        for offset_hours in (-30, -2, 20, 48):
            channel = rng.choice(["phone_call", "sms_chat"])
            data = {"telnyx_agent_target": "+15550100000", "telnyx_end_user_target": f"+1555{rng.randint(1000000, 9999999)}",
                    "conversation_metadata": {"source": "demo"}}
            if channel == "sms_chat":
                data["text"] = "Hi! Just a reminder about your appointment tomorrow."
            events.append(SbScheduledEvent(id=new_id(), assistant_id=assistant.pk, channel=channel, data=data,
                                           scheduled_at=current + timedelta(hours=offset_hours),
                                           created_at=current - timedelta(days=3)))
    SbScheduledEvent.objects.bulk_create(events)
    return len(events)


def seed_mcp_and_connections() -> None:
    at = now() - timedelta(days=20)
    SbMcpServer.objects.bulk_create([
        SbMcpServer(id=new_id(), name="Knowledge base", type="http", url="https://mcp.acme.example/kb",
                    allowed_tools=["search_articles"], created_at=at, is_demo=True),
        SbMcpServer(id=new_id(), name="Order system", type="sse", url="https://mcp.shop.example/sse",
                    api_key_ref="shop_mcp_key", created_at=at + timedelta(days=1), is_demo=True),
        SbMcpServer(id=new_id(), name="Calendar", type="http", url="https://mcp.calendar.example/mcp",
                    allowed_tools=["free_slots", "book"], created_at=at + timedelta(days=2), is_demo=True),
    ])
    SbConnection.objects.bulk_create([
        SbConnection(id=new_id(), integration_id=INTEGRATIONS[0]["id"], allowed_tools=["search_contacts", "create_lead"],
                     created_at=at),
        SbConnection(id=new_id(), integration_id=INTEGRATIONS[2]["id"], allowed_tools=["create_ticket"],
                     created_at=at),
    ])


def seed_demo_activity() -> dict[str, int]:
    """Seed everything around the demo assistants; returns counts for the command's report."""
    rng = random.Random(settings.SANDBOX_SEED)
    by_name = _by_name()
    assistants = list(by_name.values())
    seed_mcp_and_connections()
    return {
        "conversations": seed_conversations(rng, assistants),
        "test runs": seed_tests(rng, by_name),
        "scheduled events": seed_scheduled_events(rng, assistants),
    }

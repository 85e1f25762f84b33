"""Demo assistants for `manage.py sandbox_seed --demo`: realistic configs with history."""

from __future__ import annotations

from datetime import timedelta

from sandbox.api import new_id, now
from sandbox.behaviour import assistants as svc
from sandbox.models import SbAssistant, SbCanaryDeploy, SbTool


def _webhook(name: str, description: str, url: str) -> dict:
    return {"type": "webhook", "webhook": {"name": name, "description": description, "url": url,
                                           "method": "POST"}}


DEMO_ASSISTANTS = [
    {
        "name": "Acme Support",
        "description": "Tier-1 customer support for Acme's broadband customers.",
        "model": "meta-llama/Meta-Llama-3.1-70B-Instruct",
        "instructions": "You are Acme's friendly support agent. Troubleshoot connectivity, explain bills "
                        "and open tickets. Always confirm the account number before sharing details.",
        "greeting": "Hi, this is Acme Support. How can I help today?",
        "tags": ["support", "production"],
        "tools": [_webhook("open_ticket", "Open a support ticket", "https://example.com/hooks/tickets"),
                  {"type": "hangup", "hangup": {"description": "End the call when the customer is done."}}],
        "voice_settings": {"voice": "Telnyx.KokoroTTS.af_heart"},
        "transcription": {"model": "deepgram/nova-3", "language": "en"},
        "enabled_features": ["telephony", "messaging"],
        "_edits": [
            {"instructions": "You are Acme's friendly support agent. Troubleshoot connectivity, explain "
                             "bills and open tickets. Confirm the account number first. Keep answers short."},
            {"greeting": "Hi, thanks for calling Acme. What can I do for you?"},
            {"instructions": "You are Acme's support agent. Be concise and empathetic; offer a callback "
                             "when the wait is long.", "_main": False, "_name": "empathy experiment"},
        ],
        "_canary": 20,
    },
    {
        "name": "Sales Qualifier",
        "description": "Qualifies inbound leads and books demos.",
        "model": "openai/gpt-4o",
        "instructions": "You qualify inbound sales leads. Ask about team size, budget and timeline, then "
                        "offer a demo slot.",
        "tags": ["sales", "inbound"],
        "tools": [_webhook("create_lead", "Create a CRM lead", "https://example.com/hooks/crm")],
        "_edits": [{"instructions": "You qualify inbound sales leads using BANT. Offer a demo when qualified."}],
    },
    {
        "name": "Clinic Booking",
        "description": "Books, moves and cancels appointments for Riverside Clinic.",
        "model": "anthropic/claude-3-5-sonnet",
        "instructions": "You book appointments for Riverside Clinic. Never give medical advice. Collect "
                        "name, date of birth and preferred time.",
        "greeting": "Riverside Clinic, booking line. Are you a new or existing patient?",
        "tags": ["booking", "healthcare"],
        "privacy_settings": {"data_retention": True, "pii_redaction": "redact"},
        "_edits": [{"greeting": "Riverside Clinic. Would you like to book, change or cancel?"},
                   {"tags": ["booking", "healthcare", "hipaa"]}],
    },
    {
        "name": "Restaurant Reservations",
        "description": "Takes table reservations for Luigi's Trattoria.",
        "model": "meta-llama/Meta-Llama-3.1-8B-Instruct",
        "instructions": "You take reservations for Luigi's Trattoria. Opening hours are 5pm to 11pm. "
                        "Parties over 8 need a deposit.",
        "tags": ["booking", "hospitality"],
        "_edits": [],
    },
    {
        "name": "IT Helpdesk",
        "description": "Internal IT helpdesk for password resets and laptop issues.",
        "model": "meta-llama/Llama-3.3-70B-Instruct",
        "instructions": "You are the internal IT helpdesk. Reset passwords after verifying the employee ID "
                        "and triage hardware problems.",
        "tags": ["support", "internal"],
        "_edits": [{"description": "Internal IT helpdesk (password resets, laptops, VPN)."}],
    },
    {
        "name": "Collections Reminder",
        "description": "Outbound payment reminders, polite and compliant.",
        "model": "openai/gpt-4o-mini",
        "instructions": "You remind customers of overdue invoices. Be polite, never threaten, and offer a "
                        "payment plan link by SMS.",
        "tags": ["billing", "outbound"],
        "_edits": [{"instructions": "You remind customers of overdue invoices politely and offer a payment "
                                    "plan. Respect opt-outs immediately."}],
    },
    {
        "name": "Real Estate Concierge",
        "description": "Answers listing questions and schedules viewings.",
        "model": "google/gemma-3-27b-it",
        "instructions": "You help buyers with questions about our property listings and schedule viewings "
                        "with an agent.",
        "tags": ["sales", "real-estate"],
        "_edits": [],
    },
    {
        "name": "Order Status Bot",
        "description": "Tells shoppers where their order is over SMS.",
        "model": "anthropic/claude-3-5-haiku",
        "instructions": "You answer order status questions. Ask for the order number and read back the "
                        "latest tracking event.",
        "tags": ["support", "ecommerce", "sms"],
        "enabled_features": ["messaging"],
        "_edits": [{"greeting": "Hi! Send me your order number and I'll check it."}],
    },
]


def seed_demo_assistants() -> list[SbAssistant]:
    """Create the demo assistants with a few versions each; the first gets a canary deploy."""
    created = []
    start = now() - timedelta(days=30)
    for index, spec in enumerate(DEMO_ASSISTANTS):
        config = {k: v for k, v in spec.items() if not k.startswith("_")}
        at = start + timedelta(days=index)
        assistant = svc.assistant_create(config=config, created_at=at, is_demo=True,
                                         version_name="initial")
        last = None
        for step, edit in enumerate(spec["_edits"], start=1):
            changes = {k: v for k, v in edit.items() if not k.startswith("_")}
            last = svc.assistant_update(assistant, changes=changes, promote_to_main=edit.get("_main", True),
                                        version_name=edit.get("_name", f"revision {step}"),
                                        created_at=at + timedelta(days=2 * step))
        if spec.get("_canary") and last is not None:
            SbCanaryDeploy.objects.create(
                assistant=assistant, created_at=now() - timedelta(days=7), updated_at=now() - timedelta(days=7),
                rules=[{"serve": {"rollout": [{"version_id": last.id, "weight": spec["_canary"]}]}}],
            )
        created.append(assistant)
    return created


def seed_demo_tools(assistants: list[SbAssistant]) -> int:
    """Two tools in the shared library; the last demo assistant uses the first (set on its main
    version as seeded, so the demo's version counts stay as they are)."""
    order = SbTool.objects.create(id=new_id(), type="webhook", display_name="Order status", timeout_ms=5000,
                                  created_at=now() - timedelta(days=20),
                                  definition=_webhook("order_status", "Look up an order by its number",
                                                      "https://shop.example/api/orders")["webhook"])
    SbTool.objects.create(id=new_id(), type="handoff", display_name="Hand over to sales", created_at=now() - timedelta(days=19),
                          definition={"ai_assistants": [{"id": assistants[1].id,
                                                     "name": assistants[1].main_version.config.get("name", "")}]})
    main = assistants[-1].main_version
    main.config = {**main.config, "tool_ids": [order.id]}
    main.save(update_fields=["config"])
    return 2

"""Importing assistants from ElevenLabs, Vapi or Retell, simulated with canned agents.

Each provider "has" a few agents; importing creates (or overwrites) one sandbox assistant
per agent, tagged with ``import_metadata``.
"""

from __future__ import annotations

import hashlib

from django.db import transaction

from sandbox.behaviour import assistants as svc
from sandbox.models import SbAssistant

PROVIDER_AGENTS = {
    "elevenlabs": ["agent_concierge", "agent_faq"],
    "vapi": ["vapi-receptionist", "vapi-outbound"],
    "retell": ["retell-intake", "retell-survey"],
}


def _agent_config(provider: str, import_id: str) -> dict:
    label = import_id.replace("_", " ").replace("-", " ").title()
    return {
        "name": f"{label} ({provider})",
        "instructions": f"You are {label}, imported from {provider}. Help callers politely and briefly.",
        "description": f"Imported from {provider} agent {import_id}.",
        "tags": ["imported", provider],
        "import_metadata": {"import_id": import_id, "import_provider": provider},
    }


def _existing(provider: str, import_id: str) -> SbAssistant | None:
    return (SbAssistant.objects.filter(deleted_at__isnull=True,
                                       main_version__config__import_metadata__import_id=import_id,
                                       main_version__config__import_metadata__import_provider=provider)
            .select_related("main_version").first())


@transaction.atomic
def assistants_import(*, provider: str, import_ids: list[str] | None) -> list[SbAssistant]:
    """Create one assistant per provider agent; agents imported before are overwritten."""
    imported = []
    for import_id in import_ids or PROVIDER_AGENTS[provider]:
        config = _agent_config(provider, import_id)
        assistant = _existing(provider, import_id)
        if assistant:
            svc.assistant_update(assistant, changes=config, version_name=f"import {hashlib.sha1(import_id.encode()).hexdigest()[:6]}")
            assistant.refresh_from_db()
        else:
            assistant = svc.assistant_create(config=config)
        imported.append(assistant)
    return imported

"""Deterministic assistant replies: the same instructions and message give the same text.

No model runs in the sandbox. A reply is built from the serving version's persona (the
first sentence of its instructions) and what the user said, so different versions answer
differently and tests can tell which version served a conversation.
"""

from __future__ import annotations

import hashlib
import re

OPENERS = ["Thanks for reaching out.", "Happy to help.", "Sure thing.", "Good question."]
CLOSERS = ["Is there anything else I can do?", "Does that help?", "Shall I go ahead?",
           "Anything else on your mind?"]
GREETING_WORDS = {"hi", "hello", "hey", "hiya", "morning", "evening"}


def _persona(instructions: str) -> str:
    first = re.split(r"(?<=[.!?])\s", instructions.strip(), maxsplit=1)[0].rstrip(".!?")
    first = re.sub(r"^(you are|you're|you)\s+", "", first, flags=re.IGNORECASE)
    return first or "an assistant"


def _topic(message: str) -> str:
    words = re.findall(r"[A-Za-z0-9']+", message)
    return " ".join(words[:8]) or "that"


def _pick(options: list[str], *parts: str) -> str:
    digest = hashlib.sha256("|".join(parts).encode()).digest()
    return options[digest[0] % len(options)]


def reply_for(config: dict, message: str) -> str:
    """The assistant's reply to ``message`` under the configuration ``config``."""
    instructions = config.get("instructions", "")
    words = {w.lower() for w in re.findall(r"[A-Za-z']+", message)}
    if words and words <= GREETING_WORDS | {"there"}:
        greeting = config.get("greeting") or ""
        if greeting and not greeting.startswith("<"):
            return greeting
        return f"Hello! ({_persona(instructions)}) How can I help?"
    opener = _pick(OPENERS, instructions, message)
    closer = _pick(CLOSERS, message, instructions)
    return f"{opener} About \"{_topic(message)}\": as {_persona(instructions)}, I'll take care of it. {closer}"

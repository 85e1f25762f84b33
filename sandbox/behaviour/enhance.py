"""`POST /ai/assistants/{id}/instructions/enhance`, offline: deterministic "improved" instructions.

Telnyx asks an LLM; the sandbox restructures what it has the same way every time (a role, the
original guidance as numbered rules, one line per tool with when to use it, and what to do when
a tool fails), plus the enhancement prompt as a last rule, so tests can assert on the result.
"""

from __future__ import annotations

import re


def enhanced_instructions(instructions: str, tools: list[dict], prompt: str = "") -> str:
    sentences = [s.strip() for s in re.split(r"(?<=[.!?])\s+|\n+", instructions or "") if s.strip()]
    role = sentences[0] if sentences else "You are a helpful assistant."
    lines = ["## Role", role, "", "## Rules"]
    lines += [f"{n}. {s}" for n, s in enumerate(sentences[1:] or ["Answer briefly and accurately."], start=1)]
    named = []
    for tool in tools:
        inner = tool.get(tool.get("type")) if isinstance(tool.get(tool.get("type")), dict) else {}
        named.append(f"- `{inner.get('name') or tool.get('type')}` ({tool.get('type')}): "
                     f"{inner.get('description') or 'use it only when the user asks for what it does'}.")
    if named:
        lines += ["", "## Tools", *named, "", "## When a tool fails",
                  "Say what you could not do, never invent a result, and offer another way forward."]
    if prompt:
        lines += ["", "## Requested change", prompt.strip()]
    return "\n".join(lines) + "\n"

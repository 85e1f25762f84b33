"""Extractive summaries: the document's most representative sentences, in document order.

A sentence scores by how frequent its content words are across the document (normalised by
its length); words from the system prompt weigh double, so a prompt steers the summary.
The prompt may also ask for a length ("in 2 sentences") or for bullet points.
"""

from __future__ import annotations

import math
import re
from collections import Counter

from sandbox.behaviour.text_vectors import tokenize

DEFAULT_SENTENCES = 3
MIN_WORDS = 5
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"'(])|\n{2,}")
_NUMBERS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6}
_LENGTH = re.compile(r"\b(\d+|one|two|three|four|five|six)\s+(?:short\s+)?(?:sentences?|bullets?|points?)\b", re.I)


def split_sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE_END.split(text) if s and s.strip()]


def wanted_length(system_prompt: str) -> int:
    match = _LENGTH.search(system_prompt or "")
    if not match:
        return DEFAULT_SENTENCES
    raw = match.group(1).lower()
    return max(1, min(10, int(raw) if raw.isdigit() else _NUMBERS[raw]))


def summarize(text: str, system_prompt: str = "") -> str:
    """A short extractive summary of ``text`` shaped by ``system_prompt``."""
    sentences = split_sentences(text)
    if not sentences:
        return ""
    count = wanted_length(system_prompt)
    tokenised = [tokenize(s) for s in sentences]
    frequency = Counter(t for tokens in tokenised for t in tokens)
    steering = set(tokenize(system_prompt or ""))

    def score(index: int) -> float:
        tokens = tokenised[index]
        if not tokens:
            return 0.0
        weight = sum(frequency[t] * (2 if t in steering else 1) for t in set(tokens))
        return weight / math.sqrt(len(tokens))

    # Headings such as "Call recordings." say little on their own; prefer real sentences.
    candidates = [i for i, s in enumerate(sentences) if len(s.split()) >= MIN_WORDS] or list(range(len(sentences)))
    chosen = sorted(sorted(candidates, key=lambda i: (-score(i), i))[:count])
    picked = [sentences[i] for i in chosen]
    if re.search(r"\bbullet", system_prompt or "", re.I):
        return "\n".join(f"- {s}" for s in picked)
    return " ".join(picked)

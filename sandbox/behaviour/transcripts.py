"""Deterministic speech-to-text for the sandbox: the same audio always gives the same text.

The duration is real for WAV files (read from the header) and estimated from the size of
anything else (as 128 kbit/s audio); the words are picked from a phrase bank by a hash of
the audio bytes (or of the URL), about 2.5 words per second of audio.
"""

from __future__ import annotations

import hashlib
import io
import wave

PHRASES = [
    "Hi, thanks for calling, how can I help you today?",
    "I'd like to check the status of my order.",
    "Sure, can I have your account number please?",
    "My internet has been dropping out since yesterday evening.",
    "Let me run a quick line test for you.",
    "I was charged twice on my last invoice.",
    "I can see the duplicate charge and I have refunded it.",
    "Could you move my appointment to Thursday afternoon?",
    "Thursday at three o'clock is available.",
    "Is there anything else I can help you with?",
    "No, that's everything, thank you very much.",
    "You're welcome, have a great day.",
]
WORDS_PER_SECOND = 2.5
BYTES_PER_SECOND = 16_000  # 128 kbit/s


def audio_duration(data: bytes) -> float:
    """Seconds of audio in ``data``: exact for WAV, estimated otherwise (at least 1 s)."""
    try:
        with wave.open(io.BytesIO(data)) as wav:
            if wav.getframerate():
                return round(wav.getnframes() / wav.getframerate(), 3)
    except (wave.Error, EOFError, ValueError):
        pass
    return round(max(1.0, len(data) / BYTES_PER_SECOND), 3)


def transcribe(fingerprint: bytes, duration: float) -> list[dict]:
    """Segments ``{id, start, end, text}`` covering ``duration`` seconds of audio."""
    seed = hashlib.sha256(fingerprint).digest()
    target_words = max(1, round(duration * WORDS_PER_SECOND))
    chosen, words = [], 0
    position = seed[0]
    while words < target_words:
        phrase = PHRASES[position % len(PHRASES)]
        chosen.append(phrase)
        words += len(phrase.split())
        position += 1 + seed[len(chosen) % len(seed)] % 3
    segments, start = [], 0.0
    for index, phrase in enumerate(chosen):
        end = duration if index == len(chosen) - 1 else round(start + duration * len(phrase.split()) / words, 3)
        segments.append({"id": index, "start": round(start, 3), "end": round(end, 3), "text": phrase})
        start = end
    return segments

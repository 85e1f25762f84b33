"""Server-sent events (text/event-stream) parsing: lines in, `SseEvent`s out. No I/O here."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Iterator


@dataclass(frozen=True)
class SseEvent:
    event: str  # "message" when the server named none (OpenAI-style data-only streams)
    data: str


def parse_events(lines: Iterable[str]) -> Iterator[SseEvent]:
    """Yield one event per blank-line-terminated block, as the HTML standard defines them."""
    event, data = "", []
    for line in lines:
        if line == "":
            if data:
                yield SseEvent(event or "message", "\n".join(data))
            event, data = "", []
        elif line.startswith(":"):
            continue  # a comment, e.g. a keep-alive
        else:
            name, _, value = line.partition(":")
            value = value[1:] if value.startswith(" ") else value
            if name == "event":
                event = value
            elif name == "data":
                data.append(value)
    if data:
        yield SseEvent(event or "message", "\n".join(data))

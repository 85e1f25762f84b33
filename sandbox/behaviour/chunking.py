"""Splitting documents into overlapping chunks, as the embedding service does before it
vectorises them. Sizes are in characters; chunks end on word boundaries."""

from __future__ import annotations

DEFAULT_CHUNK_SIZE = 1024
DEFAULT_CHUNK_OVERLAP = 512


def chunk_text(text: str, size: int = DEFAULT_CHUNK_SIZE, overlap: int = DEFAULT_CHUNK_OVERLAP) -> list[str]:
    """Chunks of at most ``size`` characters (a longer single word is kept whole) where each
    chunk repeats up to ``overlap`` characters from the end of the previous one."""
    words = text.split()
    chunks = []
    start = 0
    while start < len(words):
        end, length = start, 0
        while end < len(words) and (end == start or length + 1 + len(words[end]) <= size):
            length += len(words[end]) + (1 if end > start else 0)
            end += 1
        chunks.append(" ".join(words[start:end]))
        if end >= len(words):
            break
        # Step back from the end while the carried-over tail fits in ``overlap``.
        next_start, tail = end, 0
        while next_start - 1 > start and tail + len(words[next_start - 1]) + 1 <= overlap:
            next_start -= 1
            tail += len(words[next_start]) + 1
        start = next_start
    return chunks

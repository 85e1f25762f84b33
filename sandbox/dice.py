"""Seeded random streams, one per purpose, so sandbox randomness is reproducible.

Each purpose ("faults", "canary", ...) has its own ``random.Random`` seeded from
``settings.SANDBOX_SEED`` plus the purpose's name, so one stream's use never shifts another's.
"""

from __future__ import annotations

import random
import threading

from django.conf import settings

_lock = threading.Lock()
_streams: dict[str, random.Random] = {}


def reset(seed: int | None = None) -> None:
    """Restart every stream from ``seed`` (settings.SANDBOX_SEED by default)."""
    with _lock:
        _streams.clear()
        _streams["__seed__"] = random.Random(settings.SANDBOX_SEED if seed is None else seed)


def uniform(purpose: str) -> float:
    """The next number in [0, 1) from the stream for ``purpose``."""
    with _lock:
        if "__seed__" not in _streams:
            _streams["__seed__"] = random.Random(settings.SANDBOX_SEED)
        stream = _streams.get(purpose)
        if stream is None:
            base = _streams["__seed__"].getstate()[1][0]
            stream = _streams[purpose] = random.Random(f"{base}:{purpose}")
        return stream.random()

"""Bag-of-words text vectors: tokenising, TF-IDF weighting and cosine similarity.

Shared by similarity search, clustering and summaries. Vectors are sparse dicts
``{term: weight}`` normalised to unit length, so a dot product is the cosine.
"""

from __future__ import annotations

import math
import re
from collections import Counter

_WORD = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*(?:'[a-z]+)?")

STOPWORDS = frozenset("""
a about above after again against all also am an and any are as at be because been before being
below between both but by can could did do does doing down during each few for from further had
has have having he her here hers him his how i if in into is it its itself just me more most my
no nor not now of off on once only or other our ours out over own same she should so some such
than that the their theirs them then there these they this those through to too under until up
very was we were what when where which while who whom why will with would you your yours yourself
can't cannot won't don't doesn't isn't aren't we're you're it's i'm let's may might must shall
get gets got us please per via etc
""".split())


def _stem(word: str) -> str:
    # Just enough folding that "refunds"/"refund" and "policies"/"policy" meet.
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def tokenize(text: str) -> list[str]:
    """Lower-cased content words of ``text``, stop words dropped, plurals folded."""
    # "Wi-Fi" and "wifi" are one term.
    words = (w.split("'")[0].replace("-", "") for w in _WORD.findall(text.lower()))
    return [_stem(w) for w in words if w not in STOPWORDS and len(w) > 1]


def normalise(weights: dict[str, float]) -> dict[str, float]:
    norm = math.sqrt(sum(v * v for v in weights.values()))
    return {t: v / norm for t, v in weights.items()} if norm else {}


def cosine(a: dict[str, float], b: dict[str, float]) -> float:
    """Cosine similarity of two unit vectors."""
    if len(a) > len(b):
        a, b = b, a
    return sum(v * b.get(t, 0.0) for t, v in a.items())


class TfidfModel:
    """Inverse document frequencies learnt from a corpus of token lists."""

    def __init__(self, corpus: list[list[str]]):
        self.size = len(corpus)
        frequency = Counter()
        for tokens in corpus:
            frequency.update(set(tokens))
        # Smoothed idf: terms in every document still count a little.
        self.idf = {t: math.log((1 + self.size) / (1 + df)) + 1.0 for t, df in frequency.items()}

    def vector(self, tokens: list[str]) -> dict[str, float]:
        """The unit TF-IDF vector of ``tokens`` (unknown terms weigh as if seen once)."""
        unseen = math.log(1 + self.size) + 1.0
        counts = Counter(tokens)
        return normalise({t: (1 + math.log(c)) * self.idf.get(t, unseen) for t, c in counts.items()})


def centroid(vectors: list[dict[str, float]]) -> dict[str, float]:
    """The unit-length mean of ``vectors``."""
    total: Counter = Counter()
    for vector in vectors:
        total.update(vector)
    return normalise(dict(total))


def estimate_tokens(text: str) -> int:
    """A model-agnostic token estimate: about four tokens for every three words."""
    return len(_WORD.findall(text.lower())) * 4 // 3

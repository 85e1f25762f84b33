"""Similarity search over a bucket's chunks: TF-IDF vectors ranked by cosine distance."""

from __future__ import annotations

from dataclasses import dataclass

from sandbox.behaviour.text_vectors import TfidfModel, cosine, tokenize


@dataclass(frozen=True)
class Passage:
    """One chunk of one document."""

    filename: str
    text: str
    source: str = ""
    loader_metadata: dict | None = None


@dataclass(frozen=True)
class Hit:
    passage: Passage
    distance: float  # cosine distance, 0 (same direction) to 1 (nothing in common)

    @property
    def certainty(self) -> float:
        # Weaviate's convention, which Telnyx's example response follows.
        return 1.0 - self.distance / 2.0


def rank(query: str, passages: list[Passage], limit: int) -> list[Hit]:
    """The ``limit`` passages closest to ``query``, closest first (ties keep input order)."""
    if not passages or limit < 1:
        return []
    tokenised = [tokenize(p.text) for p in passages]
    model = TfidfModel(tokenised)
    wanted = model.vector(tokenize(query))
    hits = [Hit(p, round(1.0 - cosine(wanted, model.vector(tokens)), 6))
            for p, tokens in zip(passages, tokenised)]
    order = sorted(range(len(hits)), key=lambda i: (hits[i].distance, i))
    return [hits[i] for i in order[:limit]]

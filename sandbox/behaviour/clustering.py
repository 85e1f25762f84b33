"""Grouping text chunks into themes: average-linkage agglomerative clustering over TF-IDF
vectors, with keywords and a short summary per cluster, and one level of sub-clusters.

Output follows the SDK's ``RecursiveCluster``: ``{cluster_id, cluster_header,
cluster_summary, total_number_of_nodes, nodes: [{filename, text}], subclusters}``.
Nodes are kept sorted by centrality (closest to the cluster's centroid first).
"""

from __future__ import annotations

from collections import Counter

from sandbox.behaviour.text_search import Passage
from sandbox.behaviour.text_vectors import TfidfModel, centroid, cosine, tokenize

# Merge clusters while their average similarity is at least this; sub-clusters must be
# tighter than their parent.
MERGE_THRESHOLD = 0.08
SUBCLUSTER_THRESHOLD = 0.2
KEYWORDS = 3


def agglomerate(vectors: list[dict[str, float]], threshold: float, min_size: int) -> list[list[int]]:
    """Index groups: merge the two closest groups (average linkage) while they are at least
    ``threshold`` similar, then fold groups smaller than ``min_size`` into their nearest
    neighbour. Groups come out largest first."""
    size = len(vectors)
    similarity = [[cosine(vectors[i], vectors[j]) for j in range(size)] for i in range(size)]
    groups = [[i] for i in range(size)]

    def link(a: list[int], b: list[int]) -> float:
        return sum(similarity[i][j] for i in a for j in b) / (len(a) * len(b))

    while len(groups) > 1:
        best, pair = -1.0, None
        for x in range(len(groups)):
            for y in range(x + 1, len(groups)):
                score = link(groups[x], groups[y])
                if score > best:
                    best, pair = score, (x, y)
        small = [g for g in groups if len(g) < min_size]
        if best >= threshold:
            x, y = pair
        elif small:
            # Too small to stand alone: join the nearest other group.
            x = groups.index(min(small, key=len))
            y = max((k for k in range(len(groups)) if k != x), key=lambda k: link(groups[x], groups[k]))
        else:
            break
        x, y = min(x, y), max(x, y)
        groups[x] = groups[x] + groups.pop(y)
    return sorted((sorted(g) for g in groups), key=lambda g: (-len(g), g[0]))


def keywords(vectors: list[dict[str, float]], count: int = KEYWORDS) -> list[str]:
    """The heaviest terms of a group of vectors."""
    total: Counter = Counter()
    for vector in vectors:
        total.update(vector)
    return [term for term, _ in sorted(total.items(), key=lambda kv: (-kv[1], kv[0]))[:count]]


def _first_sentence(text: str, limit: int = 160) -> str:
    """The first real sentence of ``text`` (headings such as "Billing FAQ." are skipped)."""
    sentences = [s.strip() for s in text.split(". ") if s.strip()]
    sentence = next((s for s in sentences if len(s.split()) >= 5), sentences[0] if sentences else "")
    return sentence if len(sentence) <= limit else sentence[:limit].rsplit(" ", 1)[0] + "…"


def _describe(cluster_id: str, members: list[int], passages: list[Passage],
              vectors: list[dict[str, float]]) -> dict:
    centre = centroid([vectors[i] for i in members])
    ordered = sorted(members, key=lambda i: (-cosine(vectors[i], centre), i))
    words = keywords([vectors[i] for i in members])
    files = sorted({passages[i].filename for i in members})
    header = ", ".join(words) if words else "miscellaneous"
    summary = (f"{len(members)} passage{'s' if len(members) != 1 else ''} from {len(files)} "
               f"file{'s' if len(files) != 1 else ''} about {header}. "
               f"Most central: \"{_first_sentence(passages[ordered[0]].text)}\"")
    return {
        "cluster_id": cluster_id,
        "cluster_header": header,
        "cluster_summary": summary,
        "total_number_of_nodes": len(members),
        "nodes": [{"filename": passages[i].filename, "text": passages[i].text} for i in ordered],
        "subclusters": [],
    }


def cluster_passages(passages: list[Passage], min_cluster_size: int, min_subcluster_size: int) -> list[dict]:
    """Clusters (largest first) of ``passages``, each with sub-clusters when its members
    split into at least two tighter groups of ``min_subcluster_size`` or more."""
    if not passages:
        return []
    tokenised = [tokenize(p.text) for p in passages]
    model = TfidfModel(tokenised)
    vectors = [model.vector(tokens) for tokens in tokenised]
    # A bucket smaller than min_cluster_size still forms one cluster rather than none.
    groups = agglomerate(vectors, MERGE_THRESHOLD, min(min_cluster_size, len(passages)))
    clusters = []
    for number, members in enumerate(groups):
        cluster = _describe(str(number), members, passages, vectors)
        if len(members) >= 2 * min_subcluster_size:
            member_vectors = [vectors[i] for i in members]
            parts = agglomerate(member_vectors, SUBCLUSTER_THRESHOLD, min_subcluster_size)
            if len(parts) > 1:
                cluster["subclusters"] = [
                    _describe(f"{number}.{k}", [members[i] for i in part], passages, vectors)
                    for k, part in enumerate(parts)
                ]
        clusters.append(cluster)
    return clusters

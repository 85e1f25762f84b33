"""Drawing computed clusters as a PNG: one coloured hub per cluster, laid out on a circle
(hub size grows with the cluster), its nodes as dots on a ring around it, joined by spokes;
sub-clusters get their own darker hubs between the hub and its nodes."""

from __future__ import annotations

import math

from sandbox.behaviour.png_canvas import Canvas

WIDTH, HEIGHT = 800, 600
PALETTE = [(31, 119, 180), (255, 127, 14), (44, 160, 44), (214, 39, 40), (148, 103, 189),
           (140, 86, 75), (227, 119, 194), (127, 127, 127), (188, 189, 34), (23, 190, 207)]


def _darker(colour, factor=0.6):
    return tuple(int(c * factor) for c in colour)


def _lighter(colour, factor=0.5):
    return tuple(int(c + (255 - c) * factor) for c in colour)


def render(clusters: list[dict], width: int = WIDTH, height: int = HEIGHT) -> bytes:
    """PNG bytes picturing ``clusters`` (SDK ``RecursiveCluster`` dicts)."""
    canvas = Canvas(width, height)
    count = len(clusters)
    spread = min(width, height) * (0.3 if count > 1 else 0.0)
    largest = max((c["total_number_of_nodes"] for c in clusters), default=1)
    centres = []
    for index, cluster in enumerate(clusters):
        angle = 2 * math.pi * index / max(count, 1) - math.pi / 2
        centres.append((width / 2 + spread * math.cos(angle), height / 2 + spread * math.sin(angle)))
    # Faint edges between all hubs first, so hubs and nodes draw over them.
    for i in range(count):
        for j in range(i + 1, count):
            canvas.line(*centres[i], *centres[j], (220, 220, 220))
    for index, (cluster, (cx, cy)) in enumerate(zip(clusters, centres)):
        colour = PALETTE[index % len(PALETTE)]
        hub = 12 + 18 * math.sqrt(cluster["total_number_of_nodes"] / largest)
        orbit = hub + 40 + 4 * min(cluster["total_number_of_nodes"], 20)
        _draw_nodes(canvas, cluster, cx, cy, orbit, colour)
        canvas.disc(cx, cy, hub, colour)
        canvas.ring(cx, cy, hub, _darker(colour))
    return canvas.png()


def _draw_nodes(canvas: Canvas, cluster: dict, cx: float, cy: float, orbit: float, colour) -> None:
    nodes = cluster.get("nodes") or []
    subclusters = cluster.get("subclusters") or []
    owner = {}
    for k, sub in enumerate(subclusters):
        for node in sub.get("nodes") or []:
            owner[(node["filename"], node["text"])] = k
    sub_hubs = {}
    for k in range(len(subclusters)):
        angle = 2 * math.pi * (k + 0.5) / len(subclusters)
        sub_hubs[k] = (cx + orbit * 0.55 * math.cos(angle), cy + orbit * 0.55 * math.sin(angle))
        canvas.line(cx, cy, *sub_hubs[k], _darker(colour))
    for n, node in enumerate(nodes):
        angle = 2 * math.pi * n / max(len(nodes), 1)
        x, y = cx + orbit * math.cos(angle), cy + orbit * math.sin(angle)
        sx, sy = sub_hubs.get(owner.get((node["filename"], node["text"])), (cx, cy))
        canvas.line(sx, sy, x, y, _lighter(colour))
        canvas.disc(x, y, 5, colour)
    for sx, sy in sub_hubs.values():
        canvas.disc(sx, sy, 7, _darker(colour))

"""The plan page's picture of the live gate: per metric, the estimated difference candidate −
main at each look, its always-valid confidence band, zero, the margin, and where each step
decided. Server-rendered SVG on the geometry of `core.charts` (axes, ticks, data table)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from core.charts import BOTTOM, HEIGHT, LEFT, RIGHT, TOP, WIDTH, Chart, Mark, Series, Tick, date_label

ESTIMATE_COLOUR = "#0072b2"
Y_TICKS = 5
LABEL_ROOM = 32  # the newest look sits this far inside the right edge, so its date label is not cut


@dataclass
class Decision:
    x: float
    label: str
    verdict: str


@dataclass
class IntervalChart(Chart):
    key: str = ""
    role: str = ""
    band: str = ""  # polygon points: the upper ends left to right, then the lower ends back
    zero_y: float = 0
    margin_y: float = 0
    margin_label: str = ""
    decisions: list[Decision] = field(default_factory=list)


def _looks(results: list) -> list[tuple[datetime, list, object]]:
    """(when, [estimate, lower, upper] per key, result) of every look, oldest first."""
    looks = []
    for result in results:
        for point in result.details.get("history", []):
            looks.append((datetime.fromisoformat(point["at"]), point, result))
    return sorted(looks, key=lambda look: look[0])


def interval_charts(results: list) -> list[IntervalChart]:
    """One chart per metric from the plan's live GateResults (any order)."""
    looks = _looks(results)
    latest = {}
    for result in sorted(results, key=lambda r: r.step.index if r.step else 0):
        for metric in result.details.get("metrics", []):
            latest[metric["key"]] = metric
    return [_chart(key, metric, looks, results) for key, metric in latest.items()
            if any(key in point["values"] for _, point, _ in looks)]


def _chart(key: str, metric: dict, looks: list, results: list) -> IntervalChart:
    points = [(at, point["values"][key], point["n"], result) for at, point, result in looks if key in point["values"]]
    margin = float(metric["margin"])
    estimates = [v[0] for _, v, _, _ in points]
    low = min(-2.5 * margin, min(estimates) - margin / 2)
    high = max(1.5 * margin, max(estimates) + margin / 2)
    span_y = high - low
    y = lambda v: round(TOP + (high - min(max(v, low), high)) / span_y * (HEIGHT - TOP - BOTTOM), 1)  # noqa: E731
    start, end = points[0][0], points[-1][0]
    seconds = max((end - start).total_seconds(), 1)
    plot_width = WIDTH - LEFT - RIGHT - LABEL_ROOM
    x = lambda at: round(LEFT + (at - start).total_seconds() / seconds * plot_width, 1) if end > start else LEFT + plot_width / 2  # noqa: E731
    marks = [Mark(x(at), y(v[0]), f"{key}: {v[0]:+.3f} ({v[1]:+.3f} to {v[2]:+.3f}) at {date_label(at, with_time=True)}, "
                                  f"candidate {n[0]}, main {n[1]}") for at, v, n, _ in points]
    band = " ".join([f"{x(at)},{y(v[2])}" for at, v, _, _ in points] + [f"{x(at)},{y(v[1])}" for at, v, _, _ in reversed(points)])
    decisions = []
    for result in results:
        mine = [p for p in points if p[3] is result]
        if result.verdict in ("pass", "fail", "inconclusive") and mine:
            step = f"step {result.step.index + 1} " if result.step else ""
            decisions.append(Decision(x(mine[-1][0]), f"{step}{result.get_verdict_display().lower()}", result.verdict))
    with_time = (end - start).total_seconds() < 3 * 86400
    ticks = [start + (end - start) * i / 4 for i in range(5)] if end > start else [start]
    rows = [[date_label(at, with_time=True), f"{n[0]} / {n[1]}", f"{v[0]:+.3f}", f"{v[1]:+.3f} to {v[2]:+.3f}"]
            for at, v, n, _ in points]
    last = points[-1][1]
    summary = (f"{len(points)} look{'s' if len(points) != 1 else ''}; latest difference {last[0]:+.3f}, "
               f"interval {last[1]:+.3f} to {last[2]:+.3f}; margin −{margin:g}")
    return IntervalChart(
        title=f"“{key}”: candidate − main", summary=summary,
        series=[Series("estimate", ESTIMATE_COLOUR, marks, " ".join(f"{m.x},{m.y}" for m in marks))],
        x_ticks=[Tick(x(t), date_label(t, with_time=with_time)) for t in ticks],
        y_ticks=[Tick(y(low + span_y * i / (Y_TICKS - 1)), f"{low + span_y * i / (Y_TICKS - 1):+.2f}") for i in range(Y_TICKS)],
        table_head=["When", "Conversations (candidate / main)", "Difference", "Always-valid interval"], table_rows=rows,
        key=key, role=metric.get("role", ""), band=band, zero_y=y(0), margin_y=y(-margin), margin_label=f"−{margin:g} margin",
        decisions=decisions,
    )

"""Server-rendered SVG charts: the one chart approach of the portal.

A view builds a chart from plain values (no ORM here); `templates/includes/chart_line.html`
and `chart_bars.html` draw it with axes, dated ticks, a legend, a `<title>` tooltip on
every mark and a data table as the text alternative. Geometry is computed here so the
templates only place what they are given.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.utils import timezone

WIDTH, HEIGHT = 640, 220
LEFT, RIGHT, TOP, BOTTOM = 44, 12, 12, 28
# Colour-blind-safe palette (Okabe–Ito), with enough contrast on white for marks.
PALETTE = ["#0072b2", "#d55e00", "#009e73", "#cc79a7", "#8a6d00", "#56b4e9", "#6b6b6b", "#882255", "#117733", "#e69f00"]
# Past the palette a line keeps a colour but gets its own dash pattern: no two series look alike.
DASHES = ["", "6 3", "2 3", "8 3 2 3"]


def series_style(index: int) -> tuple[str, str]:
    """(colour, dash pattern) of the `index`th series: distinct for len(PALETTE) × len(DASHES) series."""
    return PALETTE[index % len(PALETTE)], DASHES[(index // len(PALETTE)) % len(DASHES)]
# A dated-time label ("3 Dec 06:03") at the axis font is about 80 px wide: five across the plot
# leave a gap between the edge labels (anchored inward) and their neighbours; seven overlapped.
MAX_X_TICKS = 5
# A day label ("30 Nov") at the axis font is about this wide: labels are thinned so none overlap.
DAY_LABEL_WIDTH = 44
# Past this many days the axis is labelled by week (Mondays), each day keeping a small tick mark.
WEEKLY_AFTER_DAYS = 21


@dataclass
class Tick:
    pos: float
    label: str
    anchor: str = "middle"  # "start"/"end" for a label that would be clipped at the chart's edge


@dataclass
class Mark:
    """A dot (line charts) or a bar segment (bar charts) with its tooltip and optional link."""

    x: float
    y: float
    title: str
    url: str = ""
    width: float = 0
    height: float = 0
    label: str = ""  # drawn next to a lone dot so it is not a dot without context


@dataclass
class Series:
    name: str
    colour: str
    marks: list[Mark] = field(default_factory=list)
    polyline: str = ""
    dash: str = ""


@dataclass
class Chart:
    """Everything a chart include draws, plus the table that says the same in text."""

    title: str
    summary: str
    series: list[Series]
    x_ticks: list[Tick]
    y_ticks: list[Tick]
    table_head: list[str]
    table_rows: list[list[str]]
    width: int = WIDTH
    height: int = HEIGHT
    plot_left: int = LEFT
    plot_right: int = WIDTH - RIGHT
    plot_top: int = TOP
    plot_bottom: int = HEIGHT - BOTTOM
    # A short mark under the axis for every day of a day axis (labels may be thinned; days never are).
    x_minor: list[float] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not any(s.marks for s in self.series)

    @property
    def show_legend(self) -> bool:
        return len(self.series) > 1


@dataclass
class Point:
    """One observation of a line series: when, the value, a tooltip detail and a link."""

    at: datetime
    value: float
    detail: str = ""
    url: str = ""


def _y_scale(y_max: float) -> Callable[[float], float]:
    span = HEIGHT - BOTTOM - TOP
    return lambda v: round(HEIGHT - BOTTOM - (v / y_max) * span, 1) if y_max else HEIGHT - BOTTOM


def _nice_max(value: float) -> int:
    """A round axis top at or above value (1, 2, 5 × 10ⁿ), at least 1."""
    if value <= 1:
        return 1
    magnitude = 10 ** (len(str(int(value))) - 1)
    for step in (1, 2, 5, 10):
        if value <= step * magnitude:
            return step * magnitude
    return 10 * magnitude


def _count_ticks(top: int) -> list[int]:
    """Whole-number ticks from 0 to a `_nice_max` top: five steps where they divide evenly."""
    step = top // 5 if top >= 5 else 1
    return list(range(0, top + 1, step))


def day_ticks(days: Sequence[date], pos: Callable[[date], float]) -> list[Tick]:
    """Labelled ticks for a day axis, thinned to fit: every day while the labels fit, else
    every n-th day, and past WEEKLY_AFTER_DAYS days the Mondays (every n-th week if needed).
    No label runs off the chart: one at an edge is anchored inside it."""
    days = list(days)
    if not days:
        return []
    fit = max(2, int((WIDTH - LEFT - RIGHT) // DAY_LABEL_WIDTH))
    if len(days) <= fit:
        shown = days
    elif len(days) > WEEKLY_AFTER_DAYS:
        mondays = [d for d in days if d.weekday() == 0]
        weeks = max(1, -(-len(mondays) // fit))
        shown = mondays[::weeks]
    else:
        shown = days[::-(-len(days) // fit)]
    ticks = [Tick(pos(d), f"{d:%-d %b}") for d in shown]
    half = DAY_LABEL_WIDTH / 2
    for tick in ticks:
        if tick.pos - half < 0:
            tick.anchor, tick.pos = "start", max(tick.pos - half, 0)
        elif tick.pos + half > WIDTH:
            tick.anchor, tick.pos = "end", min(tick.pos + half, WIDTH)
    return ticks


def _local_date(at: datetime) -> date:
    return timezone.localtime(at).date() if timezone.is_aware(at) else at.date()


def date_label(at: date, *, with_time: bool) -> str:
    if isinstance(at, datetime) and timezone.is_aware(at):
        at = timezone.localtime(at)
    return at.strftime("%-d %b %H:%M") if with_time else at.strftime("%-d %b")


def line_chart(
    title: str, series: dict[str, Sequence[Point]], *, percent: bool = True, y_max: float | None = None,
    days: tuple[date, date] | None = None,
) -> Chart:
    """Lines over time, oldest left. A lone point sits mid-axis with its date and value labelled.

    `days` (first, last): a day axis over that range, each day a slot (a point at noon sits in the
    middle of its day's slot) with a tick mark, labels thinned to fit (weekly for long ranges).
    Without it, a range of three days or more is labelled on whole days too."""
    all_points = [p for points in series.values() for p in points]
    top = y_max if y_max is not None else (1.0 if percent else _nice_max(max((p.value for p in all_points), default=0)))
    y = _y_scale(top)
    fmt = (lambda v: f"{round(v * 100)}%") if percent else (lambda v: f"{v:g}")
    if all_points:
        start, end = min(p.at for p in all_points), max(p.at for p in all_points)
    else:
        start = end = timezone.now()
    if days is None and (end - start) >= timedelta(days=3):
        days = (_local_date(start), _local_date(end))
    if days is not None:
        zone = timezone.get_current_timezone()
        start = timezone.make_aware(datetime.combine(days[0], time()), zone)
        end = timezone.make_aware(datetime.combine(days[1] + timedelta(days=1), time()), zone)
    elif end == start:  # one moment: give the axis a day either side so the dot has context
        start, end = start - timedelta(days=1), end + timedelta(days=1)
    span = (end - start).total_seconds()
    plot_width = WIDTH - RIGHT - LEFT
    x = lambda at: round(LEFT + (at - start).total_seconds() / span * plot_width, 1)  # noqa: E731
    with_time = span < 3 * 86400
    drawn = []
    for index, (name, points) in enumerate(series.items()):
        ordered = sorted(points, key=lambda p: p.at)
        marks = [
            Mark(x(p.at), y(p.value), f"{name}: {fmt(p.value)} on {date_label(p.at, with_time=True)}{' · ' + p.detail if p.detail else ''}",
                 p.url, label=f"{fmt(p.value)} · {date_label(p.at, with_time=True)}")
            for p in ordered
        ]
        colour, dash = series_style(index)
        drawn.append(Series(name, colour, marks, " ".join(f"{m.x},{m.y}" for m in marks), dash))
    minor: list[float] = []
    if days is not None:
        # Whole days: a tick per day at noon (the middle of its slot), labels thinned to fit.
        day_list = [days[0] + timedelta(days=i) for i in range((days[1] - days[0]).days + 1)]
        noon = lambda d: x(timezone.make_aware(datetime.combine(d, time(12)), start.tzinfo))  # noqa: E731
        x_ticks = day_ticks(day_list, noon)
        minor = [noon(d) for d in day_list] if len(day_list) <= plot_width // 4 else []
    else:
        x_ticks = [Tick(x(t), date_label(t, with_time=True)) for t in
                   (start + (end - start) * i / (MAX_X_TICKS - 1) for i in range(MAX_X_TICKS))]
        x_ticks[0].anchor, x_ticks[-1].anchor = "start", "end"
    rows = [
        [name, date_label(p.at, with_time=True), fmt(p.value), p.detail]
        for name, points in series.items() for p in sorted(points, key=lambda p: p.at)
    ]
    count = len(all_points)
    summary = f"{count} point{'s' if count != 1 else ''}"
    if all_points:
        first, last = min(p.at for p in all_points), max(p.at for p in all_points)
        summary += f" from {date_label(first, with_time=with_time)} to {date_label(last, with_time=with_time)}"
        latest = max(all_points, key=lambda p: p.at)
        summary += f"; latest {fmt(latest.value)}"
    return Chart(
        title=title, summary=summary, series=drawn,
        x_ticks=x_ticks, x_minor=minor,
        y_ticks=[Tick(y(top * f), fmt(top * f)) for f in (0, 0.25, 0.5, 0.75, 1)],
        table_head=["Series", "When", "Value", "Detail"], table_rows=rows,
    )


def stacked_bar_chart(title: str, days: Sequence[date], counts: dict[str, dict[date, int]]) -> Chart:
    """One bar per day, stacked by series (e.g. conversations per assistant per day)."""
    totals = {d: sum(per_day.get(d, 0) for per_day in counts.values()) for d in days}
    top = _nice_max(max(totals.values(), default=0))
    y = _y_scale(top)
    plot_width = WIDTH - RIGHT - LEFT
    slot = plot_width / max(len(days), 1)
    bar = max(slot * 0.7, 1)
    drawn = []
    base = {d: 0 for d in days}
    for index, (name, per_day) in enumerate(counts.items()):
        marks = []
        for i, d in enumerate(days):
            n = per_day.get(d, 0)
            if not n:
                continue
            upper, lower = y(base[d] + n), y(base[d])
            marks.append(Mark(round(LEFT + i * slot + (slot - bar) / 2, 1), upper, f"{name}: {n} on {d:%-d %b}",
                              width=round(bar, 1), height=round(lower - upper, 1)))
            base[d] += n
        drawn.append(Series(name, PALETTE[index % len(PALETTE)], marks))
    centre = {d: round(LEFT + i * slot + slot / 2, 1) for i, d in enumerate(days)}
    grand = sum(totals.values())
    summary = f"{grand} in all over {len(days)} days"
    if days:
        summary += f", {days[0]:%-d %b} to {days[-1]:%-d %b}"
        busiest = max(days, key=lambda d: totals[d])
        if totals[busiest]:
            summary += f"; busiest {busiest:%-d %b} with {totals[busiest]}"
    return Chart(
        title=title, summary=summary, series=drawn,
        x_ticks=day_ticks(days, centre.__getitem__), x_minor=list(centre.values()) if slot >= 4 else [],
        y_ticks=[Tick(y(v), str(v)) for v in _count_ticks(top)],
        table_head=["Day", *counts.keys(), "Total"],
        table_rows=[[f"{d:%-d %b}", *(str(per_day.get(d, 0)) for per_day in counts.values()), str(totals[d])] for d in days],
    )

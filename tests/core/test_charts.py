"""The shared chart builder: axes with dates, tooltips, a text alternative, a lone point with context."""

from datetime import date, datetime, timedelta
from datetime import timezone as dt_timezone

from django.template.loader import render_to_string

from core.charts import Point, line_chart, stacked_bar_chart

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=dt_timezone.utc)


def test_line_chart_has_dated_axis_percent_ticks_and_a_tooltip_per_point():
    chart = line_chart("Pass rate", {"booking": [Point(T0 + timedelta(days=d), r, "x") for d, r in ((0, 0.5), (5, 1.0))]})
    assert [t.label for t in chart.y_ticks] == ["0%", "25%", "50%", "75%", "100%"]
    assert chart.x_ticks[0].label == "2 Mar" and chart.x_ticks[-1].label == "7 Mar"
    assert [m.title for m in chart.series[0].marks] == ["booking: 50% on 2 Mar 09:00 · x", "booking: 100% on 7 Mar 09:00 · x"]
    assert chart.summary == "2 points from 2 Mar to 7 Mar; latest 100%"


def test_a_single_point_is_centred_on_a_dated_axis_and_labelled_with_its_value():
    chart = line_chart("Pass rate", {"booking": [Point(T0, 0.8)]})
    html = render_to_string("includes/chart_line.html", {"chart": chart, "chart_id": "c"})
    mark = chart.series[0].marks[0]
    assert chart.x_ticks[0].pos < mark.x < chart.x_ticks[-1].pos
    assert "80% · 2 Mar 09:00</text>" in html  # the value is written, not only a dot
    assert "<polyline" not in html and "2 Mar" in chart.x_ticks[3].label


def test_bar_chart_stacks_series_per_day_and_tabulates_the_same_numbers():
    days = [date(2026, 3, 1), date(2026, 3, 2)]
    chart = stacked_bar_chart("Conversations", days, {"Sales": {days[0]: 3}, "Support": {days[0]: 1, days[1]: 2}})
    html = render_to_string("includes/chart_bars.html", {"chart": chart, "chart_id": "c"})
    assert "<title>Sales: 3 on 1 Mar</title>" in html and "<title>Support: 2 on 2 Mar</title>" in html
    assert chart.table_head == ["Day", "Sales", "Support", "Total"]
    assert chart.table_rows == [["1 Mar", "3", "1", "4"], ["2 Mar", "0", "2", "2"]]
    assert 'aria-labelledby="c-caption"' in html and "busiest 1 Mar with 4" in html
    assert [t.label for t in chart.y_ticks] == ["0", "1", "2", "3", "4", "5"]


def test_an_empty_chart_says_so_instead_of_drawing_axes():
    html = render_to_string("includes/chart_line.html", {"chart": line_chart("x", {}), "chart_id": "c", "empty": "No runs yet."})
    assert "No runs yet." in html and "<svg" not in html


def test_twelve_lines_all_look_different_and_the_legend_toggles_each():
    now = datetime(2026, 12, 6, 12, 0, tzinfo=dt_timezone.utc)
    chart = line_chart("Twelve", {f"a{i}": [Point(now - timedelta(days=1), 0.5), Point(now, 0.6)] for i in range(12)})
    styles = {(s.colour, s.dash) for s in chart.series}
    assert len(styles) == 12  # two assistants never share a look
    html = render_to_string("includes/chart_line.html", {"chart": chart, "chart_id": "c"})
    assert html.count('data-toggle-series="') == 12 and '<g data-series="11">' in html and 'stroke-dasharray="6 3"' in html


def test_a_day_axis_labels_every_day_while_they_fit_each_in_the_middle_of_its_slot():
    first = date(2026, 3, 2)
    points = [Point(datetime(2026, 3, 2 + d, 12, 0, tzinfo=dt_timezone.utc), d) for d in range(7)]
    chart = line_chart("Per day", {"a": points}, percent=False, days=(first, first + timedelta(days=6)))
    assert [t.label for t in chart.x_ticks] == ["2 Mar", "3 Mar", "4 Mar", "5 Mar", "6 Mar", "7 Mar", "8 Mar"]
    assert [t.pos for t in chart.x_ticks] == [m.x for m in chart.series[0].marks]  # each dot above its day
    assert len(chart.x_minor) == 7


def test_a_long_day_axis_is_labelled_by_week_with_a_mark_for_every_day_and_nothing_clipped():
    first = date(2026, 1, 1)
    chart = line_chart("Per day", {"a": [Point(datetime(2026, 1, 5, 12, tzinfo=dt_timezone.utc), 1)]}, percent=False,
                       days=(first, first + timedelta(days=89)))
    labels = [t.label for t in chart.x_ticks]
    assert all(datetime.strptime(f"{label} 2026", "%d %b %Y").weekday() == 0 for label in labels)  # Mondays
    middle = [t for t in chart.x_ticks if t.anchor == "middle"]
    gaps = [b.pos - a.pos for a, b in zip(middle, middle[1:])]
    assert min(gaps) >= 44 and max(gaps) - min(gaps) < 1  # evenly spaced (a week apart), never overlapping
    assert len(chart.x_minor) == 90
    for tick in chart.x_ticks:  # a label ~44 px wide stays inside the 640 px chart
        left = tick.pos - (44 if tick.anchor == "end" else 22 if tick.anchor == "middle" else 0)
        assert 0 <= left and left + 44 <= 640


def test_a_month_of_days_is_thinned_to_every_other_day_not_skipped_at_random():
    first = date(2026, 3, 1)
    chart = line_chart("Per day", {"a": [Point(datetime(2026, 3, 1, 12, tzinfo=dt_timezone.utc), 1)]}, percent=False,
                       days=(first, first + timedelta(days=20)))
    labels = [t.label for t in chart.x_ticks]
    assert labels == [f"{d} Mar" for d in range(1, 22, 2)]
    html = render_to_string("includes/chart_line.html", {"chart": chart, "chart_id": "c"})
    assert html.count('class="chart-axis">') == len(labels) + len(chart.y_ticks)


def test_dated_time_labels_leave_room_for_each_other():
    """A suite's trend labels its axis with date and time ("3 Dec 06:03", ~80 px): seven across the
    plot ran into each other at the edges, where the outer labels are anchored inward."""
    points = [Point(T0 + timedelta(hours=7 * i), 0.5) for i in range(3)]
    ticks = line_chart("Pass rate", {"booking": points}).x_ticks
    label_width = 80

    def extent(tick):
        left = {"start": tick.pos, "end": tick.pos - label_width}.get(tick.anchor, tick.pos - label_width / 2)
        return left, left + label_width

    spans = [extent(t) for t in ticks]
    assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:])), spans

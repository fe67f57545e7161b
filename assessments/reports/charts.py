"""Chart geometry for server-side SVG: the templates only draw what these functions lay out."""

from dataclasses import dataclass, field

PALETTE = ["#1d70b8", "#00703c", "#b58840", "#912b88", "#d4351c", "#28a197", "#505a5f"]
TIER_COLOURS = {"low": "#00703c", "medium": "#8a5a00", "high": "#b3261e", "very_high": "#5c0a0a"}


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    value_text: str
    y: float
    width: float
    colour: str
    value_x: float


@dataclass(frozen=True)
class BarChart:
    """Horizontal bars, one row per category; labels on the left, values at the bar's end."""

    bars: list[Bar]
    width: int
    height: int
    label_width: int
    bar_height: int
    plot_width: int


def bar_chart(
    items: list[tuple[str, int, str]],
    *,
    width: int = 560,
    label_width: int = 210,
    row: int = 26,
    colours: dict | None = None,
    keys: list[str] | None = None,
) -> BarChart:
    """Lay out (label, value, value text) rows; `colours` maps keys to colours if given."""
    plot_width = width - label_width - 100  # room for "12345 (100%)" after the longest bar
    largest = max((value for _, value, _ in items), default=0) or 1
    bars = []
    for index, (label, value, text) in enumerate(items):
        key = keys[index] if keys else ""
        colour = (colours or {}).get(key, PALETTE[0])
        bar_width = round(plot_width * value / largest, 1)
        y = index * row + 6
        bars.append(Bar(label, value, text, y, bar_width, colour, label_width + bar_width + 6))
    return BarChart(bars, width, len(items) * row + 12, label_width, row - 8, plot_width)


@dataclass(frozen=True)
class Column:
    x: float
    y: float
    height: float
    colour: str
    series: str
    value: int


@dataclass(frozen=True)
class Tick:
    position: float
    text: str


@dataclass
class SeriesLine:
    name: str
    colour: str
    points: str


@dataclass
class YearChart:
    """Columns of new counts per year and, over them, lines of the cumulative counts."""

    width: int
    height: int
    plot_top: int
    plot_bottom: int
    plot_left: int
    plot_right: int
    column_width: float = 0
    columns: list[Column] = field(default_factory=list)
    lines: list[SeriesLine] = field(default_factory=list)
    x_ticks: list[Tick] = field(default_factory=list)
    y_ticks: list[Tick] = field(default_factory=list)
    legend: list[tuple[str, str]] = field(default_factory=list)


def _nice_ceiling(value: int) -> int:
    for step in (
        1,
        2,
        5,
        10,
        20,
        25,
        50,
        100,
        200,
        250,
        500,
        1000,
        2000,
        2500,
        5000,
        10000,
        25000,
        50000,
    ):
        if value <= step * 4:
            return step * 4
    return value


def _axes(chart: YearChart, years: list[int], slot: float, top: int) -> None:
    """Year labels along the bottom (about eight of them) and five value labels up the side."""
    plot_height = chart.plot_bottom - chart.plot_top
    step = max(1, round(len(years) / 8))
    chart.x_ticks = [
        Tick(round(chart.plot_left + i * slot + slot / 2, 1), str(year))
        for i, year in enumerate(years)
        if i % step == 0 or i == len(years) - 1
    ]
    chart.y_ticks = [
        Tick(round(chart.plot_bottom - plot_height * i / 4, 1), str(top * i // 4)) for i in range(5)
    ]


def year_chart(
    years: list[int],
    series: list[tuple[str, list[int]]],
    *,
    width: int = 640,
    height: int = 260,
) -> YearChart:
    """Grouped columns, one group per year, one column per series, on a shared scale."""
    chart = YearChart(
        width, height, plot_top=12, plot_bottom=height - 28, plot_left=44, plot_right=width - 8
    )
    if not years:
        return chart
    top = _nice_ceiling(max((max(values, default=0) for _, values in series), default=0) or 1)
    plot_height = chart.plot_bottom - chart.plot_top
    slot = (chart.plot_right - chart.plot_left) / len(years)
    column_width = max(slot * 0.8 / len(series), 1)
    chart.column_width = round(column_width - 1, 1)
    for s_index, (name, values) in enumerate(series):
        colour = PALETTE[s_index % len(PALETTE)]
        chart.legend.append((name, colour))
        for y_index, value in enumerate(values):
            x = chart.plot_left + y_index * slot + slot * 0.1 + s_index * column_width
            h = plot_height * value / top
            chart.columns.append(
                Column(
                    round(x, 1), round(chart.plot_bottom - h, 1), round(h, 1), colour, name, value
                )
            )
    _axes(chart, years, slot, top)
    return chart


def line_chart(
    years: list[int],
    series: list[tuple[str, list[int]]],
    *,
    width: int = 640,
    height: int = 260,
) -> YearChart:
    """Cumulative counts as lines over the years."""
    chart = YearChart(
        width, height, plot_top=12, plot_bottom=height - 28, plot_left=44, plot_right=width - 8
    )
    if not years:
        return chart
    top = _nice_ceiling(max((max(values, default=0) for _, values in series), default=0) or 1)
    plot_height = chart.plot_bottom - chart.plot_top
    slot = (chart.plot_right - chart.plot_left) / len(years)
    for s_index, (name, values) in enumerate(series):
        colour = PALETTE[s_index % len(PALETTE)]
        chart.legend.append((name, colour))
        points = " ".join(
            f"{chart.plot_left + i * slot + slot / 2:.1f},{chart.plot_bottom - plot_height * v / top:.1f}"
            for i, v in enumerate(values)
        )
        chart.lines.append(SeriesLine(name, colour, points))
    _axes(chart, years, slot, top)
    return chart


def share_bars(shares, *, colours: dict | None = None) -> BarChart:
    """Bars for a list of analytics Share rows, labelled with count and percentage."""
    return bar_chart(
        [(s.label, s.count, f"{s.count} ({s.percent:g}%)") for s in shares],
        colours=colours,
        keys=[s.key for s in shares],
    )

"""Bar charts and sparklines for country pages, rendered server-side as accessible inline SVG strings.

`bar_chart_svg` compares one country's pillar scores with peer-group averages, `grouped_compare_svg` puts
2–5 countries side by side across the pillars, and `sparkline_svg` draws an indicator's time series. They
need no JavaScript, fonts or network; every element carries a CSS class so the site stylesheet can theme
it, plus explicit fills so a saved file still looks right. With `lang_dir="rtl"` the layout is mirrored
(bars grow leftwards, labels sit on the right) for Arabic pages. Missing values are written out as
"insufficient data" rather than drawn as a zero-length bar, which would read as a score of 0.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from gapbridge.charts.errors import ChartInputError
from gapbridge.charts.markup import (
    AXIS_COLOR,
    CATEGORICAL,
    MUTED_TEXT_COLOR,
    LangDir,
    NumberFormat,
    bidi_text,
    check_lang_dir,
    default_id,
    esc,
    fit_text,
    format_number,
    is_missing,
    num,
    svg_open,
    text_width,
    wrap_text,
)

__all__ = ["BarSeries", "Scale", "bar_chart_svg", "grouped_compare_svg", "nice_scale", "sparkline_svg"]


@dataclass(frozen=True, slots=True)
class BarSeries:
    """One named series, e.g. a country or a peer-group average: one value (or None) per category."""

    label: str
    values: Sequence[float | None]


# Layout constants in SVG user units (1 unit = 1 CSS px at the default size).
_FONT = 12.0
#: The sparkline's default `<desc>` (English); translated pages pass their own (`summary=`).
SPARKLINE_SUMMARY: Final = "{first_year}: {first}; {last_year}: {last} (min {min}, max {max})."
_SMALL_FONT = 11.0
_MARGIN = 8.0
_BAR_H = 14.0
_BAR_GAP = 3.0
_GROUP_GAP = 14.0
_VALUE_SPACE = 40.0  # room after the longest bar for its value ("100")
_LEGEND_SWATCH = 10.0


class _Mirror:
    """Lays out in left-to-right coordinates and flips x for RTL, so each chart is written once.

    Text anchors stay logical ("start"/"end"): the root element's `direction` attribute makes browsers
    and librsvg resolve them against the reading direction, which is exactly the mirrored side.
    """

    def __init__(self, width: float, direction: LangDir) -> None:
        self.width = width
        self.rtl = direction == "rtl"

    def x(self, x: float, w: float = 0.0) -> str:
        """The left edge of a box at LTR position `x` with width `w`, mirrored if needed."""
        return num(self.width - x - w if self.rtl else x)

    def text(self, text: str) -> str:
        return bidi_text(text, "rtl" if self.rtl else "ltr")


@dataclass(frozen=True, slots=True)
class Scale:
    """A value axis from 0 to `top` in `intervals` equal steps of `step` (a round number)."""

    top: float
    step: float
    intervals: int

    def ticks(self) -> list[float]:
        # round(): 3 x 0.1 is 0.30000000000000004 in binary floating point
        return [round(i * self.step, 12) for i in range(self.intervals + 1)]


#: Round steps: 1, 2, 2.5 and 5 times a power of ten. 2.5 only from 2.5 up: 0.25 needs two decimals, more
#: than the charts' labels show below 1000.
_NICE_STEPS: Final = (1.0, 2.0, 2.5, 5.0, 10.0)


def nice_scale(max_value: float, max_intervals: int = 4) -> Scale:
    """The smallest round step that covers `max_value` in at most `max_intervals` steps, and the axis end
    rounded up to it: 100 -> 0/25/50/75/100, 14.3 -> 0/5/10/15, 505,821 -> 0/200,000/400,000/600,000."""
    if not (math.isfinite(max_value) and max_value > 0):
        raise ChartInputError("max_value", f"must be a positive number, not {max_value}")
    if max_intervals < 1:
        raise ChartInputError("max_intervals", f"must be at least 1, not {max_intervals}")
    raw = max_value / max_intervals
    exponent = math.floor(math.log10(raw))
    for exp in (exponent, exponent + 1):
        for mantissa in _NICE_STEPS:
            if mantissa == 2.5 and exp < 0:
                continue
            step = float(f"{mantissa}e{exp}")  # exact decimal, unlike mantissa * 10**exp
            # the tolerance keeps float noise (0.07 / 0.01 = 7.000000000000001) from adding an interval
            intervals = max(1, math.ceil(max_value / step - 1e-9))
            if intervals <= max_intervals:
                return Scale(round(intervals * step, 12), step, intervals)
    raise AssertionError("unreachable: 10 x 10^(exponent + 1) always fits")  # pragma: no cover


def _validate(categories: Sequence[str], series: Sequence[BarSeries], max_value: float) -> None:
    if not categories:
        raise ChartInputError("categories", "at least one category is needed")
    if not series:
        raise ChartInputError("series", "at least one series is needed")
    if not (math.isfinite(max_value) and max_value > 0):
        raise ChartInputError("max_value", f"must be a positive number, not {max_value}")
    for i, s in enumerate(series):
        if len(s.values) != len(categories):
            raise ChartInputError(
                f"series[{i}].values", f"has {len(s.values)} values for {len(categories)} categories"
            )


def _bar(
    m: _Mirror,
    *,
    x0: float,
    y: float,
    track: float,
    value: float | None,
    max_value: float,
    series_index: int,
    tooltip: str,
    insufficient_label: str,
    number_format: NumberFormat,
    room: float,
) -> str:
    """One horizontal bar of length value/max_value * track, its value written after its end; `room` is
    the width available for the "insufficient data" text instead."""
    text_y = num(y + _BAR_H / 2 + _SMALL_FONT * 0.35)
    if value is None or is_missing(value):
        label = fit_text(insufficient_label, room - 4, _SMALL_FONT)
        return (
            f'<text class="gb-bar-missing gb-series-{series_index + 1}" x="{m.x(x0 + 4)}" y="{text_y}" '
            f'font-size="{num(_SMALL_FONT)}" font-style="italic" fill="{MUTED_TEXT_COLOR}" '
            'text-anchor="start">'
            f"<title>{esc(tooltip)}</title>{m.text(label)}</text>"
        )
    # Clamped: a score outside 0..max_value is a data error, but must not break the layout.
    length = round(max(0.0, min(value, max_value)) / max_value * track, 1)
    color = CATEGORICAL[series_index % len(CATEGORICAL)]
    return (
        f'<rect class="gb-bar gb-series-{series_index + 1}" x="{m.x(x0, length)}" y="{num(y)}" '
        f'width="{num(length)}" height="{num(_BAR_H)}" fill="{color}" data-value="{esc(value)}">'
        f"<title>{esc(tooltip)}</title></rect>"
        f'<text class="gb-bar-value" x="{m.x(x0 + length + 4)}" y="{text_y}" font-size="{num(_SMALL_FONT)}" '
        f'text-anchor="start">{m.text(number_format(value))}</text>'
    )


def _legend(m: _Mirror, labels: Sequence[str], y: float) -> tuple[str, float]:
    """Swatch + label items flowing in reading direction, wrapping to new lines; returns (markup, height)."""
    parts = ['<g class="gb-legend">']
    x, line_h = _MARGIN, _FONT + 6
    for i, label in enumerate(labels):
        # A label too long for one line wraps (whole words) rather than losing its end.
        lines = wrap_text(label, m.width - 2 * _MARGIN - _LEGEND_SWATCH - 6, _FONT)
        item_w = _LEGEND_SWATCH + 6 + max(text_width(line, _FONT) for line in lines) + 16
        if x > _MARGIN and x + item_w > m.width - _MARGIN:
            x, y = _MARGIN, y + line_h
        color = CATEGORICAL[i % len(CATEGORICAL)]
        text_x = m.x(x + _LEGEND_SWATCH + 6)
        spans = "".join(
            f'<tspan x="{text_x}" dy="{num(0 if k == 0 else line_h)}">{m.text(line)}</tspan>'
            for k, line in enumerate(lines)
        )
        parts.append(
            f'<rect class="gb-legend-swatch gb-series-{i + 1}" x="{m.x(x, _LEGEND_SWATCH)}" '
            f'y="{num(y - _LEGEND_SWATCH + 1)}" width="{num(_LEGEND_SWATCH)}" height="{num(_LEGEND_SWATCH)}" '
            f'fill="{color}"/>'
            f'<text class="gb-legend-label" x="{text_x}" y="{num(y)}" '
            f'font-size="{num(_FONT)}" text-anchor="start">{spans}</text>'
        )
        if len(lines) > 1:  # move to the wrapped label's last line; the next item then breaks to a new one
            x, y = m.width, y + (len(lines) - 1) * line_h
        else:
            x += item_w
    parts.append("</g>")
    return "".join(parts), y + line_h


def _grid(
    m: _Mirror,
    x0: float,
    track: float,
    top: float,
    bottom: float,
    scale: Scale,
    number_format: NumberFormat = format_number,
    axis_label: str | None = None,
) -> tuple[str, float]:
    """Light vertical gridlines at each round step of the scale with tick labels underneath, and the
    optional unit caption below them at the scale's far end; returns (markup, height below `bottom`)."""
    ticks = scale.ticks()
    xs = [x0 + track * value / scale.top for value in ticks]
    parts = ['<g class="gb-grid" stroke="#e6e6e6" stroke-width="1">']
    for x in xs:
        parts.append(f'<line x1="{m.x(x)}" y1="{num(top)}" x2="{m.x(x)}" y2="{num(bottom)}"/>')
    parts.append("</g>")
    parts.append(
        f'<line class="gb-axis" x1="{m.x(x0)}" y1="{num(top)}" x2="{m.x(x0)}" y2="{num(bottom)}" '
        f'stroke="{AXIS_COLOR}" stroke-width="1"/>'
    )
    parts.append(f'<g class="gb-tick-label" font-size="{num(_SMALL_FONT - 1)}" fill="{MUTED_TEXT_COLOR}">')
    shown = None
    for x, value in zip(xs, ticks, strict=True):
        label = number_format(value)
        if label == shown:
            continue  # a formatter coarser than the step (0, 0.5, 1 as whole numbers): no repeated labels
        shown = label
        parts.append(
            f'<text x="{m.x(x)}" y="{num(bottom + _SMALL_FONT + 2)}" text-anchor="middle">'
            f"{m.text(label)}</text>"
        )
    parts.append("</g>")
    below = _SMALL_FONT + 2
    if axis_label:
        below += _SMALL_FONT + 4
        parts.append(
            f'<text class="gb-axis-label" x="{m.x(x0 + track)}" y="{num(bottom + below)}" '
            f'font-size="{num(_SMALL_FONT - 1)}" fill="{MUTED_TEXT_COLOR}" text-anchor="end">'
            f"{m.text(fit_text(axis_label, track, _SMALL_FONT - 1))}</text>"
        )
    return "".join(parts), below


def _summary(
    categories: Sequence[str], series: Sequence[BarSeries], number_format: NumberFormat, na: str
) -> str:
    """Every value as text: the `<desc>` a screen reader reads instead of looking at the bars."""
    lines = []
    for s in series:
        cells = [
            f"{c} {na if v is None or is_missing(v) else number_format(v)}"
            for c, v in zip(categories, s.values, strict=True)
        ]
        lines.append(f"{s.label}: {', '.join(cells)}.")
    return " ".join(lines)


def bar_chart_svg(
    categories: Sequence[str],
    series: Sequence[BarSeries],
    *,
    title: str,
    description: str | None = None,
    lang_dir: LangDir = "ltr",
    max_value: float = 100.0,
    insufficient_label: str = "insufficient data",
    number_format: NumberFormat = format_number,
    value_format: NumberFormat | None = None,
    axis_label: str | None = None,
    width: float = 640.0,
    id_prefix: str | None = None,
) -> str:
    """Grouped horizontal bars: one group per category (pillar), one bar per series.

    Put the country first in `series` and peer-group averages after it; the first series gets the
    strongest colour. `description` defaults to all values spelled out as text. The scale runs from 0 to
    `max_value` rounded up to a round step (`nice_scale`); `number_format` writes its tick labels and,
    unless `value_format` is given (e.g. one fixed decimal, as the table beside the chart), the values.
    `axis_label` (e.g. "million USD") is written under the scale.
    """
    direction = check_lang_dir(lang_dir)
    _validate(categories, series, max_value)
    scale = nice_scale(max_value)
    values_format = value_format or number_format
    m = _Mirror(width, direction)
    prefix = id_prefix or default_id(
        "bars", title, list(categories), [(s.label, list(s.values)) for s in series]
    )
    desc = description or _summary(categories, series, values_format, insufficient_label)

    # Whole units throughout, so RTL positions (width - x - w) mirror LTR ones exactly after rounding.
    label_w = math.ceil(min(max(text_width(c, _FONT) for c in categories), width * 0.34))
    x0 = _MARGIN + label_w + 8
    track = round(width - x0 - _MARGIN - _VALUE_SPACE)
    if track < 80:
        raise ChartInputError("width", f"{width} leaves no room for bars")

    legend, y = _legend(m, [s.label for s in series], _MARGIN + _FONT)
    top = y
    group_h = len(series) * _BAR_H + (len(series) - 1) * _BAR_GAP
    body: list[str] = []
    for ci, category in enumerate(categories):
        gy = top + ci * (group_h + _GROUP_GAP)
        body.append(
            f'<text class="gb-category-label" x="{m.x(x0 - 8)}" y="{num(gy + group_h / 2 + _FONT * 0.35)}" '
            f'font-size="{num(_FONT)}" text-anchor="end"><title>{esc(category)}</title>'
            f"{m.text(fit_text(category, label_w, _FONT))}</text>"
        )
        for si, s in enumerate(series):
            value = s.values[ci]
            shown = insufficient_label if value is None or is_missing(value) else values_format(value)
            body.append(
                _bar(
                    m,
                    x0=x0,
                    y=gy + si * (_BAR_H + _BAR_GAP),
                    track=track,
                    value=value,
                    max_value=scale.top,
                    series_index=si,
                    tooltip=f"{s.label} – {category}: {shown}",
                    insufficient_label=insufficient_label,
                    number_format=values_format,
                    room=track + _VALUE_SPACE,
                )
            )
    bottom = top + len(categories) * (group_h + _GROUP_GAP) - _GROUP_GAP + 4
    grid, below = _grid(m, x0, track, top - 4, bottom, scale, number_format, axis_label)
    height = bottom + below + _MARGIN
    return "".join(
        [
            svg_open(
                width=width,
                height=height,
                css_class="gb-chart gb-bar-chart",
                id_prefix=prefix,
                title=title,
                desc=desc,
                lang_dir=direction,
            ),
            legend,
            grid,
            *body,
            "</svg>",
        ]
    )


def grouped_compare_svg(
    categories: Sequence[str],
    series: Sequence[BarSeries],
    *,
    title: str,
    description: str | None = None,
    lang_dir: LangDir = "ltr",
    max_value: float = 100.0,
    insufficient_label: str = "insufficient data",
    number_format: NumberFormat = format_number,
    value_format: NumberFormat | None = None,
    width: float = 760.0,
    id_prefix: str | None = None,
) -> str:
    """2–5 countries side by side: one column per country (series), one row per category (pillar).

    Each cell is a short bar with its value, so rows compare across countries and columns read as a
    country's profile; unlike one long grouped chart, it stays legible with five countries and six pillars.
    `value_format`, if given, writes the values (e.g. one fixed decimal, as the table beside the chart).
    """
    direction = check_lang_dir(lang_dir)
    _validate(categories, series, max_value)
    if not 2 <= len(series) <= 5:
        raise ChartInputError("series", f"compare 2 to 5 countries, not {len(series)}")
    number_format = value_format or number_format  # no scale to label: the values are all it writes
    m = _Mirror(width, direction)
    prefix = id_prefix or default_id(
        "cmp", title, list(categories), [(s.label, list(s.values)) for s in series]
    )
    desc = description or _summary(categories, series, number_format, insufficient_label)

    label_w = math.ceil(min(max(text_width(c, _FONT) for c in categories), width * 0.25))
    first = _MARGIN + label_w + 10
    panel_w = (width - first - _MARGIN) // len(series)
    track = panel_w - _VALUE_SPACE - 8
    if track < 30:
        raise ChartInputError("width", f"{width} leaves no room for {len(series)} columns")
    row_h = _BAR_H + 10
    header_y = _MARGIN + _FONT
    top = header_y + 10

    body: list[str] = []
    for si, s in enumerate(series):
        px = first + si * panel_w
        body.append(
            f'<text class="gb-panel-title gb-series-{si + 1}" x="{m.x(px)}" y="{num(header_y)}" '
            f'font-size="{num(_FONT)}" font-weight="600" text-anchor="start"><title>{esc(s.label)}</title>'
            f"{m.text(fit_text(s.label, panel_w - 6, _FONT))}</text>"
            f'<rect class="gb-panel-rule gb-series-{si + 1}" x="{m.x(px, panel_w - 8)}" '
            f'y="{num(header_y + 4)}" '
            f'width="{num(panel_w - 8)}" height="2" fill="{CATEGORICAL[si % len(CATEGORICAL)]}"/>'
        )
    for ci, category in enumerate(categories):
        ry = top + ci * row_h
        if ci % 2 == 1:
            # Zebra stripes carry the eye along a row across up to five panels.
            body.append(
                f'<rect class="gb-row-stripe" x="0" y="{num(ry - 5)}" width="{num(width)}" '
                f'height="{num(row_h)}" '
                f'fill="#f5f5f5"/>'
            )
        body.append(
            f'<text class="gb-category-label" x="{m.x(first - 10)}" '
            f'y="{num(ry + _BAR_H / 2 + _FONT * 0.35)}" '
            f'font-size="{num(_FONT)}" text-anchor="end"><title>{esc(category)}</title>'
            f"{m.text(fit_text(category, label_w, _FONT))}</text>"
        )
        for si, s in enumerate(series):
            value = s.values[ci]
            shown = insufficient_label if value is None or is_missing(value) else number_format(value)
            body.append(
                _bar(
                    m,
                    x0=first + si * panel_w,
                    y=ry,
                    track=track,
                    value=value,
                    max_value=max_value,
                    series_index=si,
                    tooltip=f"{s.label} – {category}: {shown}",
                    insufficient_label=insufficient_label,
                    number_format=number_format,
                    room=panel_w - 8,
                )
            )
    height = top + len(categories) * row_h + _MARGIN
    return "".join(
        [
            svg_open(
                width=width,
                height=height,
                css_class="gb-chart gb-compare-chart",
                id_prefix=prefix,
                title=title,
                desc=desc,
                lang_dir=direction,
            ),
            *body,
            "</svg>",
        ]
    )


def sparkline_svg(
    points: Sequence[tuple[int, float | None]],
    *,
    title: str,
    lang_dir: LangDir = "ltr",
    width: float = 120.0,
    height: float = 32.0,
    no_data_label: str = "no data",
    number_format: NumberFormat = format_number,
    id_prefix: str | None = None,
    summary: str = SPARKLINE_SUMMARY,
) -> str:
    """A tiny line of an indicator over time: x is the year (gaps in years stay visible), y is scaled to
    the series' own range, missing years break the line, and the latest value gets a dot.

    In RTL time runs right to left, as in the surrounding Arabic text. `summary` is the `<desc>` as a
    `str.format` template with `{first_year}`, `{first}`, `{last_year}`, `{last}`, `{min}` and `{max}`.
    """
    direction = check_lang_dir(lang_dir)
    m = _Mirror(width, direction)
    known = sorted((int(year), float(v)) for year, v in points if v is not None and not is_missing(v))
    years = sorted({int(year) for year, _ in points})
    prefix = id_prefix or default_id("spark", title, sorted(points, key=lambda p: p[0]))
    if known:
        lo, hi = min(v for _, v in known), max(v for _, v in known)
        (y_first, v_first), (y_last, v_last) = known[0], known[-1]
        desc = summary.format(
            first_year=y_first,
            first=number_format(v_first),
            last_year=y_last,
            last=number_format(v_last),
            min=number_format(lo),
            max=number_format(hi),
        )
    else:
        desc = no_data_label
    parts = [
        svg_open(
            width=width,
            height=height,
            css_class="gb-chart gb-sparkline",
            id_prefix=prefix,
            title=title,
            desc=desc,
            lang_dir=direction,
        )
    ]
    if not known:
        parts.append(
            f'<text class="gb-sparkline-missing" x="{num(width / 2)}" y="{num(height / 2 + 4)}" '
            f'font-size="{num(_SMALL_FONT)}" fill="{MUTED_TEXT_COLOR}" text-anchor="middle">'
            f"{m.text(no_data_label)}</text></svg>"
        )
        return "".join(parts)

    pad = 3.0  # keeps the end dot and the stroke inside the box
    span_years = max(years[-1] - years[0], 1)
    span_values = hi - lo or 1.0

    def px(year: int) -> float:
        if years[-1] == years[0]:
            return width / 2
        return pad + (year - years[0]) / span_years * (width - 2 * pad)

    def py(value: float) -> float:
        if hi == lo:
            return height / 2
        return height - pad - (value - lo) / span_values * (height - 2 * pad)

    # One sub-path per run of consecutive known years: a missing year lifts the pen.
    by_year = {int(year): v for year, v in points}
    d: list[str] = []
    pen_down = False
    for year in years:
        value = by_year.get(year)
        if value is None or is_missing(value):
            pen_down = False
            continue
        d.append(f"{'L' if pen_down else 'M'}{m.x(px(year))},{num(py(value))}")
        pen_down = True
    parts.append(
        f'<path class="gb-sparkline-line" d="{"".join(d)}" fill="none" stroke="{CATEGORICAL[0]}" '
        f'stroke-width="1.5" stroke-linejoin="round" stroke-linecap="round"/>'
    )
    for year, value in known:
        # Isolated points (both neighbours missing) would be invisible as a zero-length line.
        isolated = is_missing(by_year.get(year - 1)) and is_missing(by_year.get(year + 1))
        if year == y_last or isolated:
            css = "gb-sparkline-point gb-sparkline-last" if year == y_last else "gb-sparkline-point"
            parts.append(
                f'<circle class="{css}" cx="{m.x(px(year))}" cy="{num(py(value))}" r="2.2" '
                f'fill="{CATEGORICAL[0]}">'
                f"<title>{esc(year)}: {esc(number_format(value))}</title></circle>"
            )
    parts.append("</svg>")
    return "".join(parts)

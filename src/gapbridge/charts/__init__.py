"""Server-rendered charts for GapBridge pages: a world choropleth, bar charts and sparklines as inline SVG.

Everything here is pure Python returning SVG strings (no Django, no JavaScript, no network), so pages work
offline and on low-end devices, and the renderers are tested without a database. See docs/charts.md.
"""

from gapbridge.charts.errors import ChartError, ChartInputError, GeometryError
from gapbridge.charts.svg import (
    BarSeries,
    Scale,
    bar_chart_svg,
    grouped_compare_svg,
    nice_scale,
    sparkline_svg,
)
from gapbridge.charts.worldmap import ClassBreaks, WorldGeometry, choropleth_svg, class_breaks, load_world

__all__ = [
    "BarSeries",
    "ChartError",
    "ChartInputError",
    "ClassBreaks",
    "GeometryError",
    "Scale",
    "WorldGeometry",
    "bar_chart_svg",
    "choropleth_svg",
    "class_breaks",
    "grouped_compare_svg",
    "load_world",
    "nice_scale",
    "sparkline_svg",
]

"""Bar chart scales: round steps (1, 2, 2.5, 5 x 10^k) up to a rounded axis end, values in the caller's
precision, a unit caption, RTL still mirrored."""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET

import pytest
from defusedxml.ElementTree import fromstring

from gapbridge.charts import BarSeries, ChartInputError, bar_chart_svg, grouped_compare_svg, nice_scale

SVG = "{http://www.w3.org/2000/svg}"


def parse(svg: str) -> ET.Element:
    root: ET.Element = fromstring(svg)
    return root


def ticks(root: ET.Element) -> list[str]:
    group = next(g for g in root.iter(f"{SVG}g") if g.get("class") == "gb-tick-label")
    return ["".join(t.itertext()).strip("\u2068\u2069") for t in group.iter(f"{SVG}text")]


def gridline_xs(root: ET.Element) -> list[float]:
    group = next(g for g in root.iter(f"{SVG}g") if g.get("class") == "gb-grid")
    return [float(line.get("x1") or "nan") for line in group.iter(f"{SVG}line")]


def is_round(step: float) -> bool:
    mantissa = step / 10 ** math.floor(math.log10(step))
    return any(math.isclose(mantissa, m) for m in (1.0, 2.0, 2.5, 5.0))


@pytest.mark.parametrize("top", [100.0, 14.3, 505_821.0, 126.0, 7.0, 0.7, 3.2e9, 1.0, 59.0])
def test_nice_scale_is_round_and_covers_the_data(top: float) -> None:
    scale = nice_scale(top)
    assert is_round(scale.step)
    assert 1 <= scale.intervals <= 4
    assert scale.top >= top and scale.top - scale.step < top, "the first step end at or above the data"
    assert scale.ticks()[-1] == pytest.approx(scale.top)
    assert all(math.isclose(t / scale.step, round(t / scale.step), abs_tol=1e-9) for t in scale.ticks())


def test_reported_scales_get_round_tick_labels() -> None:
    # /analytics/countries/KEN/ asked for 505,821 and got 0 / 126,455 / 252,910 / ...
    root = parse(
        bar_chart_svg(["a", "b"], [BarSeries("s", [404_657.0, 12.0])], title="t", max_value=505_821.0)
    )
    assert ticks(root) == ["0", "200,000", "400,000", "600,000"]
    # /projects/funding/KEN/ asked for 14.3 (million USD) and got 0 / 3.6 / 7.1 / 10.7 / 14.3
    root = parse(bar_chart_svg(["2023", "2024"], [BarSeries("s", [14.3, 2.0])], title="t", max_value=14.3))
    assert ticks(root) == ["0", "5", "10", "15"]
    # a 0-100 score keeps its quarters
    assert ticks(parse(bar_chart_svg(["a"], [BarSeries("s", [59.0])], title="t"))) == [
        "0",
        "25",
        "50",
        "75",
        "100",
    ]


def test_bars_and_gridlines_share_the_rounded_scale() -> None:
    root = parse(bar_chart_svg(["a", "b"], [BarSeries("s", [10.0, 14.3])], title="t", max_value=14.3))
    xs = gridline_xs(root)
    bars = {
        float(r.get("data-value") or "nan"): r
        for r in root.iter(f"{SVG}rect")
        if r.get("class", "").startswith("gb-bar ")
    }
    axis, end = xs[0], xs[-1]
    # 10 sits on the 10 gridline of a 0..15 axis: two thirds of the track
    assert axis + float(bars[10.0].get("width") or "nan") == pytest.approx(xs[2], abs=0.1)
    assert float(bars[14.3].get("width") or "nan") == pytest.approx((end - axis) * 14.3 / 15, abs=0.1)


def test_values_take_the_caller_s_precision_and_ticks_stay_short() -> None:
    fixed = "{:.1f}".format
    svg = bar_chart_svg(["Connectivity"], [BarSeries("Kenya", [59.0])], title="t", value_format=fixed)
    root = parse(svg)
    assert [t.text for t in root.iter(f"{SVG}text") if t.get("class") == "gb-bar-value"] == ["59.0"]
    assert "Connectivity 59.0" in (root.findtext(f"{SVG}desc") or "")
    assert ticks(root)[-1] == "100"
    compare = parse(
        grouped_compare_svg(
            ["Connectivity"], [BarSeries("A", [59.0]), BarSeries("B", [40.0])], title="t", value_format=fixed
        )
    )
    assert [t.text for t in compare.iter(f"{SVG}text") if t.get("class") == "gb-bar-value"] == [
        "59.0",
        "40.0",
    ]


def test_axis_label_states_the_unit_and_mirrors_in_rtl() -> None:
    args = (["2023", "2024"], [BarSeries("Commitments", [14.3, 2.0])])
    ltr = parse(bar_chart_svg(*args, title="t", max_value=14.3, axis_label="million USD", width=600))
    rtl = parse(
        bar_chart_svg(*args, title="t", max_value=14.3, axis_label="million USD", width=600, lang_dir="rtl")
    )
    labels = [next(t for t in r.iter(f"{SVG}text") if t.get("class") == "gb-axis-label") for r in (ltr, rtl)]
    assert "".join(labels[0].itertext()) == "million USD"
    assert float(labels[1].get("x") or "nan") == pytest.approx(
        600 - float(labels[0].get("x") or "nan"), abs=0.11
    )
    # the caption sits under the tick labels, inside the drawing
    tick_group = next(g for g in ltr.iter(f"{SVG}g") if g.get("class") == "gb-tick-label")
    tick_y = max(float(t.get("y") or "nan") for t in tick_group.iter(f"{SVG}text"))
    assert tick_y < float(labels[0].get("y") or "nan") < float(ltr.get("height") or "nan")
    without = parse(bar_chart_svg(*args, title="t", max_value=14.3, width=600))
    assert not [t for t in without.iter(f"{SVG}text") if t.get("class") == "gb-axis-label"]
    assert float(without.get("height") or "nan") < float(ltr.get("height") or "nan")
    # RTL gridlines mirror the LTR ones
    assert gridline_xs(rtl) == pytest.approx([600 - x for x in gridline_xs(ltr)], abs=0.11)


def test_a_coarse_formatter_does_not_repeat_tick_labels() -> None:
    root = parse(
        bar_chart_svg(["a"], [BarSeries("s", [0.8])], title="t", max_value=1.0, number_format="{:.0f}".format)
    )
    labels = ticks(root)
    assert len(labels) == len(set(labels))


def test_max_value_must_be_a_positive_number() -> None:
    for bad in (0.0, -1.0, math.inf, math.nan):
        with pytest.raises(ChartInputError, match="max_value"):
            bar_chart_svg(["a"], [BarSeries("s", [1.0])], title="t", max_value=bad)

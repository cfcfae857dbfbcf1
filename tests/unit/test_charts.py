"""Charts: the bundled world geometry, the choropleth, bar charts and sparklines (no database, no browser)."""

from __future__ import annotations

import itertools
import math
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pycountry
import pytest
from defusedxml.ElementTree import fromstring

from gapbridge.charts import (
    BarSeries,
    ChartInputError,
    GeometryError,
    bar_chart_svg,
    build_geometry,
    choropleth_svg,
    class_breaks,
    grouped_compare_svg,
    load_world,
    sparkline_svg,
)
from gapbridge.charts.markup import esc, format_number
from gapbridge.charts.projection import EQUAL_EARTH_HALF_WIDTH, equal_earth
from gapbridge.charts.worldmap import DEFAULT_GEOMETRY_PATH

NS = {"svg": "http://www.w3.org/2000/svg"}
SVG = "{http://www.w3.org/2000/svg}"


def parse(svg: str) -> ET.Element:
    """Well-formedness check and the root element in one go."""
    root: ET.Element = fromstring(svg)
    return root


def path_for(root: ET.Element, iso3: str) -> ET.Element:
    found = root.findall(f".//svg:path[@data-iso3='{iso3}']", NS)
    assert len(found) == 1, f"expected one path for {iso3}, found {len(found)}"
    return found[0]


# --------------------------------------------------------------------------------------------------
# SVG path grammar: enough of https://www.w3.org/TR/SVG2/paths.html#PathDataBNF for what we emit.

_TOKEN = re.compile(r"([MmLlHhVvZzAa])|(-?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)|([\s,]+)|(.)")
_ARITY = {"m": 2, "l": 2, "h": 1, "v": 1, "z": 0, "a": 7}


def parse_path(d: str) -> list[list[tuple[float, float]]]:
    """Return the absolute vertices of each sub-path; raise AssertionError on any grammar error."""
    tokens: list[str | float] = []
    for command, number, _space, junk in _TOKEN.findall(d):
        assert not junk, f"unexpected character {junk!r} in path"
        if command:
            tokens.append(command)
        elif number:
            tokens.append(float(number))
    assert tokens, "empty path"
    assert tokens[0] in ("M", "m"), "a path must start with a move-to"
    subpaths: list[list[tuple[float, float]]] = []
    x = y = 0.0
    i = 0
    while i < len(tokens):
        command = tokens[i]
        assert isinstance(command, str), f"number {command} where a command was expected"
        i += 1
        arity = _ARITY[command.lower()]
        if arity == 0:
            continue
        args: list[float] = []
        while i < len(tokens) and isinstance(tokens[i], float):
            args.append(float(tokens[i]))
            i += 1
        assert args, f"{command} without numbers"
        assert len(args) % arity == 0, f"{command} takes multiples of {arity} numbers, got {len(args)}"
        relative = command.islower()
        for k in range(0, len(args), arity):
            chunk = args[k : k + arity]
            c = command.lower()
            if c == "h":
                x = x + chunk[0] if relative else chunk[0]
            elif c == "v":
                y = y + chunk[0] if relative else chunk[0]
            else:
                px, py = chunk[-2], chunk[-1]
                x, y = (x + px, y + py) if relative else (px, py)
            if c == "m" and k == 0:
                subpaths.append([])
            subpaths[-1].append((x, y))
    return subpaths


def test_path_parser_rejects_bad_grammar() -> None:
    with pytest.raises(AssertionError):
        parse_path("L1,2")
    with pytest.raises(AssertionError):
        parse_path("M1,2l3")
    with pytest.raises(AssertionError):
        parse_path("M1,2l3,4;z")
    assert parse_path("M1,2l3,-4 1,1z") == [[(1, 2), (4, -2), (5, -1)]]


# --------------------------------------------------------------------------------------------------
# Projection


def test_equal_earth_matches_reference_values() -> None:
    # Reference values from d3-geo's geoEqualEarthRaw (same coefficients as the paper).
    assert pytest.approx(2.70663, abs=1e-5) == EQUAL_EARTH_HALF_WIDTH
    assert equal_earth(0, 90) == pytest.approx((0.0, 1.31736), abs=1e-5)
    x, y = equal_earth(-30, 45)
    assert (x, y) == pytest.approx((-0.38662, 0.86023), abs=1e-5)
    assert equal_earth(30, -45) == pytest.approx((-x, -y))


# --------------------------------------------------------------------------------------------------
# Bundled geometry


def test_geometry_file_is_small_and_loads() -> None:
    assert DEFAULT_GEOMETRY_PATH.stat().st_size < 300_000
    world = load_world()
    assert load_world() is world, "the loader must cache in-process"
    assert world.width == 1000
    assert 400 < world.height < 520


def test_geometry_has_valid_iso_codes() -> None:
    world = load_world()
    codes = [c.iso3 for c in world.countries if c.iso3]
    assert len(codes) >= 170
    assert len(codes) == len(set(codes)), "one entry per country"
    for code in codes:
        assert pycountry.countries.get(alpha_3=code) is not None, code
    assert {"KEN", "NER", "BRA", "IND", "USA"} <= set(codes)
    assert "ATA" not in codes, "Antarctica is dropped"
    assert world.by_iso3["KEN"].name == "Kenya"
    assert world.by_iso3["KEN"].kind == "shape"
    # Small island states missing at 1:110m are drawn as markers rather than left out.
    assert world.by_iso3["TUV"].kind == "marker"
    codeless = {c.name for c in world.countries if c.iso3 is None}
    assert {"Kosovo", "Somaliland"} <= codeless


def test_every_path_parses_and_stays_on_the_map() -> None:
    world = load_world()
    for country in world.countries:
        subpaths = parse_path(country.d)
        assert subpaths, country.name
        for vertices in subpaths:
            for x, y in vertices:
                assert -1 <= x <= world.width + 1, (country.name, x)
                assert -1 <= y <= world.height + 1, (country.name, y)
            # A ring that crossed the antimeridian uncut would draw a segment across the whole map.
            for (x0, y0), (x1, y1) in itertools.pairwise(vertices):
                assert math.hypot(x1 - x0, y1 - y0) < 150, country.name


def test_geometry_places_countries_where_they_are() -> None:
    world = load_world()

    def centre(iso3: str) -> tuple[float, float]:
        points = [p for sub in parse_path(world.by_iso3[iso3].d) for p in sub]
        return sum(p[0] for p in points) / len(points), sum(p[1] for p in points) / len(points)

    ken, bra, usa, ind = centre("KEN"), centre("BRA"), centre("USA"), centre("IND")
    assert usa[0] < bra[0] < ken[0] < ind[0], "west to east"
    assert usa[1] < ind[1] < ken[1] < bra[1], "north to south (SVG y grows downwards)"


def test_build_cuts_rings_at_the_antimeridian() -> None:
    # A square straddling 180°, as in the unprojected source data for Fiji and Chukotka.
    ring = [(178.0, 10.0), (-178.0, 10.0), (-178.0, 12.0), (178.0, 12.0)]
    pieces = build_geometry._cut_antimeridian(ring)
    assert len(pieces) == 2
    east, west = sorted(pieces, key=lambda p: -max(lon for lon, _ in p))
    assert {lon for lon, _ in east} == {178.0, 180.0}
    assert {lon for lon, _ in west} == {-180.0, -178.0}
    assert build_geometry._cut_antimeridian([(0.0, 0.0), (1.0, 0.0), (1.0, 1.0)]) == [
        [(0.0, 0.0), (1.0, 0.0), (1.0, 1.0)]
    ]


def test_build_simplification_drops_only_near_collinear_points() -> None:
    # Projected points are in tenths of a unit; the tolerance (0.25 unit) is 2.5 tenths.
    wiggle = [(0, 0), (10, 1), (20, -1), (30, 2), (40, 0)]
    assert build_geometry._douglas_peucker(wiggle, tolerance=0.25) == [0, 4]
    corner = [(0, 0), (10, 0), (20, 0), (20, 10)]
    assert build_geometry._douglas_peucker(corner, tolerance=0.25) == [0, 2, 3]


def test_loader_names_the_file_on_error(tmp_path: Path) -> None:
    missing = tmp_path / "nope.json.gz"
    with pytest.raises(GeometryError, match=r"nope\.json\.gz"):
        load_world(missing)


# --------------------------------------------------------------------------------------------------
# Choropleth

VALUES = {"KEN": 43.2, "NER": 5.0, "BRA": 100.0, "IND": 80.0, "USA": None, "FRA": float("nan")}


def test_choropleth_has_one_path_per_country_with_the_right_class() -> None:
    world = load_world()
    svg = choropleth_svg(VALUES, title="Internet use", legend_label="% of population")
    root = parse(svg)
    coded = [p for p in root.iter(f"{SVG}path") if p.get("data-iso3")]
    assert len(coded) == len(world.by_iso3)
    countries = [p for p in root.iter(f"{SVG}path") if "gb-country" in (p.get("class") or "").split()]
    assert len(countries) == len(world.countries)

    # Fixed 0–100 scale, five classes of 20: 43.2 -> 3rd, 5 -> 1st, 80 and 100 -> 5th.
    expected = {"KEN": "gb-class-3", "NER": "gb-class-1", "BRA": "gb-class-5", "IND": "gb-class-5"}
    fills = {"gb-class-1": "#ffffcc", "gb-class-3": "#41b6c4", "gb-class-5": "#253494"}
    for iso3, css in expected.items():
        path = path_for(root, iso3)
        assert css in (path.get("class") or "").split()
        assert path.get("fill") == fills[css]
    for iso3 in ("USA", "FRA", "CHN"):  # explicit None, NaN, absent
        path = path_for(root, iso3)
        assert "gb-country--nodata" in (path.get("class") or "").split()
        assert (path.get("fill") or "").startswith("url(#")
    assert path_for(root, "KEN").findtext("svg:title", namespaces=NS) == "Kenya: 43.2"
    assert path_for(root, "USA").findtext("svg:title", namespaces=NS) == "United States: no data"


def test_choropleth_is_accessible_and_links_countries() -> None:
    root = parse(choropleth_svg(VALUES, title="Internet use", legend_label="% of population"))
    assert root.get("aria-label") == "Internet use"
    assert root.findtext("svg:title", namespaces=NS) == "Internet use"
    assert "% of population" in (root.findtext("svg:desc", namespaces=NS) or "")
    # Links inside role="img" would be hidden from screen readers, so a linked map is a group.
    assert root.get("role") == "group"
    link = next(a for a in root.iter(f"{SVG}a") if a.find("svg:path[@data-iso3='KEN']", NS) is not None)
    assert link.get("href") == "/countries/KEN/"
    assert link.get("aria-label") == "Kenya: 43.2"
    # Places without an ISO code are drawn but never linked.
    kosovo = [
        p for p in root.iter(f"{SVG}path") if p.findtext("svg:title", namespaces=NS) == "Kosovo: no data"
    ]
    assert len(kosovo) == 1
    assert "gb-country--nocode" in (kosovo[0].get("class") or "")

    plain = parse(choropleth_svg(VALUES, title="t", legend_label="l", link_template=None))
    assert plain.get("role") == "img"
    assert list(plain.iter(f"{SVG}a")) == []


def test_only_countries_with_a_page_are_links() -> None:
    def linked(svg: str) -> set[str]:
        root = parse(svg)
        return {path.get("data-iso3") or "" for a in root.iter(f"{SVG}a") for path in a.iter(f"{SVG}path")}

    everything = linked(choropleth_svg(VALUES, title="t", legend_label="l"))
    assert {"KEN", "AIA"} <= everything  # without names, every coded place
    known = linked(
        choropleth_svg(VALUES, title="t", legend_label="l", names={"KEN": "Kenya", "NER": "Niger"})
    )
    assert known == {"KEN", "NER"}  # Anguilla and the other territories without a page are not links
    chosen = linked(choropleth_svg(VALUES, title="t", legend_label="l", linkable=["ner"]))
    assert chosen == {"NER"}


def test_choropleth_escapes_everything_it_inserts() -> None:
    evil = "<script>alert(1)</script>"
    svg = choropleth_svg(
        {"KEN": 50.0},
        title=f'Map "{evil}" & more',
        legend_label=evil,
        names={"KEN": evil},
        no_data_label=evil,
        link_template="/c/{iso3}/?a=1&b=<x>",
    )
    assert "<script" not in svg
    assert "&lt;script&gt;" in svg
    root = parse(svg)
    assert root.findtext("svg:title", namespaces=NS) == f'Map "{evil}" & more'
    assert path_for(root, "KEN").findtext("svg:title", namespaces=NS) == f"{evil}: 50"
    link = next(a for a in root.iter(f"{SVG}a") if a.find("svg:path[@data-iso3='KEN']", NS) is not None)
    assert link.get("href") == "/c/KEN/?a=1&b=<x>"


def test_control_characters_cannot_break_the_xml() -> None:
    assert esc("a\x00b\x1bc<") == "abc&lt;"
    parse(choropleth_svg({}, title="bad\x0bname", legend_label="x"))


def test_highlight_is_outlined_and_drawn_last() -> None:
    root = parse(choropleth_svg(VALUES, title="t", legend_label="l", highlight="ken"))
    paths = [p for p in root.iter(f"{SVG}path") if "gb-country" in (p.get("class") or "").split()]
    assert paths[-1].get("data-iso3") == "KEN"
    assert "gb-country--highlight" in (paths[-1].get("class") or "")
    assert paths[-1].get("stroke") == "#000000"
    assert sum("gb-country--highlight" in (p.get("class") or "") for p in paths) == 1


def test_choropleth_legend_lists_classes_and_no_data() -> None:
    root = parse(choropleth_svg(VALUES, title="t", legend_label="Share", no_data_label="n/a"))
    legend = root.find(".//svg:g[@class='gb-legend']", NS)
    assert legend is not None
    labels = [t.text for t in legend.iter(f"{SVG}text")]
    assert labels == ["Share", "0–20", "20–40", "40–60", "60–80", "80–100", "n/a"]


def test_an_open_top_class_keeps_each_country_s_own_value() -> None:
    values = {"SEN": 473.0, "KEN": 150.0, "NER": 10.0}
    root = parse(
        choropleth_svg(values, title="t", legend_label="Share", domain=(0, 200), open_top=True, n_classes=5)
    )
    legend = root.find(".//svg:g[@class='gb-legend']", NS)
    assert legend is not None
    labels = [t.text for t in legend.iter(f"{SVG}text")]
    assert labels == ["Share", "0–40", "40–80", "80–120", "120–160", "≥ 160", "no data"]
    assert "gb-class-5" in (path_for(root, "SEN").get("class") or "").split()
    assert path_for(root, "SEN").findtext("svg:title", namespaces=NS) == "Senegal: 473"
    assert "≥ 160" in (root.findtext("svg:desc", namespaces=NS) or "")


def test_choropleth_rtl_mirrors_the_legend_not_the_map() -> None:
    ltr = parse(choropleth_svg(VALUES, title="t", legend_label="l", id_prefix="x"))
    rtl = parse(choropleth_svg(VALUES, title="t", legend_label="l", id_prefix="x", lang_dir="rtl"))
    assert rtl.get("direction") == "rtl"
    assert path_for(ltr, "KEN").get("d") == path_for(rtl, "KEN").get("d")

    def first_swatch_x(root: ET.Element) -> float:
        swatch = root.find(".//svg:rect[@class='gb-legend-swatch gb-class-1']", NS)
        assert swatch is not None
        return float(swatch.get("x") or "nan") + float(swatch.get("width") or "nan") / 2

    assert first_swatch_x(ltr) < 100
    assert first_swatch_x(rtl) == pytest.approx(1000 - first_swatch_x(ltr))


def test_quantile_classes_split_countries_evenly() -> None:
    breaks = class_breaks([float(v) for v in range(1, 11)], scale="quantile", n_classes=5)
    counts = [0] * len(breaks.colors)
    for v in range(1, 11):
        counts[breaks.index(float(v))] += 1
    assert counts == [2, 2, 2, 2, 2]
    # Ties merge edges instead of producing empty classes.
    assert len(class_breaks([1.0] * 8 + [2.0, 3.0], scale="quantile").colors) < 5
    with pytest.raises(ChartInputError, match="n_classes"):
        class_breaks([], n_classes=9)


def test_bad_arguments_name_themselves() -> None:
    with pytest.raises(ChartInputError, match="lang_dir"):
        choropleth_svg({}, title="t", legend_label="l", lang_dir="up")  # type: ignore[arg-type]
    with pytest.raises(ChartInputError, match="link_template"):
        choropleth_svg({}, title="t", legend_label="l", link_template="/countries/")


def test_output_is_deterministic() -> None:
    a = choropleth_svg(VALUES, title="t", legend_label="l")
    assert a == choropleth_svg(dict(reversed(list(VALUES.items()))), title="t", legend_label="l")


# --------------------------------------------------------------------------------------------------
# Bar charts

PILLARS = ["Connectivity", "Affordability", "Skills"]


def bars(root: ET.Element) -> list[ET.Element]:
    return [r for r in root.iter(f"{SVG}rect") if "gb-bar" in (r.get("class") or "").split()]


def test_bar_widths_are_proportional_and_missing_values_are_text() -> None:
    svg = bar_chart_svg(
        PILLARS,
        [BarSeries("Kenya", [25.0, None, 100.0]), BarSeries("Peers", [50.0, 12.5, 0.0])],
        title="Kenya",
    )
    root = parse(svg)
    widths = {
        (r.get("class"), float(r.get("data-value") or "nan")): float(r.get("width") or "nan")
        for r in bars(root)
    }
    assert len(widths) == 5, "no bar for the missing value"
    full = widths[("gb-bar gb-series-1", 100.0)]
    assert widths[("gb-bar gb-series-1", 25.0)] == pytest.approx(full / 4, abs=0.1)
    assert widths[("gb-bar gb-series-2", 50.0)] == pytest.approx(full / 2, abs=0.1)
    assert widths[("gb-bar gb-series-2", 12.5)] == pytest.approx(full / 8, abs=0.1)
    assert widths[("gb-bar gb-series-2", 0.0)] == 0
    missing = [t for t in root.iter(f"{SVG}text") if "gb-bar-missing" in (t.get("class") or "")]
    assert len(missing) == 1
    assert "".join(missing[0].itertext()).endswith("insufficient data")
    values = [t.text for t in root.iter(f"{SVG}text") if t.get("class") == "gb-bar-value"]
    assert values == ["25", "50", "12.5", "100", "0"]
    assert root.get("role") == "img"
    assert "Kenya: Connectivity 25, Affordability insufficient data" in (
        root.findtext("svg:desc", namespaces=NS) or ""
    )


def test_bar_chart_rtl_mirrors_bars_and_labels() -> None:
    series = [BarSeries("Kenya", [25.0, 60.0, 100.0])]
    ltr = parse(bar_chart_svg(PILLARS, series, title="t", width=600))
    rtl = parse(bar_chart_svg(PILLARS, series, title="t", width=600, lang_dir="rtl"))
    assert rtl.get("direction") == "rtl"
    for a, b in zip(bars(ltr), bars(rtl), strict=True):
        ax, aw = float(a.get("x") or "nan"), float(a.get("width") or "nan")
        bx, bw = float(b.get("x") or "nan"), float(b.get("width") or "nan")
        assert aw == bw
        assert bx == pytest.approx(600 - ax - aw, abs=0.11)
    # LTR bars share a left edge (the axis); RTL bars share a right edge.
    assert len({b.get("x") for b in bars(ltr)}) == 1
    assert len({round(float(b.get("x") or 0) + float(b.get("width") or 0), 1) for b in bars(rtl)}) == 1
    label_l = ltr.find(".//svg:text[@class='gb-category-label']", NS)
    label_r = rtl.find(".//svg:text[@class='gb-category-label']", NS)
    assert label_l is not None
    assert label_r is not None
    assert float(label_r.get("x") or "nan") == pytest.approx(600 - float(label_l.get("x") or "nan"), abs=0.11)


def test_bar_chart_escapes_and_validates() -> None:
    svg = bar_chart_svg(["<script>x</script>"], [BarSeries("a&b", [1.0])], title="<t>")
    assert "<script" not in svg
    assert "<t>" not in svg
    root = parse(svg)
    assert root.findtext("svg:title", namespaces=NS) == "<t>"
    with pytest.raises(ChartInputError, match=r"series\[0\]\.values"):
        bar_chart_svg(PILLARS, [BarSeries("short", [1.0])], title="t")


def test_grouped_compare_takes_two_to_five_countries() -> None:
    countries = [
        BarSeries(name, [10.0 * i, None, 90.0]) for i, name in enumerate(["Kenya", "Niger", "Brazil"], 1)
    ]
    root = parse(grouped_compare_svg(PILLARS, countries, title="Compare"))
    assert len(bars(root)) == 6
    titles = [t for t in root.iter(f"{SVG}text") if "gb-panel-title" in (t.get("class") or "")]
    assert [t.findtext("svg:title", namespaces=NS) for t in titles] == ["Kenya", "Niger", "Brazil"]
    assert len([t for t in root.iter(f"{SVG}text") if "gb-bar-missing" in (t.get("class") or "")]) == 3
    for bad in (countries[:1], countries * 2):
        with pytest.raises(ChartInputError, match="2 to 5"):
            grouped_compare_svg(PILLARS, bad, title="t")
    rtl = parse(grouped_compare_svg(PILLARS, countries, title="Compare", lang_dir="rtl", width=760))
    first_l = float(titles[0].get("x") or "nan")
    first_r = next(t for t in rtl.iter(f"{SVG}text") if "gb-panel-title" in (t.get("class") or ""))
    assert float(first_r.get("x") or "nan") == pytest.approx(760 - first_l, abs=0.11)


# --------------------------------------------------------------------------------------------------
# Sparklines


def test_sparkline_breaks_at_missing_years_and_mirrors() -> None:
    points = [(2018, 10.0), (2019, 20.0), (2020, None), (2021, 15.0), (2022, 30.0)]
    root = parse(sparkline_svg(points, title="Internet use", width=100, height=30))
    line = root.find(".//svg:path[@class='gb-sparkline-line']", NS)
    assert line is not None
    subpaths = parse_path(line.get("d") or "")
    assert [len(s) for s in subpaths] == [2, 2]
    xs = [x for s in subpaths for x, _ in s]
    assert xs == sorted(xs), "time runs left to right"
    ys = [y for s in subpaths for _, y in s]
    # SVG y grows downwards: the lowest value has the largest y.
    assert ys.index(max(ys)) == 0
    assert ys.index(min(ys)) == 3
    assert root.findtext("svg:desc", namespaces=NS) == "2018: 10; 2022: 30 (min 10, max 30)."

    rtl = parse(sparkline_svg(points, title="t", width=100, height=30, lang_dir="rtl"))
    rtl_line = rtl.find(".//svg:path[@class='gb-sparkline-line']", NS)
    assert rtl_line is not None
    rtl_xs = [x for s in parse_path(rtl_line.get("d") or "") for x, _ in s]
    assert rtl_xs == pytest.approx([100 - x for x in xs], abs=0.11)


def test_sparkline_without_data_says_so() -> None:
    root = parse(sparkline_svg([(2020, None)], title="t", no_data_label="<none>"))
    assert root.find(".//svg:path", NS) is None
    assert "".join(root.itertext()).endswith("<none>")


def test_default_number_format() -> None:
    assert [format_number(v) for v in (43.21, 40.0, -0.01, 12345.6)] == ["43.2", "40", "0", "12,346"]


def test_a_long_legend_label_wraps_whole_words_instead_of_losing_its_end() -> None:
    label = "Funding received, as a percentage of a share proportional to need (capped at 100)"
    series = [BarSeries("Need (0-100)", [10.0, 20.0, 30.0]), BarSeries(label, [1.0, 2.0, 3.0])]
    root = parse(bar_chart_svg(PILLARS, series, title="t", width=420))
    labels = [t for t in root.iter(f"{SVG}text") if t.get("class") == "gb-legend-label"]
    lines = ["".join(span.itertext()) for span in labels[1].iter(f"{SVG}tspan")]
    assert len(lines) >= 2 and " ".join(lines) == label, "every word kept, in order"
    assert all(not line.endswith("…") for line in lines)
    # the plot starts below the wrapped legend: the first bar is under its last line
    last_line_y = float(labels[1].get("y") or 0) + sum(
        float(s.get("dy") or 0) for s in labels[1].iter(f"{SVG}tspan")
    )
    assert min(float(b.get("y") or 0) for b in bars(root)) > last_line_y


def test_wrap_text_cuts_at_words_and_shortens_only_the_last_allowed_line() -> None:
    from gapbridge.charts.markup import text_width, wrap_text

    words = "one two three four five six seven eight nine ten " * 3
    lines = wrap_text(words, 60, 10, max_lines=2)
    assert len(lines) == 2 and lines[1].endswith("…")
    assert all(text_width(line, 10) <= 60 for line in lines)
    assert wrap_text("short", 200, 10) == ["short"]
    assert wrap_text("", 200, 10) == [""]

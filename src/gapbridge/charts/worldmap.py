"""World choropleth maps as self-contained, accessible inline SVG, drawn from bundled Natural Earth geometry.

`choropleth_svg` colours each country by its value in a colour-blind-safe sequential palette, hatches
countries without data, adds a legend, and optionally links each country to its page, all without
JavaScript, web fonts or a CDN. `load_world` reads the pre-projected geometry once per process from
`data/geo/world-110m.json.gz` (built by `build_geometry.py`; see docs/charts.md and data/geo/PROVENANCE.md).
"""

from __future__ import annotations

import functools
import gzip
import json
import os
import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Final, Literal

import numpy as np

from gapbridge.charts.errors import ChartInputError, GeometryError
from gapbridge.charts.markup import (
    MUTED_TEXT_COLOR,
    NO_DATA_FILL,
    NO_DATA_HATCH,
    SEQUENTIAL,
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
)

# Same rule as settings.DATA_DIR (GAPBRIDGE_DATA_DIR, else <repo>/data), without importing Django settings:
# this package stays usable from scripts and tests that never configure Django.
_DATA_DIR = Path(os.environ.get("GAPBRIDGE_DATA_DIR", Path(__file__).resolve().parents[3] / "data"))
DEFAULT_GEOMETRY_PATH = _DATA_DIR / "geo" / "world-110m.json.gz"
SUPPORTED_FORMAT = 1
#: The map's default `<desc>` (English); translated pages pass their own (`summary=`).
MAP_SUMMARY: Final = "{legend}. {with_data} of {total} countries have data; classes {classes}."
ISO3_RE = re.compile(r"^[A-Z]{3}$")

Scale = Literal["fixed", "quantile"]


@dataclass(frozen=True, slots=True)
class CountryShape:
    """One drawable country: `iso3` is None for places without an ISO code (Kosovo, Somaliland ...)."""

    iso3: str | None
    name: str
    kind: Literal["shape", "marker"]  # "marker": a small circle for a state too small for 1:110m
    d: str


@dataclass(frozen=True)
class WorldGeometry:
    """The whole bundle: viewBox size, a source note, and the countries in drawing order."""

    width: int
    height: int
    source: str
    countries: tuple[CountryShape, ...]

    @functools.cached_property
    def by_iso3(self) -> Mapping[str, CountryShape]:
        return {c.iso3: c for c in self.countries if c.iso3}


@functools.cache
def load_world(path: Path = DEFAULT_GEOMETRY_PATH) -> WorldGeometry:
    """Read and validate the bundled geometry; cached, so each process pays the ~10 ms once."""
    try:
        with gzip.open(path, "rt", encoding="utf-8") as fh:
            raw: Any = json.load(fh)
    except (OSError, ValueError) as exc:
        raise GeometryError(f"{path}: cannot read world geometry ({exc})") from exc
    if not isinstance(raw, dict) or raw.get("format") != SUPPORTED_FORMAT:
        raise GeometryError(f"{path}: expected format {SUPPORTED_FORMAT}, found {raw.get('format')!r}")
    try:
        _, _, width, height = (int(v) for v in raw["viewBox"])
        countries = tuple(
            CountryShape(iso3=c["iso3"], name=str(c["name"]), kind=c["kind"], d=str(c["d"]))
            for c in raw["countries"]
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise GeometryError(f"{path}: malformed entry ({exc!r})") from exc
    for i, c in enumerate(countries):
        if c.iso3 is not None and not ISO3_RE.match(c.iso3):
            raise GeometryError(f"{path}: countries[{i}].iso3 {c.iso3!r} is not an ISO 3166-1 alpha-3 code")
    return WorldGeometry(width=width, height=height, source=str(raw.get("source", "")), countries=countries)


@dataclass(frozen=True, slots=True)
class ClassBreaks:
    """Class edges (`len(colors) + 1` ascending numbers) and the fill of each class."""

    edges: tuple[float, ...]
    colors: tuple[str, ...]
    #: the top class has no upper bound (values above the domain are drawn in it): labelled "≥ lower edge"
    open_top: bool = False

    def index(self, value: float) -> int:
        """Class of `value`: edges[i] <= value < edges[i+1]; the top class includes its upper edge and values
        outside the range fall into the end classes (a 102 % score is still "highest")."""
        for i in range(len(self.colors) - 1):
            if value < self.edges[i + 1]:
                return i
        return len(self.colors) - 1

    def labels(self, number_format: NumberFormat = format_number) -> tuple[str, ...]:
        labels = [
            f"{number_format(lo)}–{number_format(hi)}"
            for lo, hi in zip(self.edges, self.edges[1:], strict=False)
        ]
        if self.open_top and labels:
            labels[-1] = f"≥ {number_format(self.edges[-2])}"
        return tuple(labels)


def class_breaks(
    values: Sequence[float],
    *,
    scale: Scale = "fixed",
    n_classes: int = 5,
    domain: tuple[float, float] = (0, 100),
) -> ClassBreaks:
    """Classes for a map legend.

    "fixed" splits `domain` (default 0–100, the range of GapBridge scores and percentages) into equal bins,
    so maps of different years or indicators read alike. "quantile" puts about the same number of countries
    in each class, for indicators with no natural range; tied edges are merged, so there may be fewer classes.
    """
    if not 3 <= n_classes <= 7:
        raise ChartInputError("n_classes", f"must be between 3 and 7, not {n_classes}")
    if scale == "fixed":
        lo, hi = domain
        if not hi > lo:
            raise ChartInputError("domain", f"upper bound must exceed lower bound, got {domain}")
        edges = tuple(lo + (hi - lo) * i / n_classes for i in range(n_classes + 1))
        return ClassBreaks(edges=edges, colors=SEQUENTIAL[n_classes])
    if scale != "quantile":
        raise ChartInputError("scale", f"must be 'fixed' or 'quantile', not {scale!r}")
    data = np.asarray([v for v in values if not is_missing(v)], dtype=float)
    if data.size == 0:
        return class_breaks([], scale="fixed", n_classes=n_classes, domain=domain)
    quantiles = np.quantile(data, np.linspace(0.0, 1.0, n_classes + 1))
    unique = tuple(float(q) for q in dict.fromkeys(np.round(quantiles, 10).tolist()))
    if len(unique) < 2:
        # Every country has the same value: one class, drawn in the palette's middle colour.
        return ClassBreaks(edges=(unique[0], unique[0]), colors=(SEQUENTIAL[3][1],))
    k = len(unique) - 1
    colors = SEQUENTIAL[k] if k >= 3 else (SEQUENTIAL[3][0], SEQUENTIAL[3][2])[:k]
    return ClassBreaks(edges=unique, colors=colors)


def choropleth_svg(
    values: Mapping[str, float | None],
    *,
    title: str,
    legend_label: str,
    link_template: str | None = "/countries/{iso3}/",
    highlight: str | None = None,
    lang_dir: LangDir = "ltr",
    scale: Scale = "fixed",
    n_classes: int = 5,
    domain: tuple[float, float] = (0, 100),
    names: Mapping[str, str] | None = None,
    no_data_label: str = "no data",
    number_format: NumberFormat = format_number,
    id_prefix: str | None = None,
    world: WorldGeometry | None = None,
    summary: str = MAP_SUMMARY,
    linkable: Collection[str] | None = None,
    open_top: bool = False,
) -> str:
    """A complete `<svg>` world map with one `<path>` per country, coloured by `values` (ISO3 -> number).

    Keyword arguments beyond the first five exist for translated pages (`names`, `no_data_label`,
    `number_format`, `summary`: the `<desc>` as a `str.format` template with `{legend}`, `{with_data}`,
    `{total}` and `{classes}`), for indicators that are not 0–100 (`scale`, `domain`), and for tests
    (`world`). `open_top` makes the top class "≥ its lower edge" for values with no upper bound (a country
    above the domain is drawn in it and keeps its own value in its label).
    `highlight` (an ISO3 code) gets a dark outline and is drawn last so neighbours do not cover it.
    Only countries with a page are links: `linkable` (ISO3 codes), by default the codes in `names` when
    given (the economies GapBridge knows; a territory of the map without one is drawn without a link).
    """
    direction = check_lang_dir(lang_dir)
    world = world or load_world()
    if link_template is not None and "{iso3}" not in link_template:
        raise ChartInputError("link_template", f"must contain '{{iso3}}', got {link_template!r}")
    clean = {str(k).upper(): (None if v is None or is_missing(v) else float(v)) for k, v in values.items()}
    present = [v for v in clean.values() if v is not None]
    breaks = class_breaks(present, scale=scale, n_classes=n_classes, domain=domain)
    if open_top:
        breaks = replace(breaks, open_top=True)
    if linkable is None and names:
        linkable = set(names)
    linked = None if linkable is None else {code.upper() for code in linkable}
    names = names or {}
    highlight = highlight.upper() if highlight else None
    prefix = id_prefix or default_id("map", title, legend_label, sorted(clean.items()), highlight)
    hatch = f"{prefix}-nodata"

    def is_highlighted(country: CountryShape) -> bool:
        return highlight is not None and country.iso3 == highlight

    # The highlighted country goes last: SVG paints in document order, so neighbours cannot hide its outline.
    drawn = [c for c in world.countries if not is_highlighted(c)] + [
        c for c in world.countries if is_highlighted(c)
    ]
    body: list[str] = []
    for country in drawn:
        value = clean.get(country.iso3) if country.iso3 else None
        name = names.get(country.iso3, country.name) if country.iso3 else country.name
        label = f"{name}: {no_data_label if value is None else number_format(value)}"
        classes = ["gb-country"]
        if value is None:
            classes.append("gb-country--nodata")
            fill = f"url(#{hatch})"
        else:
            index = breaks.index(value)
            classes.append(f"gb-class-{index + 1}")
            fill = breaks.colors[index]
        if country.kind == "marker":
            classes.append("gb-country--marker")
        if country.iso3 is None:
            classes.append("gb-country--nocode")
        extra = ""
        if is_highlighted(country):
            classes.append("gb-country--highlight")
            extra = ' stroke="#000000" stroke-width="2"'
        elif country.kind == "marker":
            # Markers sit on the empty ocean: a grey ring keeps pale classes visible against white.
            extra = ' stroke="#737373" stroke-width="0.6"'
        iso_attr = f' data-iso3="{esc(country.iso3)}"' if country.iso3 else ""
        path = (
            f'<path class="{" ".join(classes)}"{iso_attr} d="{esc(country.d)}" fill="{esc(fill)}"{extra}>'
            f"<title>{esc(label)}</title></path>"
        )
        if (
            link_template is not None
            and country.iso3 is not None
            and (linked is None or country.iso3 in linked)
        ):
            href = link_template.format(iso3=country.iso3)
            path = f'<a class="gb-country-link" href="{esc(href)}" aria-label="{esc(label)}">{path}</a>'
        body.append(path)

    legend, legend_height = _legend(
        breaks, legend_label, no_data_label, number_format, hatch, world.width, world.height, direction
    )
    height = world.height + legend_height
    with_data = sum(1 for c in world.countries if c.iso3 and clean.get(c.iso3) is not None)
    desc = summary.format(
        legend=legend_label,
        with_data=with_data,
        # out of the places the page is about (the economies, when given), not every shape of the map
        total=sum(1 for c in world.countries if c.iso3 and (linked is None or c.iso3 in linked)),
        classes=", ".join(breaks.labels(number_format)),
    )
    # With links inside, role="img" would hide them from assistive technology while keeping them
    # focusable; a labelled group exposes each country link instead.
    role = "img" if link_template is None else "group"
    return "".join(
        [
            svg_open(
                width=world.width,
                height=height,
                css_class="gb-chart gb-map",
                id_prefix=prefix,
                title=title,
                desc=desc,
                lang_dir=direction,
                role=role,
            ),
            f'<defs><pattern id="{esc(hatch)}" class="gb-nodata-pattern" patternUnits="userSpaceOnUse" '
            f'width="5" height="5" patternTransform="rotate(45)">'
            f'<rect width="5" height="5" fill="{NO_DATA_FILL}"/>'
            f'<line x1="0" y1="0" x2="0" y2="5" stroke="{NO_DATA_HATCH}" stroke-width="1.6"/>'
            "</pattern></defs>",
            '<g class="gb-map-countries" stroke="#ffffff" stroke-width="0.5" stroke-linejoin="round" '
            'fill-rule="evenodd">',
            *body,
            "</g>",
            legend,
            "</svg>",
        ]
    )


def _legend(
    breaks: ClassBreaks,
    legend_label: str,
    no_data_label: str,
    number_format: NumberFormat,
    hatch: str,
    width: float,
    top: float,
    direction: LangDir,
) -> tuple[str, float]:
    """Legend band under the map: label, then one swatch per class and a "no data" swatch.

    Laid out left to right and mirrored for RTL (lowest class at the reading start), with logical
    text anchors so the root `direction` puts each label on the correct side.
    """
    font, title_font, swatch_h, gap, margin = 13.0, 14.0, 12.0, 4.0, 12.0
    labels = breaks.labels(number_format) if len(breaks.colors) > 1 else (number_format(breaks.edges[0]),)
    swatch_w = max(52.0, max(text_width(t, font) for t in (*labels, no_data_label)) + 8)
    # Rounded so mirrored positions are exact after `num` rounds each coordinate to 0.1.
    swatch_w = round(min(swatch_w, 120.0))

    def x_of(ltr_x: float, w: float = 0.0) -> float:
        return width - ltr_x - w if direction == "rtl" else ltr_x

    y_title = top + 20
    y_swatch = top + 30
    y_text = y_swatch + swatch_h + 15
    parts = [
        f'<g class="gb-legend" font-size="{num(font)}">',
        f'<text class="gb-legend-title" x="{num(x_of(margin))}" y="{num(y_title)}" '
        f'font-size="{num(title_font)}" font-weight="600" text-anchor="start">'
        f"{bidi_text(fit_text(legend_label, width - 2 * margin, title_font), direction)}</text>",
    ]
    x = margin
    for i, (color, label) in enumerate(zip(breaks.colors, labels, strict=True)):
        parts.append(
            f'<rect class="gb-legend-swatch gb-class-{i + 1}" x="{num(x_of(x, swatch_w))}" '
            f'y="{num(y_swatch)}" '
            f'width="{num(swatch_w)}" height="{num(swatch_h)}" fill="{color}"/>'
            f'<text class="gb-legend-label" x="{num(x_of(x + swatch_w / 2))}" y="{num(y_text)}" '
            f'text-anchor="middle">{bidi_text(label, direction)}</text>'
        )
        x += swatch_w + gap
    x += 3 * gap
    parts.append(
        f'<rect class="gb-legend-swatch gb-country--nodata" x="{num(x_of(x, swatch_w))}" y="{num(y_swatch)}" '
        f'width="{num(swatch_w)}" height="{num(swatch_h)}" fill="url(#{esc(hatch)})" '
        f'stroke="{NO_DATA_HATCH}" stroke-width="0.5"/>'
        f'<text class="gb-legend-label gb-legend-nodata" x="{num(x_of(x + swatch_w / 2))}" y="{num(y_text)}" '
        f'text-anchor="middle" fill="{MUTED_TEXT_COLOR}">{bidi_text(no_data_label, direction)}</text>'
    )
    parts.append("</g>")
    return "".join(parts), y_text - top + 12

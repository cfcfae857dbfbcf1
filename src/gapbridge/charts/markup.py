"""Small, shared building blocks for hand-written SVG: escaping, number formatting, colours, text metrics.

The chart modules build SVG as strings (no template engine, no DOM) so they stay pure and fast; every piece
of caller-supplied text must therefore pass through `esc`, which is the one place that makes the output
safe to inline in HTML and well-formed as XML.
"""

from __future__ import annotations

import hashlib
import html
import math
import re
from collections.abc import Callable
from typing import Final, Literal

LangDir = Literal["ltr", "rtl"]
NumberFormat = Callable[[float], str]

SVG_NS: Final = "http://www.w3.org/2000/svg"
# System fonts only: the charts must render offline and without fetching a web font.
FONT_FAMILY: Final = "system-ui, -apple-system, 'Segoe UI', 'Noto Sans', 'DejaVu Sans', Arial, sans-serif"
TEXT_COLOR: Final = "#1f1f1f"
MUTED_TEXT_COLOR: Final = "#595959"  # 7:1 on white: still readable at small sizes
AXIS_COLOR: Final = "#8c8c8c"
NO_DATA_FILL: Final = "#e0e0e0"
NO_DATA_HATCH: Final = "#a6a6a6"

# ColorBrewer YlGnBu (Cynthia Brewer, Apache-2.0), rated colour-blind safe, light = low, dark = high.
SEQUENTIAL: Final[dict[int, tuple[str, ...]]] = {
    3: ("#edf8b1", "#7fcdbb", "#2c7fb8"),
    4: ("#ffffcc", "#a1dab4", "#41b6c4", "#225ea8"),
    5: ("#ffffcc", "#a1dab4", "#41b6c4", "#2c7fb8", "#253494"),
    6: ("#ffffcc", "#c7e9b4", "#7fcdbb", "#41b6c4", "#2c7fb8", "#253494"),
    7: ("#ffffcc", "#c7e9b4", "#7fcdbb", "#41b6c4", "#1d91c0", "#225ea8", "#0c2c84"),
}
# Okabe & Ito (2008) qualitative palette, distinguishable under all common colour-vision deficiencies.
# The first series (the country itself) gets the strongest blue; peers follow.
CATEGORICAL: Final = ("#0072b2", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00", "#f0e442")

_EM_PER_CHAR = 0.55
# Characters XML 1.0 forbids even when escaped; a stray one would make the whole SVG unparsable.
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def esc(value: object) -> str:
    """Escape any value for use as SVG text content or a double- or single-quoted attribute."""
    return html.escape(_XML_INVALID.sub("", str(value)), quote=True)


def bidi_text(text: str, direction: LangDir) -> str:
    """Escaped text content; in RTL wrapped in a first-strong isolate (U+2068 … U+2069) so a Latin name
    or a number range keeps its own order ("United States…", "20–40") inside a right-to-left layout."""
    return f"\u2068{esc(text)}\u2069" if direction == "rtl" else esc(text)


def format_number(value: float) -> str:
    """Default value label: one decimal below 1000 ("43.2", but "40" not "40.0"), thousands separators
    above ("12,345"). Pages in other locales pass their own formatter."""
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    text = f"{value:.1f}"
    text = text[:-2] if text.endswith(".0") else text
    return "0" if text == "-0" else text


def num(value: float) -> str:
    """A coordinate rounded to 0.1 unit without a trailing ".0": keeps markup short and diffs stable."""
    rounded = round(value, 1)
    if rounded == 0:
        return "0"
    text = f"{rounded:.1f}"
    return text[:-2] if text.endswith(".0") else text


def is_missing(value: float | None) -> bool:
    return value is None or math.isnan(value)


def text_width(text: str, font_size: float) -> float:
    """Rough rendered width: SVG has no text metrics without a browser, so budget 0.55 em a character
    (measured: DejaVu/Noto Sans average ~0.5 em on mixed-case English, a little more in italics)."""
    return len(text) * font_size * _EM_PER_CHAR


def fit_text(text: str, max_width: float, font_size: float) -> str:
    """Shorten a label with an ellipsis so it fits `max_width`; callers keep the full text in a `<title>`."""
    if text_width(text, font_size) <= max_width:
        return text
    keep = max(1, int(max_width / (font_size * _EM_PER_CHAR)) - 1)
    return text[:keep].rstrip() + "…"


def wrap_text(text: str, max_width: float, font_size: float, max_lines: int = 3) -> list[str]:
    """Break a label into lines of whole words that fit `max_width` (a word longer than a line is cut);
    at most `max_lines`, the last one shortened with an ellipsis if text is left over."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}" if current else word
        if current and text_width(candidate, font_size) > max_width:
            lines.append(current)
            current = word
        else:
            current = candidate
    if current or not lines:
        lines.append(current)
    if len(lines) > max_lines:
        lines = [*lines[: max_lines - 1], fit_text(" ".join(lines[max_lines - 1 :]), max_width, font_size)]
    return [fit_text(line, max_width, font_size) for line in lines]


def default_id(kind: str, *parts: object) -> str:
    """A stable element-id prefix, so several charts inlined in one page do not share `id`s by accident."""
    digest = hashlib.sha1(repr(parts).encode(), usedforsecurity=False).hexdigest()[:8]
    return f"gb-{kind}-{digest}"


def check_lang_dir(lang_dir: str) -> LangDir:
    if lang_dir == "ltr":
        return "ltr"
    if lang_dir == "rtl":
        return "rtl"
    from gapbridge.charts.errors import ChartInputError

    raise ChartInputError("lang_dir", f"must be 'ltr' or 'rtl', not {lang_dir!r}")


def svg_open(
    *,
    width: float,
    height: float,
    css_class: str,
    id_prefix: str,
    title: str,
    desc: str,
    lang_dir: LangDir,
    role: str = "img",
) -> str:
    """Root element plus `<title>`/`<desc>`: the title is the accessible name, the desc its description."""
    return (
        f'<svg xmlns="{SVG_NS}" viewBox="0 0 {num(width)} {num(height)}" width="{num(width)}" '
        f'height="{num(height)}" class="{esc(css_class)}" role="{role}" '
        f'aria-label="{esc(title)}" aria-describedby="{esc(id_prefix)}-desc" '
        f'direction="{lang_dir}" font-family="{esc(FONT_FAMILY)}" fill="{TEXT_COLOR}">'
        f'<title id="{esc(id_prefix)}-title">{esc(title)}</title>'
        f'<desc id="{esc(id_prefix)}-desc">{esc(desc)}</desc>'
    )

"""The overall-score world map, rendered once per language and data version and reused by every page."""

from __future__ import annotations

import hashlib

from django.core.cache import cache
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from gapbridge.charts import worldmap
from gapbridge.countries.models import CountryScore, Economy, ReferenceLoad
from gapbridge.web.i18n import chart_number, map_summary, text_dir


def overall_map(*, title: str | None = None, highlight: str | None = None) -> str:
    load_id = ReferenceLoad.objects.values_list("id", flat=True).first()
    language = get_language() or "en"
    key = "world-map-" + hashlib.sha256(f"{load_id}|{language}|{title}".encode()).hexdigest()[:32]
    svg: str | None = cache.get(key)
    if svg is None:
        scores = dict(CountryScore.objects.values_list("economy__iso3", "overall"))
        names = Economy.objects.names()
        svg = worldmap.choropleth_svg(
            scores,
            title=title or _("GapBridge Gap Index, overall score (0–100)"),
            legend_label=_("Overall score"),
            names=names,
            no_data_label=_("no data"),
            lang_dir=text_dir(),
            number_format=chart_number,
            summary=map_summary(),
        )
        cache.set(key, svg, timeout=3600)
    if highlight:
        # The map's paths carry data-iso3; marking one is a class, so the cached SVG can be shared.
        svg = svg.replace(f'" data-iso3="{highlight}"', f' gb-country--highlight" data-iso3="{highlight}"', 1)
    return svg

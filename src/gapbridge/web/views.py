"""Public pages: home with the world map, the countries table, a country profile, and comparison.

Views only translate HTTP to queries and templates; numbers come from `gapbridge.countries.queries`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.formats import number_format
from django.utils.functional import Promise
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from gapbridge.api.pagination import csv_response
from gapbridge.charts import svg
from gapbridge.countries import labels, queries
from gapbridge.countries.models import (
    CountryGroup,
    CountryScore,
    Economy,
    IncomeGroup,
    IndicatorValue,
    ReferenceLoad,
)
from gapbridge.countries.profile import cached_profile, summary_out
from gapbridge.countries.schemas import CountryProfileOut
from gapbridge.domain import gapindex
from gapbridge.domain.gapindex import PILLARS
from gapbridge.web import maps
from gapbridge.web.i18n import chart_number, local_number, text_dir

MAX_COMPARE = 5


# --- display in the active language -----------------------------------------------------------------
# The stored index and the domain speak English; pages show the names and the peer comparisons in the
# visitor's language, formatted by Django's localization (decimal and thousands separators).

_VALUE_FORMATS: dict[str, tuple[int, Promise | str]] = {
    gapindex.UNIT_PCT_POPULATION: (1, gettext_lazy("%(value)s%%")),
    gapindex.UNIT_PCT_ADULTS: (1, gettext_lazy("%(value)s%%")),
    gapindex.UNIT_PCT_BUSINESSES: (1, gettext_lazy("%(value)s%%")),
    gapindex.UNIT_PCT_GNI: (2, gettext_lazy("%(value)s%% of monthly GNI per capita")),
    gapindex.UNIT_PER_100: (1, gettext_lazy("%(value)s per 100 people")),
    gapindex.UNIT_PER_MILLION: (1, gettext_lazy("%(value)s per million people")),
    gapindex.UNIT_USD: (0, gettext_lazy("US$%(value)s")),
    gapindex.UNIT_USD_PER_CAPITA: (2, gettext_lazy("US$%(value)s per person")),
    gapindex.UNIT_GCI: (1, gettext_lazy("%(value)s/100")),
}


def _english() -> bool:
    return (get_language() or "en")[:2] == "en"


def _format_value(spec: gapindex.IndicatorSpec, value: float | None, year: int | None) -> str:
    if value is None:
        return _("no data")
    decimals, template = _VALUE_FORMATS.get(spec.unit, (2, "%(value)s"))
    # Django's number_format cuts extra decimals off; round first so 12345.6 shows as 12,346.
    text = str(template) % {"value": number_format(round(value, decimals), decimals, force_grouping=True)}
    return _("%(value)s (%(year)s)") % {"value": text, "year": year} if year else text


def _law_status(value: float | None) -> str:
    if value is None:
        return str(labels.LAW_STATUS["no data"])
    if value >= 1.0:
        return str(labels.LAW_STATUS["law in force"])
    return str(labels.LAW_STATUS["draft only" if value > 0.0 else "none"])


def _describe_difference(
    spec: gapindex.IndicatorSpec, peer: tuple[float | None, int | None], own: tuple[float | None, int | None]
) -> str:
    """The domain's `describe_difference`, worded and formatted in the active language."""
    name = labels.indicator_name(spec.code, spec.name)
    if spec.unit == gapindex.UNIT_LEGISLATION:
        peer_value = peer[0]
        template = (
            _("%(law)s: draft law (this country: %(status)s)")
            if peer_value is not None and 0.0 < peer_value < 1.0
            else _("%(law)s: law in force (this country: %(status)s)")
        )
        return template % {"law": name, "status": _law_status(own[0])}
    return _("%(indicator)s: %(peer)s vs %(country)s") % {
        "indicator": name,
        "peer": _format_value(spec, *peer),
        "country": _format_value(spec, *own),
    }


def _localise_profile(profile: CountryProfileOut) -> None:
    """Pillar, indicator, unit, region and group names of a built profile in the active language."""
    profile.region = labels.region(profile.region)
    profile.sub_region = labels.region(profile.sub_region)
    for membership in profile.groups:
        membership.name = labels.group_name(membership.code, membership.name)
    for average in profile.group_averages:
        average.name = labels.group_name(average.code, average.name)
    own: dict[str, tuple[float | None, int | None]] = {}
    gaps = []
    for pillar in profile.gap_index.pillars:
        pillar.name = labels.pillar_name(pillar.code, pillar.name)
        for value in pillar.indicators:
            own[value.code] = (value.value, value.year)
            value.name = labels.indicator_name(value.code, value.name)
            value.unit = labels.unit(value.unit)
            if value.data_gap:
                value.data_gap = labels.gap_reason(value.data_gap)
            if value.value is None:
                gaps.append(
                    _("%(indicator)s: %(reason)s") % {"indicator": value.name, "reason": value.data_gap or ""}
                )
    profile.data_gaps = gaps
    peers = profile.peers_further_ahead
    codes = {d.indicator for peer in peers for d in peer.differences}
    theirs = {
        (iso3, code): (value, year)
        for iso3, code, value, year in IndicatorValue.objects.filter(
            economy__iso3__in={peer.iso3 for peer in peers}, code__in=codes
        ).values_list("economy__iso3", "code", "value", "year")
    }
    for peer in peers:
        for difference in peer.differences:
            spec = gapindex.INDICATORS.get(difference.indicator)
            if spec is not None:
                difference.text = _describe_difference(
                    spec,
                    theirs.get((peer.iso3, spec.code), (None, None)),
                    own.get(spec.code, (None, None)),
                )


def _filters(request: HttpRequest) -> queries.CountryFilter:
    on_text = request.GET.get("on", "")
    try:
        on = dt.date.fromisoformat(on_text) if on_text else None
    except ValueError:
        raise queries.QueryError(
            _("the date must be written YYYY-MM-DD, not %(v)s") % {"v": on_text}
        ) from None
    return queries.CountryFilter(
        q=request.GET.get("q", ""),
        region=request.GET.get("region", ""),
        income_group=request.GET.get("income_group", ""),
        group=request.GET.get("group", ""),
        on=on,
        sort=request.GET.get("sort", "name"),
    )


def score_number(value: float) -> str:
    """A score on a chart as in the table beside it: one decimal ("59.0")."""
    return local_number(value, 1)


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    load = ReferenceLoad.objects.first()
    return render(
        request,
        "web/home.html",
        {
            "world_map": maps.overall_map(),
            "economies": Economy.objects.count(),
            "scored": CountryScore.objects.filter(overall__isnull=False).count(),
            "reference_load": load,
        },
    )


@require_safe
def country_list(request: HttpRequest) -> HttpResponse:
    error = ""
    try:
        filters = _filters(request)
        rows = list(queries.economies(filters))
    except queries.QueryError as exc:
        filters, rows, error = queries.CountryFilter(), [], str(exc)
    if filters.sort in {"name", "-name"} and not _english():
        rows.sort(key=lambda e: queries.fold(e.name), reverse=filters.sort == "-name")
    context: dict[str, Any] = {
        "rows": rows,
        "filters": filters,
        "error": error,
        "regions": [(r, labels.region(r)) for r in queries.regions()],
        "income_groups": [c for c in IncomeGroup.choices if c[0]],
        "groups": [(g.code, labels.group_name(g.code, g.name)) for g in CountryGroup.objects.all()],
        # the filters without the sort: each column link adds its own, replacing the current one
        "query_string": _without(request.GET, "sort"),
        "full_query": request.GET.urlencode(),
    }
    template = "web/_country_rows.html" if request.headers.get("HX-Request") else "web/country_list.html"
    return render(request, template, context, status=400 if error else 200)


@require_safe
def country_csv(request: HttpRequest) -> HttpResponse:
    try:
        rows = [summary_out(e) for e in queries.economies(_filters(request))]
    except queries.QueryError as exc:
        return HttpResponse(str(exc), status=400, content_type="text/plain; charset=utf-8")
    return csv_response(
        "gapbridge-countries.csv",
        [
            "iso3",
            "name",
            "region",
            "sub_region",
            "income_group",
            "overall_score",
            "overall_coverage",
            "rank",
            "population",
        ],
        (
            [
                s.iso3,
                s.name,
                s.region,
                s.sub_region,
                s.income_group.code if s.income_group else "",
                s.overall_score,
                s.overall_coverage,
                s.rank,
                s.population,
            ]
            for s in rows
        ),
    )


@require_safe
def country_profile(request: HttpRequest, iso3: str) -> HttpResponse:
    try:
        profile = cached_profile(iso3)
    except Economy.DoesNotExist:
        raise Http404(_("No economy with the code %(code)s") % {"code": iso3}) from None
    _localise_profile(profile)
    categories = [p.name for p in profile.gap_index.pillars]
    series = [svg.BarSeries(profile.name, [p.score for p in profile.gap_index.pillars])]
    for average in profile.group_averages[:3]:
        series.append(
            svg.BarSeries(
                _("%(group)s average") % {"group": average.name},
                [average.pillars.get(p.code) for p in profile.gap_index.pillars],
            )
        )
    chart = svg.bar_chart_svg(
        categories,
        series,
        title=_("Pillar scores against peer-group averages"),
        lang_dir=text_dir(),
        insufficient_label=_("insufficient data"),
        number_format=chart_number,
        value_format=score_number,
    )
    mini_map = maps.overall_map(highlight=profile.iso3)
    peers_by_pillar: dict[str, list[Any]] = {}
    for peer in profile.peers_further_ahead:
        peers_by_pillar.setdefault(peer.pillar, []).append(peer)
    pillar_rows = [
        (p, [a.pillars.get(p.code) for a in profile.group_averages]) for p in profile.gap_index.pillars
    ]
    economy = Economy.objects.get(iso3=profile.iso3)
    history = queries.memberships_history(economy)
    return render(
        request,
        "web/country_profile.html",
        {
            "economy": economy,
            "profile": profile,
            "chart": chart,
            "mini_map": mini_map,
            "pillar_rows": pillar_rows,
            "peers_by_pillar": peers_by_pillar,
            "history": history,
        },
    )


def _country_selects(codes: list[str]) -> list[str]:
    """The <option>s of the compare form's country pickers, one per slot, each with its choice selected.

    Built as text (218 options x 5 pickers is too much work for the template engine on every request).
    """
    fields = ("iso3", "name_en", "name_fr", "name_es", "name_ar")
    economies = sorted(Economy.objects.only(*fields), key=lambda e: queries.fold(e.name))
    options = [(e.iso3, escape(e.name)) for e in economies]
    selects: list[str] = []
    for slot in range(MAX_COMPARE):
        chosen = codes[slot] if slot < len(codes) else ""
        selects.append(
            mark_safe(  # stored ISO3 codes; names escaped above
                "".join(
                    f'<option value="{iso3}"{" selected" if iso3 == chosen else ""}>{name}</option>'
                    for iso3, name in options
                )
            )
        )
    return selects


@require_safe
def compare(request: HttpRequest) -> HttpResponse:
    codes = [c.strip().upper() for c in request.GET.getlist("c") if c.strip()][:MAX_COMPARE]
    known = set(Economy.objects.filter(iso3__in=codes).values_list("iso3", flat=True))
    missing = [c for c in codes if c not in known]
    profiles = [cached_profile(c) for c in codes if c in known]
    for profile in profiles:
        _localise_profile(profile)
    chart = ""
    if len(profiles) >= 2:
        chart = svg.grouped_compare_svg(
            [labels.pillar_name(p.code, p.name) for p in PILLARS],
            [svg.BarSeries(p.name, [pl.score for pl in p.gap_index.pillars]) for p in profiles],
            title=_("Pillar scores side by side"),
            lang_dir=text_dir(),
            insufficient_label=_("insufficient data"),
            number_format=chart_number,
            value_format=score_number,
        )
    return render(
        request,
        "web/compare.html",
        {
            "profiles": profiles,
            "chart": chart,
            "missing": missing,
            "codes": codes,
            "country_selects": _country_selects(codes),
            "max_compare": MAX_COMPARE,
        },
    )


@require_safe
def search(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()
    results = list(queries.economies(queries.CountryFilter(q=q))[:10]) if q else []
    return render(request, "web/_search_results.html", {"results": results, "q": q})


@require_safe
def methodology(request: HttpRequest) -> HttpResponse:
    pillars = [
        {
            "name": labels.pillar_name(p.code, p.name),
            "indicators": [
                {
                    "name": labels.indicator_name(i.code, i.name),
                    "unit": labels.unit(i.unit),
                    "direction": i.direction,
                    "log": i.log,
                }
                for i in p.indicators
            ],
        }
        for p in PILLARS
    ]
    return render(request, "web/methodology.html", {"pillars": pillars})


@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


def _without(query: Any, *names: str) -> str:
    """``query`` (a QueryDict) URL-encoded without the parameters ``names``."""
    kept = query.copy()
    for name in names:
        kept.pop(name, None)
    return str(kept.urlencode())

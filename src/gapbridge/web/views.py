"""Public pages: home with the world map, the countries table, a country profile, and comparison.

Views only translate HTTP to queries and templates; numbers come from `gapbridge.countries.queries`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from gapbridge.api.pagination import csv_response
from gapbridge.charts import svg
from gapbridge.countries import queries
from gapbridge.countries.models import CountryGroup, CountryScore, Economy, IncomeGroup, ReferenceLoad
from gapbridge.countries.profile import build_profile, summary_out
from gapbridge.domain.gapindex import PILLARS
from gapbridge.web import maps
from gapbridge.web.i18n import text_dir

MAX_COMPARE = 5


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


@require_GET
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


@require_GET
def country_list(request: HttpRequest) -> HttpResponse:
    error = ""
    try:
        filters = _filters(request)
        rows = list(queries.economies(filters))
    except queries.QueryError as exc:
        filters, rows, error = queries.CountryFilter(), [], str(exc)
    context: dict[str, Any] = {
        "rows": rows,
        "filters": filters,
        "error": error,
        "regions": queries.regions(),
        "income_groups": [c for c in IncomeGroup.choices if c[0]],
        "groups": CountryGroup.objects.all(),
        "query_string": request.GET.urlencode(),
    }
    template = "web/_country_rows.html" if request.headers.get("HX-Request") else "web/country_list.html"
    return render(request, template, context, status=400 if error else 200)


@require_GET
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


@require_GET
def country_profile(request: HttpRequest, iso3: str) -> HttpResponse:
    try:
        economy = queries.get_profile(iso3)
    except Economy.DoesNotExist:
        raise Http404(_("No economy with the code %(code)s") % {"code": iso3}) from None
    profile = build_profile(economy)
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
    )
    mini_map = maps.overall_map(highlight=economy.iso3)
    peers_by_pillar: dict[str, list[Any]] = {}
    for peer in profile.peers_further_ahead:
        peers_by_pillar.setdefault(peer.pillar, []).append(peer)
    pillar_rows = [
        (p, [a.pillars.get(p.code) for a in profile.group_averages]) for p in profile.gap_index.pillars
    ]
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
            "history": queries.memberships_history(economy),
        },
    )


@require_GET
def compare(request: HttpRequest) -> HttpResponse:
    codes = [c.strip().upper() for c in request.GET.getlist("c") if c.strip()][:MAX_COMPARE]
    economies = {e.iso3: e for e in queries.profile_queryset().filter(iso3__in=codes)}
    missing = [c for c in codes if c not in economies]
    profiles = [build_profile(economies[c]) for c in codes if c in economies]
    chart = ""
    if len(profiles) >= 2:
        chart = svg.grouped_compare_svg(
            [p.name for p in PILLARS],
            [svg.BarSeries(p.name, [pl.score for pl in p.gap_index.pillars]) for p in profiles],
            title=_("Pillar scores side by side"),
            lang_dir=text_dir(),
            insufficient_label=_("insufficient data"),
        )
    return render(
        request,
        "web/compare.html",
        {
            "profiles": profiles,
            "chart": chart,
            "missing": missing,
            "codes": codes,
            "all_economies": Economy.objects.only("iso3", "name_en", "name_fr", "name_es", "name_ar"),
            "max_compare": MAX_COMPARE,
        },
    )


@require_GET
def search(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()
    results = list(queries.economies(queries.CountryFilter(q=q))[:10]) if q else []
    return render(request, "web/_search_results.html", {"results": results, "q": q})


@require_GET
def methodology(request: HttpRequest) -> HttpResponse:
    return render(request, "web/methodology.html", {"pillars": PILLARS})


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})

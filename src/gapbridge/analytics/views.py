"""Pages of the analytics app: funding against need (map, chart, neglect ranking), providers and
concentration, the allocation advisor, coordination alerts (confirm/dismiss with history) and the
country coordination brief (HTML and PDF). Views validate and translate; services write."""

from __future__ import annotations

import math
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from gapbridge.accounts.permissions import PermissionDenied, is_secretariat
from gapbridge.analytics import advisor, brief, queries, services, source
from gapbridge.analytics.models import (
    AlertStatus,
    AlertTier,
    AnalyticsState,
    Basis,
    CoordinationAlert,
    Measure,
    OverlapRun,
)
from gapbridge.charts import svg, worldmap
from gapbridge.countries.models import CountryGroup, Economy
from gapbridge.countries.queries import QueryError
from gapbridge.web import scope
from gapbridge.web.i18n import chart_number, map_summary, text_dir, whole_number


def _int(value: str, name: str) -> int | None:
    if not value:
        return None
    try:
        return int(value)
    except ValueError:
        raise QueryError(
            _("%(name)s: %(value)s is not a whole number") % {"name": name, "value": repr(value)}
        ) from None


def _float(value: str, name: str) -> float | None:
    if not value.strip():
        return None
    try:
        found = float(value.replace(",", ""))
    except ValueError:
        raise QueryError(
            _("%(name)s: %(value)s is not a number") % {"name": name, "value": repr(value)}
        ) from None
    if not math.isfinite(found):
        raise QueryError(_("%(name)s: %(value)s is not a number") % {"name": name, "value": repr(value)})
    return found


def _common(request: HttpRequest) -> dict[str, Any]:
    return {
        "focus_areas": source.focus_areas(),
        "groups": CountryGroup.objects.all(),
        "measures": Measure.choices,
        "bases": Basis.choices,
        "query_string": request.GET.urlencode(),
        "state": AnalyticsState.objects.filter(pk=1).first(),
    }


def _names() -> dict[str, str]:
    return Economy.objects.names()


# -- funding against need ---------------------------------------------------------------------------------
@require_safe
def need_overview(request: HttpRequest) -> HttpResponse:
    services.ensure_fresh()
    g = request.GET
    context = _common(request)
    error = ""
    filters = {
        "focus_area": g.get("focus_area", ""),
        "by_area": g.get("by_area") == "1",
        "group": g.get("group", ""),
        "measure": g.get("measure", Measure.DISBURSEMENT),
        "year_from": g.get("year_from", ""),
        "year_to": g.get("year_to", ""),
    }
    table = None
    try:
        table = queries.need_table(
            focus_area=str(filters["focus_area"]),
            by_area=bool(filters["by_area"]),
            group=str(filters["group"]),
            measure=str(filters["measure"]),
            year_from=_int(str(filters["year_from"]), "year_from"),
            year_to=_int(str(filters["year_to"]), "year_to"),
        )
    except QueryError as exc:
        error = str(exc)
    totals = queries.totals(queries.FundingFilter(focus_area=queries.DIGITAL))
    totals_all = queries.totals()
    chart = map_svg = ""
    if table is not None and table.rows:
        top = table.rows[:15]
        area_names = dict(source.focus_areas())
        labels = [f"{r.name} · {area_names.get(r.focus_area, '')}".rstrip(" ·") for r in top]
        chart = svg.bar_chart_svg(
            labels,
            [
                svg.BarSeries(_("Need (0–100)"), [round((r.need or 0) * 100, 1) for r in top]),
                svg.BarSeries(
                    # xgettext:no-python-format (a chart label, never %-formatted)
                    _("Funding received, % of a need-proportional share (capped at 100)"),
                    [min(100.0, (r.coverage or 0) * 100) for r in top],
                ),
            ],
            title=_("The 15 most neglected places (de-duplicated funding)"),
            lang_dir=text_dir(),
            number_format=chart_number,
            id_prefix="neglect",
        )
        if filters["focus_area"] or not filters["by_area"]:  # one row per country: a map makes sense
            # a country far above its share keeps its own figure in its label; the top class is open
            values = {r.iso3: (r.coverage or 0) * 100 for r in table.rows}
            map_svg = worldmap.choropleth_svg(
                values,
                # xgettext:no-python-format (a chart label, never %-formatted)
                title=_("Funding received as % of a need-proportional share (de-duplicated)"),
                # xgettext:no-python-format (a chart label, never %-formatted)
                legend_label=_("% of need-proportional share"),
                link_template="/analytics/countries/{iso3}/",
                domain=(0, 200),
                open_top=True,
                n_classes=5,
                names=_names(),
                lang_dir=text_dir(),
                no_data_label=_("no data"),
                number_format=chart_number,
                summary=map_summary(),
                id_prefix="coverage",
            )
    context |= {
        "table": table,
        "filters": filters,
        "error": error,
        "totals": totals,
        "totals_all": totals_all,
        "chart": chart,
        "map": map_svg,
        "area_names": dict(source.focus_areas()),
    }
    return render(request, "analytics/need.html", context, status=400 if error else 200)


# -- providers --------------------------------------------------------------------------------------------
@require_safe
def providers(request: HttpRequest) -> HttpResponse:
    services.ensure_fresh()
    g = request.GET
    context = _common(request)
    basis = g.get("basis", Basis.DEDUPLICATED)
    measure = g.get("measure", Measure.DISBURSEMENT)
    group = g.get("group", "")
    focus_area = g.get("focus_area", "")
    error = ""
    matrix = None
    hhi: list[queries.Concentration] = []
    try:
        from gapbridge.analytics.need import eligible_economies

        iso3 = [e.iso3 for e in eligible_economies(group)] if group else []
        filters = queries.FundingFilter(iso3=iso3, focus_area=focus_area, measure=measure)
        matrix = queries.provider_matrix(filters, basis=basis)
        hhi = queries.concentration(filters, basis=basis)
    except QueryError as exc:
        error = str(exc)
    names = _names()
    rows = []
    if matrix is not None:
        for key, name, total in matrix.providers:
            rows.append((name, total, [matrix.cells.get((key, iso3), 0.0) for iso3, _t in matrix.countries]))
    context |= {
        "matrix": matrix,
        "rows": rows,
        "hhi": [(c, names.get(c.iso3, c.iso3)) for c in hhi[:60]],
        "hhi_count": len(hhi),
        "basis": basis,
        "measure": measure,
        "group": group,
        "focus_area": focus_area,
        "error": error,
        "dedup": basis == Basis.DEDUPLICATED,
    }
    return render(request, "analytics/providers.html", context, status=400 if error else 200)


# -- allocation advisor -----------------------------------------------------------------------------------
@require_safe
def allocate(request: HttpRequest) -> HttpResponse:
    g = request.GET
    context = _common(request)
    advice = None
    error = ""
    form = {
        k: g.get(k, "")
        for k in (
            "budget",
            "focus_area",
            "group",
            "floor",
            "ceiling",
            "bounds",
            "reference_per_capita",
            "measure",
        )
    }
    form["measure"] = form["measure"] or Measure.DISBURSEMENT
    if g.get("budget"):
        services.ensure_fresh()
        try:
            budget = _float(form["budget"], "budget") or 0.0
            request_ = advisor.AdviceRequest(
                budget=budget,
                focus_area=form["focus_area"],
                group=form["group"],
                floor=_float(form["floor"], "floor") or 0.0,
                ceiling=_float(form["ceiling"], "ceiling"),
                bounds=advisor.parse_bounds(form["bounds"]),
                reference_per_capita=_float(form["reference_per_capita"], "reference per capita"),
                measure=form["measure"] or Measure.DISBURSEMENT,
            )
            advice = advisor.advise(request_)
        except (QueryError, advisor.AdviceError) as exc:
            error = str(exc)
    context |= {
        "form": form,
        "advice": advice,
        "funded": [u for u in advice.units if u.amount > 0] if advice else [],
        "unfunded": [u for u in advice.units if u.amount <= 0] if advice else [],
        "error": error,
        "area_names": dict(source.focus_areas()),
        "utility": "Σ need × population × ln(1 + (existing + new) / (r × population))",
    }
    return render(request, "analytics/allocate.html", context, status=400 if error else 200)


# -- alerts -----------------------------------------------------------------------------------------------
@require_safe
def alert_list(request: HttpRequest) -> HttpResponse:
    g = request.GET
    context = _common(request)
    error = ""
    filters = queries.AlertFilter(
        status=g.get("status", ""), tier=g.get("tier", ""), country=g.get("country", ""), q=g.get("q", "")
    )
    try:
        qs = queries.alerts(filters)
        total = qs.count()
        rows = list(qs[:200])
    except QueryError as exc:
        error, total, rows = str(exc), 0, []
    context |= {
        "rows": rows,
        "total": total,
        "filters": filters,
        "error": error,
        "statuses": AlertStatus.choices,
        "tiers": AlertTier.choices,
        "run": OverlapRun.objects.first(),
    }
    return render(request, "analytics/alert_list.html", context, status=400 if error else 200)


def _alert(alert_id: int) -> CoordinationAlert:
    try:
        return CoordinationAlert.objects.get(pk=alert_id)
    except CoordinationAlert.DoesNotExist:
        raise Http404(_("No alert #%(id)s") % {"id": alert_id}) from None


@require_safe
def alert_detail(request: HttpRequest, alert_id: int) -> HttpResponse:
    alert = _alert(alert_id)
    moves = sorted(services.ALLOWED_MOVES[AlertStatus(alert.status)])
    if not is_secretariat(request.user):
        moves = [m for m in moves if m is not AlertStatus.OPEN]
    return render(
        request,
        "analytics/alert_detail.html",
        {
            "alert": alert,
            "history": alert.history.all(),
            "can_act": services.can_act_on_alert(request.user, alert),
            "moves": [(m.value, AlertStatus(m).label) for m in moves],
            "a_url": source.activity_url(alert.a_activity_id),
            "b_url": source.activity_url(alert.b_activity_id),
            "countries": alert.countries.all(),
        },
    )


@login_required
@require_POST
def alert_status(request: HttpRequest, alert_id: int) -> HttpResponse:
    _alert(alert_id)
    try:
        services.set_alert_status(
            request.user, alert_id, request.POST.get("to", ""), request.POST.get("reason", "")
        )
    except PermissionDenied as exc:
        return scope.forbidden(str(exc))
    except services.AlertError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The alert's status is changed and recorded in its history."))
    return HttpResponseRedirect(reverse("analytics:alert", args=[alert_id]))


# -- country brief ----------------------------------------------------------------------------------------
def _brief(iso3: str) -> brief.Brief:
    services.ensure_fresh()
    try:
        return brief.build(iso3)
    except Economy.DoesNotExist:
        raise Http404(_("No economy with ISO3 code %(code)s") % {"code": iso3}) from None


@require_safe
def country_brief(request: HttpRequest, iso3: str) -> HttpResponse:
    found = _brief(iso3)
    areas = [r for r in found.by_area if r.key]
    chart = ""
    if areas:
        chart = svg.bar_chart_svg(
            [r.label for r in areas],
            [
                svg.BarSeries(_("Disbursements, gross (USD)"), [r.disbursements_gross for r in areas]),
                svg.BarSeries(
                    _("Disbursements, de-duplicated (USD)"), [r.disbursements_dedup for r in areas]
                ),
            ],
            title=_("Funding by focus area: gross and de-duplicated"),
            max_value=1.25 * max([1.0, *(r.disbursements_gross for r in areas)]),  # room for the labels
            number_format=whole_number,
            lang_dir=text_dir(),
            id_prefix="brief-areas",
        )
    return render(
        request,
        "analytics/brief.html",
        {
            "brief": found,
            "chart": chart,
            "projects": [(p, source.activity_url(p.id)) for p in found.projects],
            "rule": brief.RULE,
            "pillars": brief.pillar_rows(found),
        },
    )


@require_safe
def country_brief_pdf(request: HttpRequest, iso3: str) -> HttpResponse:
    found = _brief(iso3)
    response = HttpResponse(brief.render_pdf(found), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="gapbridge-brief-{found.economy.iso3}.pdf"'
    return response

"""Everything about one activity, with codelist names, for the project page and the activity API."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_lazy

from gapbridge.countries import labels
from gapbridge.countries.models import Economy
from gapbridge.iati.errors import UnwritableActivityError
from gapbridge.iati.writer import prepare_for_write
from gapbridge.projects.export import activity_dto
from gapbridge.projects.focus import load_focus_map
from gapbridge.projects.fx import FxStatus
from gapbridge.projects.models import (
    Activity,
    ActivityFacet,
    Finding,
    IndicatorBaseline,
    IndicatorPeriod,
    IndicatorPeriodValue,
    ResultIndicator,
    pick,
)
from gapbridge.projects.money import IMPLAUSIBLE_USD
from gapbridge.web import codelist_names


def code_name(codelist: str, code: str | None) -> str:
    """Name of ``code`` on an IATI codelist in the active language where the official codelist has one
    (French for about 50 lists), else English; '' when unknown."""
    return codelist_names.code_name(codelist, code)


def _f(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def _org(data: dict[str, Any] | None, role: str | None = None) -> dict[str, Any] | None:
    if data is None:
        return None
    narratives = data.get("narratives") or []
    return {
        "ref": data.get("ref"),
        "type": data.get("type"),
        "role": role,
        "activity_id": data.get("activity_id"),
        "name": pick(narratives) or data.get("ref") or "",
        "narratives": [{"text": t, "lang": lang} for t, lang in narratives],
    }


def _narratives(value: Any) -> list[dict[str, Any]]:
    return [{"text": t, "lang": lang} for t, lang in (value or [])]


#: Why a value has no dollar figure, in the reader's language (FxStatus codes).
FX_STATUS_NAMES = {
    FxStatus.NO_VALUE: gettext_lazy("no value"),
    FxStatus.NO_CURRENCY: gettext_lazy("no currency given"),
    FxStatus.NO_DATE: gettext_lazy("no date to pick a rate"),
    FxStatus.NO_RATE: gettext_lazy("no exchange rate for that currency and year"),
}


def _money(row: Any, when: Any = None) -> dict[str, Any]:
    """A value in its currency and in USD; ``when`` is the date whose year's rate applies if the row has no
    value-date."""
    rate_date = row.value_date or when
    return {
        "value": _f(row.value),
        "value_text": row.value_text,
        "currency": row.currency or None,
        "value_date": row.value_date,
        "value_usd": _f(row.value_usd),
        "fx_rate": _f(row.fx_rate),
        "fx_year": rate_date.year if rate_date else None,
        "fx_status": row.fx_status,
        "fx_status_name": str(FX_STATUS_NAMES.get(row.fx_status, row.fx_status or "")),
        "implausible": row.value_usd is not None and abs(row.value_usd) > IMPLAUSIBLE_USD,
    }


def activity_detail(activity: Activity) -> dict[str, Any]:
    a = activity
    focus = load_focus_map()
    names = Economy.objects.filter(iso3__in=[c.iso3 for c in a.recipient_countries.all() if c.iso3]).names()
    transactions = []
    for t in a.transactions.all():
        country = t.recipient_country
        region = t.recipient_region
        transactions.append(
            {
                "type": t.type or None,
                "type_name": code_name("TransactionType", t.type),
                "date": t.date,
                **_money(t, t.date),
                "provider": _org(t.provider_org),
                "receiver": _org(t.receiver_org),
                "recipient_country": country[0] if country else None,
                "recipient_region": region[0] if region else None,
                "sectors": [
                    {"code": s[0], "vocabulary": s[1], "percentage": None, "name": code_name("Sector", s[0])}
                    for s in t.sectors
                ],
                "description": _narratives(t.description),
                "flow_type": t.flow_type or None,
                "finance_type": t.finance_type or None,
                "tied_status": t.tied_status or None,
            }
        )
    indicators = list(ResultIndicator.objects.filter(activity=a).order_by("result_id", "position"))
    baselines = list(IndicatorBaseline.objects.filter(activity=a).order_by("position"))
    periods = list(IndicatorPeriod.objects.filter(activity=a).order_by("position"))
    values = list(IndicatorPeriodValue.objects.filter(activity=a).order_by("position"))
    results = []
    for r in a.results.all():
        result_indicators = []
        for i in (x for x in indicators if x.result_id == r.pk):
            result_indicators.append(
                {
                    "measure": i.measure or None,
                    "title": _narratives(i.title),
                    "ascending": i.ascending,
                    "baselines": [
                        {"year": b.year, "iso_date": b.iso_date, "value": b.value}
                        for b in baselines
                        if b.indicator_id == i.pk
                    ],
                    "periods": [
                        {
                            "start": p.period_start,
                            "end": p.period_end,
                            "targets": [
                                v.value for v in values if v.period_id == p.pk and v.kind == "target"
                            ],
                            "actuals": [
                                v.value for v in values if v.period_id == p.pk and v.kind == "actual"
                            ],
                        }
                        for p in periods
                        if p.indicator_id == i.pk
                    ],
                }
            )
        results.append(
            {
                "type": r.type or None,
                "type_name": code_name("ResultType", r.type),
                "title": _narratives(r.title),
                "description": _narratives(r.description),
                "aggregation_status": r.aggregation_status,
                "indicators": result_indicators,
            }
        )
    focus_areas = sorted(
        ActivityFacet.objects.filter(activity=a, kind=ActivityFacet.Kind.FOCUS_AREA).values_list(
            "value", flat=True
        )
    )
    budget_rows = [
        {
            "type": b.type or None,
            "status": b.status or None,
            "period_start": b.period_start,
            "period_end": b.period_end,
            **_money(b),
        }
        for b in a.budgets.all()
    ]
    planned_rows = [
        {
            "type": p.type or None,
            "status": None,
            "period_start": p.period_start,
            "period_end": p.period_end,
            **_money(p),
        }
        for p in a.planned_disbursements.all()
    ]
    return {
        "id": a.pk,
        "iati_identifier": a.iati_identifier,
        "publisher_ref": a.publisher_ref,
        "title": a.display_title(),
        "activity_status": a.activity_status or None,
        "activity_status_name": code_name("ActivityStatus", a.activity_status),
        "start_date": a.start_date,
        "end_date": a.end_date,
        "default_currency": a.default_currency or None,
        "commitments_usd": _f(a.commitments_usd),
        "disbursements_usd": _f(a.disbursements_usd),
        "expenditure_usd": _f(a.expenditure_usd),
        "unconvertible_transactions": a.unconvertible_transactions,
        "last_updated_datetime": a.last_updated_datetime,
        "is_primary": a.is_primary,
        "version": a.version or None,
        "default_language": a.default_language or None,
        "hierarchy": a.hierarchy,
        "humanitarian": a.humanitarian,
        "titles": _narratives(a.titles),
        "descriptions": [
            {"type": kind, "type_name": code_name("DescriptionType", kind), "narratives": _narratives(n)}
            for kind, n in a.descriptions
        ],
        "reporting_org": _org(a.reporting_org_data),
        "participating_orgs": [
            {
                **(
                    _org(
                        {
                            "ref": p.ref or None,
                            "type": p.type or None,
                            "activity_id": p.activity_ref or None,
                            "narratives": p.narratives,
                        },
                        p.role or None,
                    )
                    or {}
                ),
                "role_name": code_name("OrganisationRole", p.role),
            }
            for p in a.participating_orgs.all()
        ],
        "activity_scope": a.activity_scope or None,
        "collaboration_type": a.collaboration_type or None,
        "default_flow_type": a.default_flow_type or None,
        "default_finance_type": a.default_finance_type or None,
        "default_tied_status": a.default_tied_status or None,
        "activity_dates": [
            {"type": d.type, "type_name": code_name("ActivityDateType", d.type), "iso_date": d.iso_date}
            for d in a.dates.all()
        ],
        "recipient_countries": [
            {
                "code": c.code,
                "iso3": c.iso3 or None,
                "percentage": _f(c.percentage),
                "name": names.get(c.iso3) or pick(c.narratives) or code_name("Country", c.code),
            }
            for c in a.recipient_countries.all()
        ],
        "recipient_regions": [
            {
                "code": r.code,
                "vocabulary": r.vocabulary,
                "percentage": _f(r.percentage),
                "name": pick(r.narratives) or (code_name("Region", r.code) if r.vocabulary == "1" else ""),
            }
            for r in a.recipient_regions.all()
        ],
        "sectors": [
            {
                "code": s.code,
                "vocabulary": s.vocabulary,
                "percentage": _f(s.percentage),
                "name": pick(s.narratives)
                or (code_name("Sector", s.code) if s.vocabulary == "1" else "")
                or (code_name("SectorCategory", s.code) if s.vocabulary == "2" else ""),
                "focus_area": s.focus_area or None,
                "focus_area_name": labels.focus_area_name(s.focus_area, focus.name(s.focus_area))
                if s.focus_area
                else focus.name(s.focus_area),
            }
            for s in a.sectors.all()
        ],
        "focus_areas": focus_areas,
        "focus_area_names": {slug: labels.focus_area_name(slug, focus.name(slug)) for slug in focus_areas},
        "budgets": budget_rows,
        "planned_disbursements": planned_rows,
        "transactions": transactions,
        "results": results,
        "related_activities": [
            {"ref": r.ref, "type": r.type or None, "type_name": code_name("RelatedActivityType", r.type)}
            for r in a.related_activities.all()
        ],
        "policy_markers": [
            {
                "code": m.code,
                "vocabulary": m.vocabulary,
                "significance": m.significance or None,
                "name": code_name("PolicyMarker", m.code) if m.vocabulary == "1" else pick(m.narratives),
            }
            for m in a.policy_markers.all()
        ],
        "tags": [
            {"code": t.code, "vocabulary": t.vocabulary, "name": pick(t.narratives)} for t in a.tags.all()
        ],
        "locations": [
            {
                "ref": loc.ref or None,
                "name": pick(loc.name),
                "latitude": loc.latitude,
                "longitude": loc.longitude,
                "administratives": loc.administratives,
            }
            for loc in a.locations.all()
        ],
        "document_links": [
            {
                "url": dl.url,
                "format": dl.format or None,
                "title": pick(dl.title),
                "categories": dl.categories,
                "languages": dl.languages,
                "document_date": dl.document_date,
            }
            for dl in a.document_links.all()
        ],
        "other_identifiers": [
            {"ref": x.ref, "type": x.type or None, "owner_ref": x.owner_ref or None}
            for x in a.other_identifiers.all()
        ],
        "also_published_by": [
            {"id": other.pk, "publisher_ref": other.publisher_ref, "is_primary": other.is_primary}
            for other in a.same_identifier().order_by("publisher_ref")
        ],
        "findings": [
            {"severity": x.severity, "code": x.code, "message": x.message, "path": x.path, "line": x.line}
            for x in Finding.objects.filter(activity=a).order_by("id")
        ],
    }


def xml_problem(activity: Activity) -> str:
    """Why the activity cannot be written as IATI 2.03 XML (what the schema requires and it lacks); ''
    when it can. The project page then shows the reason instead of a link that would fail. Only the
    writer's check runs, no XML is made."""
    try:
        prepare_for_write(activity_dto(activity))
    except UnwritableActivityError as exc:
        return exc.message
    return ""

"""/api/v1/indicators and /api/v1/groups: the indicator catalogue, observations, and dated group members."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Router, Schema

from gapbridge.api.pagination import csv_response, page
from gapbridge.countries import queries
from gapbridge.countries.models import CountryGroup, Economy, Indicator, Observation

router = Router()


class IndicatorCatalogueOut(Schema):
    code: str
    name: str
    unit: str
    pillar: str
    source: str
    source_url: str
    licence: str
    observations: int


class IndicatorObservationOut(Schema):
    country: str
    year: int
    value: float
    source: str


class IndicatorObservationPageOut(Schema):
    indicator: str
    unit: str
    count: int
    limit: int
    offset: int
    next: str | None
    results: list[IndicatorObservationOut]


class CountryGroupOut(Schema):
    code: str
    name: str  # as the reference data spells it (English): stable, for scripts
    label: str  # the name in the request's language
    kind: str
    source: str
    source_url: str
    as_of: dt.date | None
    description: str


class CountryGroupMembersOut(CountryGroupOut):
    on: dt.date
    members: list[str]


@router.get("/indicators", response=list[IndicatorCatalogueOut], summary="The indicator catalogue")
def indicators(request: HttpRequest) -> list[IndicatorCatalogueOut]:
    from django.db.models import Count

    return [
        IndicatorCatalogueOut(
            code=i.code,
            name=i.name,
            unit=i.unit,
            pillar=i.pillar,
            source=i.source,
            source_url=i.source_url,
            licence=i.licence,
            observations=i.n,
        )
        for i in Indicator.objects.annotate(n=Count("observations"))
    ]


@router.get(
    "/indicators/{code}/observations",
    response=IndicatorObservationPageOut,
    summary="Observations of an indicator",
)
def observations(
    request: HttpRequest,
    code: str,
    country: str = "",
    year_from: int | None = None,
    year_to: int | None = None,
    limit: int = 100,
    offset: int = 0,
    format: str = "json",
) -> HttpResponse | IndicatorObservationPageOut:
    indicator = Indicator.objects.filter(code=code).first()
    if indicator is None:
        raise Indicator.DoesNotExist(_("no indicator %(code)s") % {"code": repr(code)})
    qs = (
        Observation.objects.filter(indicator=indicator)
        .select_related("economy")
        .order_by("economy__iso3", "year")
    )
    if country:
        if not Economy.objects.filter(iso3=country.upper()).exists():
            message = _("country: no economy with ISO3 code %(code)s") % {"code": repr(country)}
            raise queries.QueryError(message)
        qs = qs.filter(economy__iso3=country.upper())
    if year_from is not None:
        qs = qs.filter(year__gte=year_from)
    if year_to is not None:
        qs = qs.filter(year__lte=year_to)
    if format == "csv":
        return csv_response(
            f"{code}.csv",
            ["country", "year", "value", "unit", "source"],
            ([o.economy.iso3, o.year, o.value, indicator.unit, o.source] for o in qs),
        )
    if format != "json":
        raise queries.QueryError(_("format must be json or csv; got %(value)s") % {"value": repr(format)})
    count, items, next_url = page(request, qs, limit, offset)
    return IndicatorObservationPageOut(
        indicator=code,
        unit=indicator.unit,
        count=count,
        limit=limit,
        offset=offset,
        next=next_url,
        results=[
            IndicatorObservationOut(country=o.economy.iso3, year=o.year, value=o.value, source=o.source)
            for o in items
        ],
    )


def _group_out(g: CountryGroup) -> CountryGroupOut:
    return CountryGroupOut(
        code=g.code,
        name=g.name,
        label=g.display_name,
        kind=g.kind,
        source=g.source,
        source_url=g.source_url,
        as_of=g.as_of,
        description=g.description,
    )


@router.get("/groups", response=list[CountryGroupOut], summary="Country groups")
def groups(request: HttpRequest) -> list[CountryGroupOut]:
    return [_group_out(g) for g in CountryGroup.objects.all()]


@router.get("/groups/{code}", response=CountryGroupMembersOut, summary="A group's members on a date")
def group_members(request: HttpRequest, code: str, on: dt.date | None = None) -> CountryGroupMembersOut:
    group = CountryGroup.objects.filter(code=code).first()
    if group is None:
        raise CountryGroup.DoesNotExist(_("no group %(code)s") % {"code": repr(code)})
    on = on or queries.today()
    members = sorted(group.members_on(on).values_list("iso3", flat=True))
    return CountryGroupMembersOut(**_group_out(group).model_dump(), on=on, members=members)

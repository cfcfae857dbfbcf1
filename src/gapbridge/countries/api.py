"""/api/v1/countries: listing with filters, a country's profile, and dated group membership checks."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema

from gapbridge.api.pagination import csv_response, page
from gapbridge.countries import queries
from gapbridge.countries.models import CountryGroup, Economy, GroupMembership
from gapbridge.countries.profile import cached_profile, membership_out, summary_out
from gapbridge.countries.schemas import CountryPageOut, CountryProfileOut, MembershipCheckOut

router = Router()

CSV_HEADER = [
    "iso3",
    "iso2",
    "m49",
    "name",
    "region",
    "sub_region",
    "income_group",
    "overall_score",
    "overall_coverage",
    "rank",
    "population",
]


class CountryFilters(Schema):
    q: str = ""
    region: str = ""
    income_group: str = ""
    group: str = ""
    on: dt.date | None = None
    sort: str = "name"
    limit: int = 50
    offset: int = 0
    format: str = "json"


@router.get(
    "",
    response=CountryPageOut,
    summary="List economies",
    description="Filters: `region` (UN region or sub-region, or World Bank region), `income_group` "
    "(L, LM, UM, H), `group` (e.g. ldc, lldc, sids, wto-member, dco) with membership on "
    "date `on` (default today), `q` (name or code). `format=csv` returns every match as CSV.",
)
def list_countries(request: HttpRequest, filters: Query[CountryFilters]) -> HttpResponse | CountryPageOut:
    qs = queries.economies(
        queries.CountryFilter(
            q=filters.q,
            region=filters.region,
            income_group=filters.income_group,
            group=filters.group,
            on=filters.on,
            sort=filters.sort,
        )
    )
    if filters.format == "csv":
        rows = (summary_out(e) for e in qs)
        return csv_response(
            "countries.csv",
            CSV_HEADER,
            (
                [
                    s.iso3,
                    s.iso2,
                    s.m49,
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
    if filters.format != "json":
        raise queries.QueryError(
            _("format must be json or csv; got %(value)s") % {"value": repr(filters.format)}
        )
    count, items, next_url = page(request, qs, filters.limit, filters.offset)
    return CountryPageOut(
        count=count,
        limit=filters.limit,
        offset=filters.offset,
        next=next_url,
        results=[summary_out(e) for e in items],
    )


@router.get(
    "/{iso3}",
    response=CountryProfileOut,
    summary="A country's profile",
    description="Income group, dated groups, Gap Index pillar scores with coverage, every indicator "
    "value with year and source, data gaps, legal framework, peers further ahead.",
)
def country_profile(request: HttpRequest, iso3: str, on: dt.date | None = None) -> CountryProfileOut:
    try:
        return cached_profile(iso3, on)
    except Economy.DoesNotExist:
        raise Economy.DoesNotExist(_("no economy with ISO3 code %(code)s") % {"code": repr(iso3)}) from None


@router.get(
    "/{iso3}/membership",
    response=MembershipCheckOut,
    summary="Is a country in a group on a date?",
    description="For example `/api/v1/countries/BGD/membership?group=ldc&on=2026-11-25`.",
)
def membership(request: HttpRequest, iso3: str, group: str, on: dt.date | None = None) -> MembershipCheckOut:
    on = on or queries.today()
    economy = Economy.objects.filter(iso3=iso3.upper()).first()
    if economy is None:
        raise Economy.DoesNotExist(_("no economy with ISO3 code %(code)s") % {"code": repr(iso3)})
    if not CountryGroup.objects.filter(code=group).exists():
        raise queries.QueryError(_("unknown group %(code)s") % {"code": repr(group)})
    active = [
        m
        for m in GroupMembership.objects.filter(economy=economy, group__code=group).select_related("group")
        if m.active_on(on)
    ]
    return MembershipCheckOut(
        iso3=economy.iso3,
        group=group,
        on=on,
        member=bool(active),
        membership=membership_out(active[0]) if active else None,
    )

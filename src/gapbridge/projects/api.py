"""/api/v1 endpoints of the registry: activities (cursor-paginated, JSON or IATI XML), the streaming CSV
export, and funding totals. Documented in docs/registry.md."""

from __future__ import annotations

import base64
import binascii
import io
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Query, Router

from gapbridge.countries.models import Economy
from gapbridge.projects import queries
from gapbridge.projects.detail import activity_detail
from gapbridge.projects.export import activity_dto
from gapbridge.projects.models import Activity, ActivityFacet, Sector
from gapbridge.projects.queries import QueryError
from gapbridge.projects.schemas import (
    RegistryActivityDetailOut,
    RegistryActivityFiltersIn,
    RegistryActivityPageOut,
    RegistryFundingIn,
    RegistryFundingOut,
    RegistryFundingRowOut,
    RegistryUnconvertibleOut,
    summary_out,
)
from gapbridge.web import csvsafe

router = Router()
MAX_LIMIT = 500


def _filters(params: RegistryActivityFiltersIn | dict[str, str]) -> queries.ActivityFilter:
    get = params.get if isinstance(params, dict) else lambda k, d="": getattr(params, k, d)
    year = get("year", None)
    return queries.ActivityFilter(
        q=str(get("q", "") or ""),
        country=str(get("country", "") or "").upper(),
        focus_area=str(get("focus_area", "") or ""),
        sector=str(get("sector", "") or ""),
        publisher=str(get("publisher", "") or ""),
        status=str(get("status", "") or ""),
        year=queries.parse_year(year),
        identifier=str(get("identifier", "") or ""),
    )


def _cursor_decode(cursor: str) -> int:
    """The activity id a cursor stands for; only a cursor `_cursor_encode` could have made is accepted."""
    if not cursor:
        return 0
    try:
        text = base64.urlsafe_b64decode(cursor.encode() + b"==").decode("ascii")
    except (ValueError, binascii.Error, UnicodeDecodeError):
        text = ""
    if not (text.isascii() and text.isdigit() and len(text) <= 19 and _cursor_encode(int(text)) == cursor):
        raise QueryError(_("cursor %(cursor)s is not one this API gave out") % {"cursor": repr(cursor)})
    return int(text)


def _cursor_encode(pk: int) -> str:
    return base64.urlsafe_b64encode(str(pk).encode()).decode().rstrip("=")


def _activity_url(request: HttpRequest, pk: int) -> str:
    return request.build_absolute_uri(reverse("projects:activity", args=[pk]))


@router.get(
    "/activities",
    response=RegistryActivityPageOut,
    summary="Search IATI activities",
    description="Filters: `q` (words in titles and descriptions, any language), `country` (ISO3, activity or "
    "transaction level), `focus_area`, `sector` (code, any vocabulary), `publisher` (reporting-org ref), "
    "`status` (ActivityStatus code), `year` (running that year), `identifier`. Cursor pagination: follow "
    "`next` (`limit` up to 500).",
)
def list_activities(
    request: HttpRequest, filters: Query[RegistryActivityFiltersIn]
) -> RegistryActivityPageOut:
    if not 1 <= filters.limit <= MAX_LIMIT:
        raise QueryError(
            _("limit must be between 1 and %(max)s; got %(value)s")
            % {"max": MAX_LIMIT, "value": filters.limit}
        )
    if "offset" in request.GET:
        # a silently ignored offset would hand a script the first page again and again
        raise QueryError(_("offset: activities are paged with a cursor; follow `next` (or pass `cursor`)"))
    qs = queries.activities(_filters(filters))
    count = qs.count()
    after = _cursor_decode(filters.cursor)
    items = list(qs.filter(pk__gt=after).order_by("pk")[: filters.limit + 1])
    next_url = None
    if len(items) > filters.limit:
        items = items[: filters.limit]
        params = request.GET.copy()
        params["cursor"] = _cursor_encode(items[-1].pk)
        next_url = request.build_absolute_uri(f"{request.path}?{params.urlencode()}")
    return RegistryActivityPageOut(
        count=count,
        limit=filters.limit,
        next=next_url,
        results=[summary_out(a, _activity_url(request, a.pk)) for a in items],
    )


def _wants_xml(request: HttpRequest, format: str) -> bool:
    if format:
        if format not in ("json", "xml"):
            raise QueryError(_("format must be json or xml; got %(value)s") % {"value": repr(format)})
        return format == "xml"
    accept = request.headers.get("Accept", "")
    return ("application/xml" in accept or "text/xml" in accept) and "application/json" not in accept


@router.get(
    "/activities/{activity_id}",
    response=RegistryActivityDetailOut,
    summary="One activity, in full (JSON or IATI 2.03 XML)",
    description="Everything stored about the activity, money in its currency and in USD, findings. "
    "`?format=xml` (or `Accept: application/xml`) returns it as an IATI 2.03 activity file.",
)
def get_activity(request: HttpRequest, activity_id: int, format: str = "") -> Any:
    activity = Activity.objects.filter(pk=activity_id).first()
    if activity is None:
        raise Activity.DoesNotExist(_("no activity with id %(id)s") % {"id": activity_id})
    if _wants_xml(request, format):
        from gapbridge.iati.writer import write_activities

        buffer = io.BytesIO()
        write_activities([activity_dto(activity)], buffer)
        return HttpResponse(buffer.getvalue(), content_type="application/xml; charset=utf-8")
    data = activity_detail(activity)
    data["url"] = _activity_url(request, activity.pk)
    return data


#: CSV column -> Activity attribute, or a facet kind (multi-valued, joined with ";")
CSV_FIELDS = {
    "id": "pk",
    "iati_identifier": "iati_identifier",
    "publisher_ref": "publisher_ref",
    "title": "title",
    "activity_status": "activity_status",
    "start_date": "start_date",
    "end_date": "end_date",
    "default_currency": "default_currency",
    "countries": "facet:country",
    "focus_areas": "facet:focus",
    "sectors": "facet:sector",
    "commitments_usd": "commitments_usd",
    "disbursements_usd": "disbursements_usd",
    "expenditure_usd": "expenditure_usd",
    "unconvertible_transactions": "unconvertible_transactions",
    "last_updated_datetime": "last_updated_datetime",
    "is_primary": "is_primary",
}


def _csv_value(name: str, activity: Activity, facets: dict[str, list[str]]) -> Any:
    source = CSV_FIELDS[name]
    if source.startswith("facet:"):
        return ";".join(facets[source.removeprefix("facet:")])
    value = getattr(activity, source)
    return value.isoformat() if hasattr(value, "isoformat") else value


DEFAULT_CSV_FIELDS = (
    "iati_identifier,publisher_ref,title,activity_status,start_date,end_date,countries,focus_areas,sectors,"
    "commitments_usd,disbursements_usd,expenditure_usd"
)
MONEY_FIELDS = {"commitments_usd", "disbursements_usd", "expenditure_usd"}
SECTOR_COLUMNS = ["sector_code", "sector_vocabulary", "sector_percentage", "sector_share"]
CSV_CHUNK = 1000


class _Echo:
    def write(self, value: str) -> str:
        return value


def _csv_rows(qs: Any, fields: list[str], explode: bool) -> Iterator[str]:
    writer = csvsafe.Writer(_Echo())
    header = [*fields, *(SECTOR_COLUMNS if explode else [])]
    yield writer.writerow(header)
    last = 0
    while True:  # keyset pages: memory stays flat whatever the number of activities
        chunk = list(qs.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:CSV_CHUNK])
        if not chunk:
            return
        last = chunk[-1]
        facets: dict[int, dict[str, list[str]]] = {
            pk: {"country": [], "focus": [], "sector": []} for pk in chunk
        }
        for activity_id, kind, value in (
            ActivityFacet.objects.filter(activity_id__in=chunk)
            .values_list("activity_id", "kind", "value")
            .order_by("activity_id", "kind", "value")
        ):
            facets[activity_id][kind].append(value)
        sectors: dict[int, list[Sector]] = {}
        if explode:
            for sector in Sector.objects.filter(activity_id__in=chunk).order_by("activity_id", "position"):
                sectors.setdefault(sector.activity_id, []).append(sector)
        for activity in Activity.objects.filter(pk__in=chunk).order_by("pk"):
            extra = facets[activity.pk]
            values = [_csv_value(name, activity, extra) for name in fields]
            if not explode:
                yield writer.writerow(["" if v is None else v for v in values])
                continue
            own = sectors.get(activity.pk) or []
            shares = _sector_shares(own)
            if not own:
                yield writer.writerow(["" if v is None else v for v in values] + ["", "", "", "1"])
                continue
            for sector, share in zip(own, shares, strict=True):
                row = [
                    (v * share).quantize(Decimal("0.01")) if name in MONEY_FIELDS and v is not None else v
                    for name, v in zip(fields, values, strict=True)
                ]
                yield writer.writerow(
                    ["" if v is None else v for v in row]
                    + [
                        sector.code,
                        sector.vocabulary,
                        sector.percentage if sector.percentage is not None else "",
                        format(share.normalize(), "f"),
                    ]
                )


def _sector_shares(sectors: list[Sector]) -> list[Decimal]:
    """Each sector's share of the activity (percentages normalised per vocabulary; the share of the
    vocabulary the money split uses, see money.py; other vocabularies get 0 so sums stay right)."""
    from gapbridge.projects.money import _weights

    if not sectors:
        return []
    vocabularies = [s.vocabulary for s in sectors]
    chosen = "1" if "1" in vocabularies else "2" if "2" in vocabularies else vocabularies[0]
    chosen_sectors = [s for s in sectors if s.vocabulary == chosen]
    weights, _changed = _weights([s.percentage for s in chosen_sectors])
    by_id = {s.pk: w for s, w in zip(chosen_sectors, weights, strict=True)}
    return [by_id.get(s.pk, Decimal(0)) for s in sectors]


@router.get(
    "/activities.csv",
    summary="All matching activities as CSV (streamed, not paginated)",
    description="Same filters as `/activities`. `fields` chooses columns (comma-separated) from: "
    + ", ".join(CSV_FIELDS)
    + ". One row per activity, multi-valued columns joined with `;`. `explode=sector` gives one row per "
    "activity-level sector with its percentage and share; money columns are then multiplied by the share, "
    "so they still add up.",
)
def activities_csv(
    request: HttpRequest, fields: str = DEFAULT_CSV_FIELDS, explode: str = ""
) -> StreamingHttpResponse:
    # an empty `fields=` (a form left blank) means the default columns
    chosen = [f.strip() for f in (fields or DEFAULT_CSV_FIELDS).split(",") if f.strip()]
    unknown = [f for f in chosen if f not in CSV_FIELDS]
    if unknown or not chosen:
        raise QueryError(
            _("fields: unknown %(unknown)s; choose from %(known)s")
            % {"unknown": ", ".join(unknown) or _("(none given)"), "known": ", ".join(CSV_FIELDS)}
        )
    if explode not in ("", "sector"):
        raise QueryError(_("explode must be empty or 'sector'; got %(value)s") % {"value": repr(explode)})
    qs = queries.activities(_filters({k: str(v) for k, v in request.GET.items()}))
    response = StreamingHttpResponse(
        _csv_rows(qs, chosen, explode == "sector"), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = 'attachment; filename="activities.csv"'
    return response


def _row_out(row: queries.FundingRow, names: dict[str, str]) -> RegistryFundingRowOut:
    key = row.key
    country = key.get("country")
    return RegistryFundingRowOut(
        country=country or None if "country" in key else None,
        country_name=names.get(country or "") or None,
        focus_area=key.get("focus_area") or None,
        provider=key.get("provider") or None,
        provider_name=row.provider_name or None,
        year=key.get("year"),
        region=key.get("region") or None,
        commitments_usd=round(float(row.usd["commitments"]), 2),
        disbursements_usd=round(float(row.usd["disbursements"]), 2),
        expenditure_usd=round(float(row.usd["expenditure"]), 2),
        transactions=row.transactions,
        unconvertible=RegistryUnconvertibleOut(**row.unconvertible.as_dict()),
    )


@router.get(
    "/funding",
    response=RegistryFundingOut,
    summary="Funding totals in USD",
    description="`group_by` any of country, focus_area, provider, year, region (comma-separated). Filters: "
    "`country` (ISO3), `focus_area`, `provider` (provider-org ref or name), `year`, `publisher`, "
    "`transaction_type` (2 commitments, 3 disbursements, 4 expenditure). Values are split by recipient "
    "and sector percentages; a value that cannot be converted to USD is counted under `unconvertible` "
    "in its own currency, never added to the dollars. Copies of one activity published by several "
    "organisations count once. `transactions` counts transaction shares: a transaction split over several "
    "countries, regions or sectors counts once in each share (so it is not a count of distinct "
    "transactions; the money is split, never repeated).",
)
def funding(request: HttpRequest, params: Query[RegistryFundingIn]) -> RegistryFundingOut:
    group_by = queries.parse_group_by(params.group_by)
    types = [t.strip() for t in params.transaction_type.split(",") if t.strip()]
    bad = [t for t in types if t not in queries.FUNDING_TYPES]
    if bad:
        raise QueryError(_("transaction_type: %(bad)s not one of 2, 3, 4") % {"bad": ", ".join(bad)})
    if params.country:
        queries.check_country(params.country)
    result = queries.funding(
        group_by,
        country=params.country,
        focus_area=params.focus_area,
        provider=params.provider,
        year=params.year,
        publisher=params.publisher,
        types=types,
    )
    names: dict[str, str] = {}
    if "country" in group_by:
        codes = {r.key.get("country") for r in result.rows if r.key.get("country")}
        names = Economy.objects.filter(iso3__in=codes).names()
    return RegistryFundingOut(
        group_by=group_by,
        currency="USD",
        source=result.source,
        filters={
            "country": params.country.upper() or None,
            "focus_area": params.focus_area or None,
            "provider": params.provider or None,
            "year": params.year,
            "publisher": params.publisher or None,
            "transaction_type": types,
        },
        totals=_row_out(result.totals(), {}),
        rows=[_row_out(r, names) for r in result.rows],
    )

"""/api/v1 endpoints of the analytics app: the funding cube (gross and de-duplicated), funding against
need with the neglect ranking, the provider × country matrix, concentration, the allocation advisor,
coordination alerts (read; confirm/dismiss with the session) and the country coordination brief.

Every money figure says which it is: ``*_gross_usd`` (everything reported, added up) or ``*_dedup_usd``
(money counted once; rule in docs/analytics.md). ``format=csv`` returns the full table as CSV.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Query, Router

from gapbridge.analytics import advisor, brief, queries, schemas, services
from gapbridge.analytics.models import AlertStatusChange, Basis, CoordinationAlert, Measure
from gapbridge.api.auth import WRITE_AUTH
from gapbridge.api.pagination import csv_response, page
from gapbridge.countries.queries import QueryError
from gapbridge.countries.schemas import headcount

router = Router()

RULE = brief.RULE
UTILITY = "maximise Σ need × population × ln(1 + (existing + new) / (r × population))"


@contextmanager
def _rules() -> Iterator[None]:
    """Errors of the advisor and of alert moves become 400s with their message."""
    try:
        yield
    except (advisor.AdviceError, services.AlertError) as exc:
        raise QueryError(str(exc)) from None


def _format(value: str) -> bool:
    """True for CSV; a 400 for anything but json/csv."""
    if value not in ("json", "csv"):
        raise QueryError(_("format must be json or csv; got %(value)s") % {"value": repr(value)})
    return value == "csv"


def _fresh() -> None:
    services.ensure_fresh()


def _codes(text: str) -> list[str]:
    return [c.strip().upper() for c in text.split(",") if c.strip()]


@router.get(
    "/analytics/funding",
    response=schemas.FundingOut,
    summary="Funding cube, gross and de-duplicated",
    description="Sums of USD by any of `group_by` = country, focus_area, year, provider, measure (comma "
    "separated). Filters: `country` (ISO3, comma separated), `focus_area` (a slug, or `digital` for all "
    "focus areas), `measure` (commitment, disbursement), `year_from`, `year_to`, `provider`. Each cell has "
    "`gross_usd` and `dedup_usd`; values that could not be converted are counted in `unconverted_facts`. "
    "Commitments and disbursements are never added together: without a `measure` filter, cells are split "
    "by measure (`measure` is added to `group_by`), `totals_by_measure` gives each measure's total, and "
    "`gross_total_usd`/`dedup_total_usd` are null unless the cells hold one measure.",
)
def funding(request: HttpRequest, filters: Query[schemas.FundingQuery]) -> HttpResponse | schemas.FundingOut:
    csv = _format(filters.format)
    _fresh()
    group_by = [g.strip() for g in filters.group_by.split(",") if g.strip()]
    if not filters.measure and "measure" not in group_by:
        # Commitments and disbursements are never added together: without one measure, cells split by it.
        group_by.append("measure")
    chosen = queries.FundingFilter(
        iso3=_codes(filters.country),
        focus_area=filters.focus_area,
        measure=filters.measure or None,
        year_from=filters.year_from,
        year_to=filters.year_to,
        provider=filters.provider,
    )
    found = queries.funding_cube(group_by, chosen)
    if csv:
        header = [*group_by, *(["provider_name"] if "provider" in group_by else [])]
        header += ["gross_usd", "dedup_usd", "unconverted_facts"]
        return csv_response("funding.csv", header, ([row.get(h) for h in header] for row in found))
    totals = queries.totals_by_measure(chosen)
    if filters.measure and not totals:
        totals = {filters.measure: {"gross_usd": 0.0, "dedup_usd": 0.0}}
    single = next(iter(totals.values())) if len(totals) == 1 else None
    return schemas.FundingOut(
        group_by=group_by,
        rule=str(RULE),
        totals_by_measure=totals,
        gross_total_usd=single["gross_usd"] if single else None,
        dedup_total_usd=single["dedup_usd"] if single else None,
        results=[schemas.FundingCellOut(**row) for row in found],
    )


def _need_out(row: queries.NeedRow) -> schemas.NeedRowOut:
    return schemas.NeedRowOut(
        neglect_rank=row.neglect_rank,
        country=row.iso3,
        name=row.name,
        focus_area=row.focus_area,
        need=row.need,
        population=headcount(row.population),
        commitments_gross_usd=round(row.commitments_gross, 2),
        commitments_dedup_usd=round(row.commitments_dedup, 2),
        disbursements_gross_usd=round(row.disbursements_gross, 2),
        disbursements_dedup_usd=round(row.disbursements_dedup, 2),
        funding_dedup_usd=round(row.funding, 2),
        per_capita_dedup_usd=row.per_capita,
        fair_share_usd=row.fair_share,
        coverage=row.coverage,
        note=row.note,
    )


NEED_CSV = list(schemas.NeedRowOut.model_fields)


@router.get(
    "/analytics/need",
    response=schemas.NeedOut,
    summary="Funding against need, with the neglect ranking",
    description="Per country (or country × focus area with `by_area=true`, or one `focus_area`): need from "
    "the Gap Index pillars, population, commitments and disbursements (gross and de-duplicated), funding "
    "per person and the neglect rank (1 = most under-funded for its need; see docs/analytics.md). "
    "Filters: `group` (e.g. ldc), `country`, `measure` used for the ranking, `year_from`, `year_to`.",
)
def need(request: HttpRequest, filters: Query[schemas.NeedQuery]) -> HttpResponse | schemas.NeedOut:
    csv = _format(filters.format)
    _fresh()
    table = queries.need_table(
        focus_area=filters.focus_area,
        by_area=filters.by_area,
        group=filters.group,
        iso3=_codes(filters.country) or None,
        measure=filters.measure,
        year_from=filters.year_from,
        year_to=filters.year_to,
    )
    if csv:
        rows = [_need_out(r).model_dump() for r in [*table.rows, *table.excluded]]
        return csv_response("funding-against-need.csv", NEED_CSV, ([r[h] for h in NEED_CSV] for r in rows))
    return schemas.NeedOut(
        measure=table.measure,
        basis=Basis.DEDUPLICATED,
        focus_area=table.focus_area,
        group=table.group,
        total_funding_dedup_usd=round(table.total_funding, 2),
        results=[_need_out(r) for r in table.rows],
        not_ranked=[_need_out(r) for r in table.excluded],
    )


def _matrix_filter(filters: schemas.MatrixQuery) -> queries.FundingFilter:
    from gapbridge.analytics.need import eligible_economies

    iso3 = [e.iso3 for e in eligible_economies(filters.group)] if filters.group else []
    return queries.FundingFilter(
        iso3=iso3,
        focus_area=filters.focus_area,
        measure=filters.measure or None,
        year_from=filters.year_from,
        year_to=filters.year_to,
    )


@router.get(
    "/analytics/providers",
    response=schemas.MatrixOut,
    summary="Provider × country matrix",
    description="Every provider × country cell (USD on `basis` = dedup or gross). Filters as for "
    "/analytics/funding plus `group`.",
)
def providers(request: HttpRequest, filters: Query[schemas.MatrixQuery]) -> HttpResponse | schemas.MatrixOut:
    csv = _format(filters.format)
    _fresh()
    matrix = queries.provider_matrix(_matrix_filter(filters), basis=filters.basis, providers=0, countries=0)
    names = {key: name for key, name, _total in matrix.providers}
    cells = [
        schemas.MatrixCellOut(provider=p, provider_name=names.get(p, p), country=c, value_usd=round(v, 2))
        for (p, c), v in sorted(matrix.cells.items())
        if v
    ]
    if csv:
        header = ["provider", "provider_name", "country", "value_usd"]
        return csv_response(
            f"providers-{filters.basis}.csv", header, ([getattr(c, h) for h in header] for c in cells)
        )
    return schemas.MatrixOut(
        basis=filters.basis, measure=filters.measure, total_usd=round(matrix.total, 2), results=cells
    )


@router.get(
    "/analytics/concentration",
    response=schemas.ConcentrationPageOut,
    summary="Concentration of each country's funding (HHI)",
    description="Herfindahl-Hirschman index of each country's funding over its providers (0–1; 1 = a single "
    "provider), with the number of providers and the largest one's share.",
)
def concentration(
    request: HttpRequest, filters: Query[schemas.MatrixQuery]
) -> HttpResponse | schemas.ConcentrationPageOut:
    csv = _format(filters.format)
    _fresh()
    rows = queries.concentration(_matrix_filter(filters), basis=filters.basis)
    out = [
        schemas.ConcentrationOut(
            country=c.iso3,
            total_usd=round(c.total, 2),
            providers=c.providers,
            hhi=round(c.hhi, 4),
            top_provider=c.top_provider,
            top_share=round(c.top_share, 4),
        )
        for c in rows
    ]
    if csv:
        header = list(schemas.ConcentrationOut.model_fields)
        return csv_response("concentration.csv", header, ([getattr(c, h) for h in header] for c in out))
    return schemas.ConcentrationPageOut(basis=filters.basis, measure=filters.measure, results=out)


def advice_request(filters: schemas.AllocationQuery) -> advisor.AdviceRequest:
    return advisor.AdviceRequest(
        budget=filters.budget,
        focus_area=filters.focus_area,
        group=filters.group,
        iso3=tuple(_codes(filters.country)),
        floor=filters.floor,
        ceiling=filters.ceiling,
        bounds=advisor.parse_bounds(filters.bounds),
        reference_per_capita=filters.reference_per_capita,
        measure=filters.measure or Measure.DISBURSEMENT,
        year_from=filters.year_from,
        year_to=filters.year_to,
        sensitivity=filters.sensitivity,
    )


@router.get(
    "/analytics/allocation",
    response=schemas.AllocationOut,
    summary="Allocation advisor",
    description="The allocation of `budget` (USD) that maximises need-weighted, diminishing-returns benefit "
    "(" + UTILITY + "), solved exactly, with a reason per place and each country's amount if its need "
    "weights were `sensitivity` lower or higher. Eligible: `group`, `country`, `focus_area` (default: "
    "every focus area). Bounds per country: `floor`, `ceiling`, or `bounds=NER:100000:5000000,MLI::2000000`.",
)
def allocation(
    request: HttpRequest, filters: Query[schemas.AllocationQuery]
) -> HttpResponse | schemas.AllocationOut:
    csv = _format(filters.format)
    _fresh()
    with _rules():
        advice = advisor.advise(advice_request(filters))
    if csv:
        return csv_response("allocation.csv", advisor.CSV_HEADER, advisor.csv_rows(advice))
    return schemas.AllocationOut(
        budget=advice.request.budget,
        objective=advice.objective,
        baseline=advice.baseline,
        reference_per_capita=advice.reference_per_capita,
        sensitivity=advice.request.sensitivity,
        utility=UTILITY,
        allocations=[
            schemas.AllocationUnitOut(
                country=u.iso3,
                name=u.name,
                focus_area=u.focus_area,
                amount=u.amount,
                status=u.status,
                reason=u.reason,
                need=u.need,
                population=headcount(u.population),
                existing_dedup_usd=u.existing,
                existing_per_capita=u.existing_per_capita,
                after_per_capita=u.after_per_capita,
                marginal_benefit=u.marginal,
            )
            for u in advice.units
        ],
        countries=[
            schemas.AllocationCountryOut(
                country=c.iso3,
                name=c.name,
                amount=c.amount,
                status=c.status,
                floor=c.floor,
                ceiling=c.ceiling,
                unconstrained=c.unconstrained,
                amount_if_need_lower=c.lower,
                amount_if_need_higher=c.upper,
            )
            for c in advice.countries
        ],
        not_eligible=[_need_out(r) for r in advice.excluded],
    )


def alert_out(alert: CoordinationAlert) -> schemas.AlertOut:
    return schemas.AlertOut(
        id=alert.pk,
        tier=alert.tier,
        score=alert.score,
        text_similarity=alert.text_similarity,
        shared_organisations=list(alert.shared_organisations),
        places=list(alert.places),
        areas=list(alert.areas),
        status=alert.status,
        still_detected=alert.still_detected,
        detected_at=alert.detected_at,
        a=schemas.AlertActivityOut(
            activity_id=alert.a_activity_id,
            identifier=alert.a_identifier,
            publisher=alert.a_publisher,
            title=alert.a_title,
            organization_id=alert.a_organization_id,
        ),
        b=schemas.AlertActivityOut(
            activity_id=alert.b_activity_id,
            identifier=alert.b_identifier,
            publisher=alert.b_publisher,
            title=alert.b_title,
            organization_id=alert.b_organization_id,
        ),
    )


def _change_out(change: AlertStatusChange) -> schemas.AlertChangeOut:
    return schemas.AlertChangeOut(
        from_status=change.from_status,
        to_status=change.to_status,
        at=change.at,
        actor=change.actor_label,
        reason=change.reason,
    )


ALERT_CSV = [
    "id",
    "tier",
    "score",
    "text_similarity",
    "status",
    "places",
    "areas",
    "shared_organisations",
    "a_identifier",
    "a_publisher",
    "a_title",
    "b_identifier",
    "b_publisher",
    "b_title",
]


@router.get(
    "/analytics/alerts",
    response=schemas.AlertPageOut,
    summary="Coordination alerts (possible overlaps)",
    description="Pairs of activities of different publishers that may overlap, strongest evidence first. "
    "Filters: `status` (open, confirmed, dismissed), `tier` (same-identifier, traceability, high-similarity, "
    "possible-overlap), `country`, `organization` (id), `q`, `include_stale`.",
)
def list_alerts(
    request: HttpRequest, filters: Query[schemas.AlertQuery]
) -> HttpResponse | schemas.AlertPageOut:
    csv = _format(filters.format)
    qs = queries.alerts(
        queries.AlertFilter(
            status=filters.status,
            tier=filters.tier,
            country=filters.country,
            organization=filters.organization,
            q=filters.q,
            include_stale=filters.include_stale,
        )
    )
    if csv:

        def row(a: CoordinationAlert) -> list[Any]:
            return [
                a.pk,
                a.tier,
                a.score,
                a.text_similarity,
                a.status,
                " ".join(a.places),
                " ".join(a.areas),
                " ".join(a.shared_organisations),
                a.a_identifier,
                a.a_publisher,
                a.a_title,
                a.b_identifier,
                a.b_publisher,
                a.b_title,
            ]

        return csv_response("alerts.csv", ALERT_CSV, (row(a) for a in qs.iterator()))
    count, items, next_url = page(request, qs, filters.limit, filters.offset)
    return schemas.AlertPageOut(
        count=count,
        limit=filters.limit,
        offset=filters.offset,
        next=next_url,
        results=[alert_out(a) for a in items],
    )


def _detail(alert: CoordinationAlert) -> schemas.AlertDetailOut:
    return schemas.AlertDetailOut(
        **alert_out(alert).model_dump(), history=[_change_out(c) for c in alert.history.all()]
    )


@router.get("/analytics/alerts/{alert_id}", response=schemas.AlertDetailOut, summary="A coordination alert")
def alert_detail(request: HttpRequest, alert_id: int) -> schemas.AlertDetailOut:
    return _detail(CoordinationAlert.objects.get(pk=alert_id))


@router.post(
    "/analytics/alerts/{alert_id}/status",
    response=schemas.AlertDetailOut,
    auth=WRITE_AUTH,
    summary="Confirm, dismiss or reopen an alert",
    description="`status`: confirmed or dismissed (the secretariat or an editor of either organisation "
    "involved), or open (the secretariat). `reason` is required and kept in the history.",
)
def alert_status(
    request: HttpRequest, alert_id: int, payload: schemas.AlertStatusIn
) -> schemas.AlertDetailOut:
    with _rules():
        alert = services.set_alert_status(request.user, alert_id, payload.status, payload.reason)
    return _detail(alert)


@router.get(
    "/analytics/countries/{iso3}/brief",
    response=schemas.BriefOut,
    summary="Country coordination brief",
    description="Gap profile, funding by focus area and by provider (gross and de-duplicated), "
    "concentration, active projects, overlap alerts, and open needs, matches and barriers where those "
    "exist. The same brief as a page: /analytics/countries/{iso3}/; as PDF: "
    "/analytics/countries/{iso3}/brief.pdf.",
)
def country_brief(request: HttpRequest, iso3: str) -> schemas.BriefOut:
    _fresh()
    found = brief.build(iso3)
    c = found.concentration
    return schemas.BriefOut(
        country=found.economy.iso3,
        name=found.economy.name,
        population=headcount(found.economy.latest_population),
        gap_index={
            "overall": found.overall,
            "rank": found.rank,
            "scored_countries": found.scored_countries,
            "pillars": [
                {
                    "pillar": p.pillar,
                    "name": p.name,
                    "score": p.score,
                    "rank": p.rank,
                    "scored_countries": found.pillar_scored.get(p.pillar, 0),
                    "status": p.status,
                }
                for p in found.pillars
            ],
        },
        funding_by_area=[r.as_dict() for r in [*found.by_area, found.total]],
        funding_by_provider=[r.as_dict() for r in found.by_provider],
        concentration=None
        if c is None
        else {
            "hhi": round(c.hhi, 4),
            "providers": c.providers,
            "top_provider": c.top_provider,
            "top_share": c.top_share,
        },
        active_projects={
            "year": found.year,
            "total": found.projects_total,
            "shown": [
                {
                    "activity_id": p.id,
                    "identifier": p.identifier,
                    "publisher": p.publisher,
                    "title": p.title,
                    "start": p.start.isoformat() if p.start else None,
                    "end": p.end.isoformat() if p.end else None,
                }
                for p in found.projects
            ],
        },
        alerts=[alert_out(a) for a in found.alerts],
        sections={key: s.items for key, s in found.sections.items()},
        not_included=found.not_included,
        rule=str(RULE),
    )

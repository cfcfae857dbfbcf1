"""/api/v1 endpoints for pledges and their fulfilment, and for project results and their roll-ups."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status

from gapbridge.api.auth import WRITE_AUTH
from gapbridge.api.pagination import csv_response, page
from gapbridge.countries.queries import QueryError
from gapbridge.domain.results import IndicatorProgress, Rollup
from gapbridge.pledges import queries, results, schemas, services
from gapbridge.pledges.models import PledgeActivity, PledgeFlow
from gapbridge.projects.models import Activity

router = Router()

PLEDGE_CSV = [
    "id",
    "provider",
    "provider_ref",
    "title",
    "status",
    "period_start",
    "period_end",
    "amount",
    "currency",
    "pledged_usd",
    "fx_rate",
    "fx_year",
    "committed_usd",
    "disbursed_usd",
    "committed_pct",
    "disbursed_pct",
    "unconverted_flows",
    "focus_areas",
    "target_countries",
    "target_groups",
]


@contextmanager
def _rules() -> Iterator[None]:
    try:
        yield
    except services.PledgeError as exc:
        raise QueryError(str(exc)) from None


def pledge_csv_row(f: queries.PledgeFigures) -> list[Any]:
    p, t = f.pledge, f.totals
    return [
        p.pk,
        p.provider.name,
        p.provider.iati_ref or "",
        p.title,
        p.status,
        p.period_start,
        p.period_end,
        p.amount,
        p.currency,
        p.amount_usd,
        p.fx_rate,
        p.fx_year,
        t.committed_usd,
        t.disbursed_usd,
        round(t.committed_pct, 2) if t.committed_pct is not None else None,
        round(t.disbursed_pct, 2) if t.disbursed_pct is not None else None,
        t.unconverted_flows,
        ";".join(p.focus_areas),
        ";".join(sorted(e.iso3 for e in p.target_countries.all())),
        ";".join(sorted(g.code for g in p.target_groups.all())),
    ]


@router.get(
    "/pledges",
    response=schemas.PledgePageOut,
    summary="Pledges and their fulfilment",
    description="Announced, completed and withdrawn pledges (editors also see their drafts), each with "
    "pledged, "
    "committed and disbursed US dollars, the rate used, fulfilment in percent and by year. Filters: "
    "`provider` (organization id or IATI ref), `country` (ISO3, directly or through a target group), "
    "`status`, `focus_area`; `limit`, `offset`; `format=csv` returns every matching pledge.",
)
def list_pledges(
    request: HttpRequest,
    provider: str = "",
    country: str = "",
    status: str = "",
    focus_area: str = "",
    format: str = "json",
    limit: int = 50,
    offset: int = 0,
) -> HttpResponse | schemas.PledgePageOut:
    qs = queries.pledges(
        request.user, provider=provider, country=country, status=status, focus_area=focus_area
    )
    if format == "csv":
        return csv_response("pledges.csv", PLEDGE_CSV, (pledge_csv_row(queries.figures(p)) for p in qs))
    if format != "json":
        raise QueryError(_("format must be json or csv; got %(value)s") % {"value": repr(format)})
    count, pledges, next_url = page(request, qs, limit, offset)
    return schemas.PledgePageOut(
        count=count,
        limit=limit,
        offset=offset,
        next=next_url,
        results=[schemas.pledge_out(queries.figures(p)) for p in pledges],
    )


def _detail(request: HttpRequest, pledge_id: int) -> schemas.PledgeDetailOut:
    f = queries.figures(queries.get_visible(request.user, pledge_id))
    base = schemas.pledge_out(f)
    links = PledgeActivity.objects.filter(pledge=f.pledge).select_related("activity")
    return schemas.PledgeDetailOut(
        **base.model_dump(),
        flows=[schemas.flow_out(x) for x in f.flows],
        history=[schemas.history_out(h) for h in f.pledge.history.all()],
        activities=[schemas.activity_out(x) for x in links],
    )


@router.get(
    "/pledges/{pledge_id}", response=schemas.PledgeDetailOut, summary="A pledge with its money and history"
)
def pledge_detail(request: HttpRequest, pledge_id: int) -> schemas.PledgeDetailOut:
    return _detail(request, pledge_id)


@router.get(
    "/pledge-providers",
    response=list[schemas.ProviderOut],
    summary="Fulfilment per provider",
    description="Per provider, over its pledges that are not withdrawn: pledged, committed and disbursed US "
    "dollars, fulfilment in percent, and by year.",
)
def providers(request: HttpRequest) -> list[schemas.ProviderOut]:
    items = [queries.figures(p) for p in queries.pledges(request.user)]
    return [schemas.provider_out(p) for p in queries.by_provider(items)]


@router.post("/pledges", response={201: schemas.PledgeDetailOut}, auth=WRITE_AUTH, summary="Record a pledge")
def create(request: HttpRequest, payload: schemas.PledgeIn) -> Status[schemas.PledgeDetailOut]:
    with _rules():
        pledge = services.create_pledge(request.user, **payload.model_dump())
    return Status(201, _detail(request, pledge.pk))


@router.patch(
    "/pledges/{pledge_id}", response=schemas.PledgeDetailOut, auth=WRITE_AUTH, summary="Edit a pledge"
)
def edit(request: HttpRequest, pledge_id: int, payload: schemas.PledgePatchIn) -> schemas.PledgeDetailOut:
    with _rules():
        services.update_pledge(request.user, pledge_id, **payload.model_dump(exclude_unset=True))
    return _detail(request, pledge_id)


@router.post(
    "/pledges/{pledge_id}/transitions",
    response=schemas.PledgeDetailOut,
    auth=WRITE_AUTH,
    summary="Announce, complete or withdraw a pledge",
)
def transition(
    request: HttpRequest, pledge_id: int, payload: schemas.TransitionIn
) -> schemas.PledgeDetailOut:
    with _rules():
        services.change_status(request.user, pledge_id, payload.to, payload.reason)
    return _detail(request, pledge_id)


@router.post(
    "/pledges/{pledge_id}/flows",
    response={201: schemas.FlowOut},
    auth=WRITE_AUTH,
    summary="Add a commitment or disbursement by hand",
)
def add_flow(request: HttpRequest, pledge_id: int, payload: schemas.FlowIn) -> Status[schemas.FlowOut]:
    with _rules():
        flow = services.add_flow(request.user, pledge_id, **payload.model_dump())
    return Status(201, schemas.flow_out(flow))


@router.delete(
    "/pledges/{pledge_id}/flows/{flow_id}", response={204: None}, auth=WRITE_AUTH, summary="Remove a flow"
)
def remove_flow(request: HttpRequest, pledge_id: int, flow_id: int) -> Status[None]:
    PledgeFlow.objects.get(pk=flow_id, pledge_id=pledge_id)
    with _rules():
        services.remove_flow(request.user, flow_id)
    return Status(204, None)


@router.post(
    "/pledges/{pledge_id}/activities",
    response={201: schemas.PledgeDetailOut},
    auth=WRITE_AUTH,
    summary="Count an IATI activity's commitments and disbursements toward a pledge",
)
def link_activity(
    request: HttpRequest, pledge_id: int, payload: schemas.ActivityLinkIn
) -> Status[schemas.PledgeDetailOut]:
    with _rules():
        services.link_activity(request.user, pledge_id, payload.activity_id)
    return Status(201, _detail(request, pledge_id))


@router.delete(
    "/pledges/{pledge_id}/activities/{link_id}",
    response={204: None},
    auth=WRITE_AUTH,
    summary="Stop counting an activity toward a pledge",
)
def unlink_activity(request: HttpRequest, pledge_id: int, link_id: int) -> Status[None]:
    PledgeActivity.objects.get(pk=link_id, pledge_id=pledge_id)
    services.unlink_activity(request.user, link_id)
    return Status(204, None)


# --- Results ----------------------------------------------------------------------------------------------


class PeriodOut(Schema):
    start: str | None
    end: str | None
    targets: list[str]
    actuals: list[str]
    target: Decimal | None
    actual: Decimal | None
    progress: float | None
    note: str


class IndicatorOut(Schema):
    title: str
    measure: str | None
    measure_label: str
    ascending: bool | None
    baseline: Decimal | None
    baseline_year: int | None
    latest_actual: Decimal | None
    final_target: Decimal | None
    progress: float | None
    unit: str | None
    not_comparable: str
    periods: list[PeriodOut]


class ResultOut(Schema):
    title: str
    type: str
    indicators: list[IndicatorOut]


class ProjectResultsOut(Schema):
    activity_id: int
    iati_identifier: str
    title: str
    results: list[ResultOut]


def _indicator_out(row: results.IndicatorRow) -> IndicatorOut:
    p: IndicatorProgress = row.progress
    return IndicatorOut(
        title=row.title,
        measure=row.measure,
        measure_label=row.measure_label,
        ascending=row.ascending,
        baseline=p.baseline,
        baseline_year=p.baseline_year,
        latest_actual=p.latest_actual,
        final_target=p.final_target,
        progress=round(p.progress, 4) if p.progress is not None else None,
        unit=row.key.unit if row.key else None,
        not_comparable=row.not_comparable,
        periods=[
            PeriodOut(
                start=x.start.isoformat() if x.start else None,
                end=x.end.isoformat() if x.end else None,
                targets=list(x.targets),
                actuals=list(x.actuals),
                target=x.target,
                actual=x.actual,
                progress=round(x.progress, 4) if x.progress is not None else None,
                note=x.note,
            )
            for x in p.periods
        ],
    )


@router.get(
    "/results/activities/{activity_id}",
    response=ProjectResultsOut,
    summary="A project's results",
    description="Per indicator: baseline, targets and actuals per period, progress from baseline to target, "
    "and whether it can be combined with other projects' indicators (same measure and unit).",
)
def project_results(request: HttpRequest, activity_id: int) -> ProjectResultsOut:
    activity = Activity.objects.get(pk=activity_id)
    rows = results.project_results(activity)
    return ProjectResultsOut(
        activity_id=activity.pk,
        iati_identifier=activity.iati_identifier,
        title=activity.display_title(),
        results=[
            ResultOut(title=r.title, type=r.type, indicators=[_indicator_out(i) for i in r.indicators])
            for r in rows
        ],
    )


class RollupOut(Schema):
    group: str
    measure: str
    unit: str
    label: str
    projects: int
    with_actual: int
    actual_sum: Decimal | None
    target_sum: Decimal | None
    progress: float | None
    actual_mean: Decimal | None
    actual_min: Decimal | None
    actual_max: Decimal | None
    latest_period_end: str | None


class RollupReportOut(Schema):
    by: str
    note: str
    rollups: list[RollupOut]
    excluded: int
    excluded_reasons: dict[str, int]


def rollup_out(r: Rollup) -> RollupOut:
    return RollupOut(
        group=r.group,
        measure=r.key.measure,
        unit=r.key.unit,
        label=r.label,
        projects=r.projects,
        with_actual=r.with_actual,
        actual_sum=r.actual_sum,
        target_sum=r.target_sum,
        progress=round(r.progress, 4) if r.progress is not None else None,
        actual_mean=r.actual_mean.quantize(Decimal("0.01")) if r.actual_mean is not None else None,
        actual_min=r.actual_min,
        actual_max=r.actual_max,
        latest_period_end=r.latest_period_end.isoformat() if r.latest_period_end else None,
    )


@router.get(
    "/results/rollup",
    response=RollupReportOut,
    summary="Results rolled up by country or focus area",
    description="`by=country` or `by=focus_area`; optional `country` (ISO3) and `focus_area`. Counts of "
    "the same "
    "unit are summed, percentages averaged (never summed); incomparable indicators are counted by reason.",
)
def results_rollup(
    request: HttpRequest, by: str = "country", country: str = "", focus_area: str = ""
) -> RollupReportOut:
    if by not in ("country", "focus_area"):
        raise QueryError(_("by must be country or focus_area; got %(value)s") % {"value": repr(by)})
    report = results.rollup(by, country=country, focus_area=focus_area)
    return RollupReportOut(
        by=by,
        note=report.note,
        rollups=[rollup_out(r) for r in report.rollups],
        excluded=len(report.excluded),
        excluded_reasons=report.reasons,
    )

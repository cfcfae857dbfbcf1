"""Read side of pledges: who sees which, and the accountability figures per pledge and per provider."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from gapbridge.accounts.permissions import Actor, is_secretariat, organization_ids
from gapbridge.api.limits import check_query_integer
from gapbridge.countries.queries import QueryError
from gapbridge.organizations.models import Organization
from gapbridge.pledges import fulfilment
from gapbridge.pledges.models import PUBLIC_STATUSES, Pledge, PledgeFlow, PledgeQuerySet, PledgeStatus


def visible(actor: Actor) -> PledgeQuerySet:
    qs: PledgeQuerySet = Pledge.objects.all()
    if is_secretariat(actor):
        return qs
    own = organization_ids(actor)
    return qs.filter(Q(status__in=PUBLIC_STATUSES) | Q(provider_id__in=own))


def pledges(
    actor: Actor, *, provider: str = "", country: str = "", status: str = "", focus_area: str = ""
) -> PledgeQuerySet:
    qs = (
        visible(actor)
        .select_related("provider")
        .prefetch_related(
            Prefetch("flows", queryset=PledgeFlow.objects.order_by("date", "id")),
            "target_countries",
            "target_groups",
        )
    )
    if provider.isdecimal():
        qs = qs.filter(provider_id=check_query_integer("provider", provider, minimum=0))
    elif provider:
        qs = qs.filter(provider__iati_ref=provider)
    if country:
        qs = qs.filter(
            Q(target_countries__iso3=country.upper())
            | Q(target_groups__memberships__economy__iso3=country.upper())
        ).distinct()
    if status:
        if status not in PledgeStatus.values:
            raise QueryError(_("status: unknown pledge status %(status)s") % {"status": repr(status)})
        qs = qs.filter(status=status)
    if focus_area:
        qs = qs.filter(focus_areas__icontains=f'"{focus_area}"')
    return qs


def get_visible(actor: Actor, pledge_id: int) -> Pledge:
    try:
        return pledges(actor).get(pk=pledge_id)
    except Pledge.DoesNotExist:
        raise Pledge.DoesNotExist(_("no pledge #%(id)s") % {"id": pledge_id}) from None


def _flows(pledge: Pledge) -> list[fulfilment.FlowIn]:
    return [fulfilment.FlowIn(f.kind, f.date, f.amount_usd) for f in pledge.flows.all()]


def _last_year(first: int, end_year: int, flows: list[fulfilment.FlowIn]) -> int:
    this_year = timezone.localdate().year
    latest_flow = max((f.on.year for f in flows), default=first)
    return max(first, min(this_year, max(end_year, latest_flow)))


@dataclass(frozen=True)
class PledgeFigures:
    pledge: Pledge
    totals: fulfilment.Totals
    series: list[fulfilment.YearPoint]
    flows: list[PledgeFlow]


def figures(pledge: Pledge) -> PledgeFigures:
    flows = _flows(pledge)
    first = pledge.period_start.year
    last = _last_year(first, pledge.period_end.year, flows)
    return PledgeFigures(
        pledge=pledge,
        totals=fulfilment.totals(pledge.amount_usd, flows),
        series=fulfilment.by_year(pledge.amount_usd, flows, first, last),
        flows=list(pledge.flows.all()),
    )


@dataclass(frozen=True)
class ProviderFigures:
    provider: Organization
    pledges: int
    pledged_usd: Decimal
    unconverted_pledges: int
    totals: fulfilment.Totals
    series: list[fulfilment.YearPoint]


def by_provider(items: list[PledgeFigures]) -> list[ProviderFigures]:
    """Totals per provider over its pledges that are not withdrawn (those are shown, not summed)."""
    groups: dict[int, list[PledgeFigures]] = {}
    for item in items:
        if item.pledge.status == PledgeStatus.WITHDRAWN:
            continue
        groups.setdefault(item.pledge.provider_id, []).append(item)
    out = []
    for members in groups.values():
        converted = [m.pledge.amount_usd for m in members if m.pledge.amount_usd is not None]
        pledged = sum(converted, Decimal(0))
        # A pledge that could not be converted has no dollar amount, so its money is left out too:
        # otherwise the percentage would compare money against a pledge total that lacks it.
        flows = [f for m in members if m.pledge.amount_usd is not None for f in _flows(m.pledge)]
        first = min(m.pledge.period_start.year for m in members)
        last = max(_last_year(first, m.pledge.period_end.year, _flows(m.pledge)) for m in members)
        totals = fulfilment.totals(pledged if converted else None, flows)
        out.append(
            ProviderFigures(
                provider=members[0].pledge.provider,
                pledges=len(members),
                pledged_usd=pledged,
                unconverted_pledges=len(members) - len(converted),
                totals=totals,
                series=fulfilment.by_year(pledged if converted else None, flows, first, last),
            )
        )
    out.sort(key=lambda p: (-p.pledged_usd, p.provider.name))
    return out

"""API schemas of pledges and results (In and Out kept apart)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, Field

from gapbridge.api import limits
from gapbridge.audit.public import public_actor
from gapbridge.pledges import fulfilment
from gapbridge.pledges.models import Pledge, PledgeActivity, PledgeFlow, PledgeStatusChange
from gapbridge.pledges.queries import PledgeFigures, ProviderFigures

#: Amounts as their columns hold them: anything else is refused, naming the field and the limit.
Amount = Annotated[Decimal, limits.amount_in(Pledge, "amount")]
FlowAmount = Annotated[Decimal, limits.amount_in(PledgeFlow, "amount")]


class Schema(BaseModel):
    pass


class MoneyOut(Schema):
    amount: Decimal
    currency: str
    amount_usd: Decimal | None = Field(description="null when it could not be converted (see fx_status)")
    fx_rate: Decimal | None = Field(description="units of the currency per US dollar")
    fx_year: int | None
    fx_status: str
    fx_source: str = ""


class YearOut(Schema):
    year: int
    committed_usd: Decimal
    disbursed_usd: Decimal
    committed_pct: float | None
    disbursed_pct: float | None


class FulfilmentOut(Schema):
    pledged_usd: Decimal | None
    committed_usd: Decimal
    disbursed_usd: Decimal
    committed_pct: float | None
    disbursed_pct: float | None
    unconverted_flows: int


class PledgeOut(Schema):
    id: int
    provider: str
    provider_id: int
    provider_ref: str | None
    title: str
    description: str
    pledged: MoneyOut
    period_start: dt.date
    period_end: dt.date
    announced_on: dt.date | None
    source_url: str
    focus_areas: list[str]
    target_countries: list[str]
    target_groups: list[str]
    status: str
    fulfilment: FulfilmentOut
    by_year: list[YearOut]


class PledgePageOut(Schema):
    count: int
    limit: int
    offset: int
    next: str | None
    results: list[PledgeOut]


class FlowOut(Schema):
    id: int
    kind: str
    date: dt.date
    value_date: dt.date | None
    money: MoneyOut
    origin: str
    iati_identifier: str
    transaction_type: str
    note: str


class HistoryOut(Schema):
    from_status: str
    to_status: str
    at: dt.datetime
    by: str
    reason: str


class LinkedActivityOut(Schema):
    id: int
    activity_id: int
    iati_identifier: str
    title: str
    synced_at: dt.datetime | None


class PledgeDetailOut(PledgeOut):
    flows: list[FlowOut]
    history: list[HistoryOut]
    activities: list[LinkedActivityOut]


class ProviderOut(Schema):
    provider_id: int
    provider: str
    provider_ref: str | None
    pledges: int
    unconverted_pledges: int
    fulfilment: FulfilmentOut
    by_year: list[YearOut]


class PledgeIn(Schema):
    provider: int = Field(description="organization id")
    title: str = Field(max_length=300)
    description: str = ""
    amount: Amount = Field(gt=0)
    currency: str = Field(min_length=3, max_length=3)
    period_start: dt.date
    period_end: dt.date
    announced_on: dt.date | None = None
    source_url: str = ""
    focus_areas: list[str] = []
    target_countries: list[str] = Field([], description="ISO3 codes")
    target_groups: list[str] = Field([], description="country group codes, e.g. ldc")


class PledgePatchIn(Schema):
    title: str | None = Field(None, max_length=300)
    description: str | None = None
    amount: Amount | None = Field(None, gt=0)
    currency: str | None = Field(None, min_length=3, max_length=3)
    period_start: dt.date | None = None
    period_end: dt.date | None = None
    announced_on: dt.date | None = None
    source_url: str | None = None
    focus_areas: list[str] | None = None
    target_countries: list[str] | None = None
    target_groups: list[str] | None = None


class TransitionIn(Schema):
    to: str
    reason: str


class FlowIn(Schema):
    kind: str = Field(description="commitment or disbursement")
    amount: FlowAmount = Field(gt=0)
    currency: str = Field(min_length=3, max_length=3)
    date: dt.date
    value_date: dt.date | None = None
    note: str = ""


class ActivityLinkIn(Schema):
    activity_id: int = Field(description="the registry's activity id")


def money_out(obj: Pledge | PledgeFlow) -> MoneyOut:
    return MoneyOut(
        amount=obj.amount,
        currency=obj.currency,
        amount_usd=obj.amount_usd,
        fx_rate=obj.fx_rate,
        fx_year=obj.fx_year,
        fx_status=obj.fx_status,
        fx_source=obj.fx_source,
    )


def fulfilment_out(t: fulfilment.Totals) -> FulfilmentOut:
    return FulfilmentOut(
        pledged_usd=t.pledged_usd,
        committed_usd=t.committed_usd,
        disbursed_usd=t.disbursed_usd,
        committed_pct=round(t.committed_pct, 2) if t.committed_pct is not None else None,
        disbursed_pct=round(t.disbursed_pct, 2) if t.disbursed_pct is not None else None,
        unconverted_flows=t.unconverted_flows,
    )


def year_out(p: fulfilment.YearPoint) -> YearOut:
    return YearOut(
        year=p.year,
        committed_usd=p.committed_usd,
        disbursed_usd=p.disbursed_usd,
        committed_pct=round(p.committed_pct, 2) if p.committed_pct is not None else None,
        disbursed_pct=round(p.disbursed_pct, 2) if p.disbursed_pct is not None else None,
    )


def pledge_out(f: PledgeFigures) -> PledgeOut:
    p = f.pledge
    return PledgeOut(
        id=p.pk,
        provider=p.provider.name,
        provider_id=p.provider_id,
        provider_ref=p.provider.iati_ref,
        title=p.title,
        description=p.description,
        pledged=money_out(p),
        period_start=p.period_start,
        period_end=p.period_end,
        announced_on=p.announced_on,
        source_url=p.source_url,
        focus_areas=list(p.focus_areas),
        target_countries=sorted(e.iso3 for e in p.target_countries.all()),
        target_groups=sorted(g.code for g in p.target_groups.all()),
        status=p.status,
        fulfilment=fulfilment_out(f.totals),
        by_year=[year_out(y) for y in f.series],
    )


def flow_out(f: PledgeFlow) -> FlowOut:
    return FlowOut(
        id=f.pk,
        kind=f.kind,
        date=f.date,
        value_date=f.value_date,
        money=money_out(f),
        origin=f.origin,
        iati_identifier=f.iati_identifier,
        transaction_type=f.transaction_type,
        note=f.note,
    )


def history_out(h: PledgeStatusChange) -> HistoryOut:
    return HistoryOut(
        from_status=h.from_status,
        to_status=h.to_status,
        at=h.at,
        by=public_actor(h.actor_id),
        reason=h.reason,
    )


def activity_out(link: PledgeActivity) -> LinkedActivityOut:
    return LinkedActivityOut(
        id=link.pk,
        activity_id=link.activity_id,
        iati_identifier=link.activity.iati_identifier,
        title=link.activity.display_title(),
        synced_at=link.synced_at,
    )


def provider_out(p: ProviderFigures) -> ProviderOut:
    return ProviderOut(
        provider_id=p.provider.pk,
        provider=p.provider.name,
        provider_ref=p.provider.iati_ref,
        pledges=p.pledges,
        unconverted_pledges=p.unconverted_pledges,
        fulfilment=fulfilment_out(p.totals),
        by_year=[year_out(y) for y in p.series],
    )

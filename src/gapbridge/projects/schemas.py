"""API schemas of the registry (separate In and Out schemas) and the mapping from models to them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from ninja import Schema

from gapbridge.projects.models import Activity


class RegistryNarrativeOut(Schema):
    text: str
    lang: str | None


class RegistryActivityFiltersIn(Schema):
    q: str = ""
    country: str = ""
    focus_area: str = ""
    sector: str = ""
    publisher: str = ""
    status: str = ""
    year: int | None = None
    identifier: str = ""
    limit: int = 50
    cursor: str = ""


class RegistryActivitySummaryOut(Schema):
    id: int
    iati_identifier: str
    publisher_ref: str
    title: str
    activity_status: str | None
    start_date: dt.date | None
    end_date: dt.date | None
    default_currency: str | None
    commitments_usd: float | None
    disbursements_usd: float | None
    expenditure_usd: float | None
    unconvertible_transactions: int
    last_updated_datetime: dt.datetime | None
    is_primary: bool
    url: str


class RegistryActivityPageOut(Schema):
    count: int
    limit: int
    next: str | None
    results: list[RegistryActivitySummaryOut]


class RegistryOrgOut(Schema):
    ref: str | None
    type: str | None
    role: str | None = None
    activity_id: str | None = None
    name: str
    narratives: list[RegistryNarrativeOut]


class RegistryShareOut(Schema):
    code: str
    vocabulary: str | None = None
    percentage: float | None
    name: str | None = None
    focus_area: str | None = None


class RegistryTransactionOut(Schema):
    type: str | None
    date: dt.date | None
    value: float | None
    #: the value exactly as published (``value`` is a JSON number, which may round the last digits)
    value_text: str | None
    currency: str | None
    value_date: dt.date | None
    value_usd: float | None
    fx_rate: float | None
    fx_status: str
    provider: RegistryOrgOut | None
    receiver: RegistryOrgOut | None
    recipient_country: str | None
    recipient_region: str | None
    sectors: list[RegistryShareOut]
    description: list[RegistryNarrativeOut]
    flow_type: str | None
    finance_type: str | None
    tied_status: str | None


class RegistryBudgetOut(Schema):
    type: str | None
    status: str | None
    period_start: dt.date | None
    period_end: dt.date | None
    value: float | None
    value_text: str | None
    currency: str | None
    value_date: dt.date | None
    value_usd: float | None
    fx_status: str


class RegistryPeriodOut(Schema):
    start: dt.date | None
    end: dt.date | None
    targets: list[str | None]
    actuals: list[str | None]


class RegistryIndicatorOut(Schema):
    measure: str | None
    title: list[RegistryNarrativeOut]
    ascending: bool | None
    baselines: list[dict[str, Any]]
    periods: list[RegistryPeriodOut]


class RegistryResultOut(Schema):
    type: str | None
    title: list[RegistryNarrativeOut]
    description: list[RegistryNarrativeOut]
    aggregation_status: bool | None
    indicators: list[RegistryIndicatorOut]


class RegistryFindingOut(Schema):
    severity: str
    code: str
    message: str
    path: str
    line: int | None


class RegistryActivityDetailOut(RegistryActivitySummaryOut):
    version: str | None
    default_language: str | None
    hierarchy: int | None
    humanitarian: bool | None
    titles: list[RegistryNarrativeOut]
    descriptions: list[dict[str, Any]]
    reporting_org: RegistryOrgOut | None
    participating_orgs: list[RegistryOrgOut]
    activity_scope: str | None
    collaboration_type: str | None
    default_flow_type: str | None
    default_finance_type: str | None
    default_tied_status: str | None
    activity_dates: list[dict[str, Any]]
    recipient_countries: list[RegistryShareOut]
    recipient_regions: list[RegistryShareOut]
    sectors: list[RegistryShareOut]
    focus_areas: list[str]
    budgets: list[RegistryBudgetOut]
    planned_disbursements: list[RegistryBudgetOut]
    transactions: list[RegistryTransactionOut]
    results: list[RegistryResultOut]
    related_activities: list[dict[str, Any]]
    policy_markers: list[dict[str, Any]]
    tags: list[dict[str, Any]]
    locations: list[dict[str, Any]]
    document_links: list[dict[str, Any]]
    other_identifiers: list[dict[str, Any]]
    also_published_by: list[dict[str, Any]]
    findings: list[RegistryFindingOut]


class RegistryFundingIn(Schema):
    group_by: str = "country"
    country: str = ""
    focus_area: str = ""
    provider: str = ""
    year: int | None = None
    publisher: str = ""
    transaction_type: str = "2,3,4"


class RegistryUnconvertibleOut(Schema):
    transactions: int
    values: list[dict[str, Any]]


class RegistryFundingRowOut(Schema):
    country: str | None = None
    country_name: str | None = None
    focus_area: str | None = None
    provider: str | None = None
    provider_name: str | None = None
    year: int | None = None
    region: str | None = None
    commitments_usd: float
    disbursements_usd: float
    expenditure_usd: float
    transactions: int
    unconvertible: RegistryUnconvertibleOut


class RegistryFundingOut(Schema):
    group_by: list[str]
    currency: str
    source: str
    filters: dict[str, Any]
    totals: RegistryFundingRowOut
    rows: list[RegistryFundingRowOut]


def f(value: Decimal | float | None) -> float | None:
    return None if value is None else float(value)


def narratives_out(value: Any) -> list[RegistryNarrativeOut]:
    return [RegistryNarrativeOut(text=text, lang=lang) for text, lang in (value or [])]


def summary_out(activity: Activity, url: str) -> RegistryActivitySummaryOut:
    return RegistryActivitySummaryOut(
        id=activity.pk,
        iati_identifier=activity.iati_identifier,
        publisher_ref=activity.publisher_ref,
        title=activity.display_title(),
        activity_status=activity.activity_status or None,
        start_date=activity.start_date,
        end_date=activity.end_date,
        default_currency=activity.default_currency or None,
        commitments_usd=f(activity.commitments_usd),
        disbursements_usd=f(activity.disbursements_usd),
        expenditure_usd=f(activity.expenditure_usd),
        unconvertible_transactions=activity.unconvertible_transactions,
        last_updated_datetime=activity.last_updated_datetime,
        is_primary=activity.is_primary,
        url=url,
    )

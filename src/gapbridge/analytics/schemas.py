"""API schemas of the analytics app (separate In and Out schemas)."""

from __future__ import annotations

import datetime as dt

from ninja import Schema

from gapbridge.countries.schemas import Headcount


class FundingQuery(Schema):
    group_by: str = "country,focus_area,year"
    country: str = ""
    focus_area: str = ""
    measure: str = ""
    year_from: int | None = None
    year_to: int | None = None
    provider: str = ""
    format: str = "json"


class FundingCellOut(Schema):
    country: str | None = None
    focus_area: str | None = None
    year: int | None = None
    provider: str | None = None
    provider_name: str | None = None
    measure: str | None = None
    gross_usd: float
    dedup_usd: float
    unconverted_facts: int


class FundingOut(Schema):
    group_by: list[str]
    rule: str
    #: {"commitment": {"gross_usd", "dedup_usd"}, "disbursement": {...}}: each measure's total
    totals_by_measure: dict[str, dict[str, float]]
    #: The total of the cells when they hold one measure; null when they hold both (never added together)
    gross_total_usd: float | None
    dedup_total_usd: float | None
    results: list[FundingCellOut]


class NeedQuery(Schema):
    focus_area: str = ""
    by_area: bool = False
    group: str = ""
    country: str = ""
    measure: str = "disbursement"
    year_from: int | None = None
    year_to: int | None = None
    format: str = "json"


class NeedRowOut(Schema):
    neglect_rank: int | None
    country: str
    name: str
    focus_area: str
    need: float | None
    population: Headcount
    commitments_gross_usd: float
    commitments_dedup_usd: float
    disbursements_gross_usd: float
    disbursements_dedup_usd: float
    funding_dedup_usd: float
    per_capita_dedup_usd: float | None
    fair_share_usd: float | None
    coverage: float | None
    note: str


class NeedOut(Schema):
    measure: str
    basis: str
    focus_area: str
    group: str
    total_funding_dedup_usd: float
    results: list[NeedRowOut]
    not_ranked: list[NeedRowOut]


class MatrixQuery(Schema):
    basis: str = "dedup"
    focus_area: str = ""
    measure: str = "disbursement"
    group: str = ""
    year_from: int | None = None
    year_to: int | None = None
    format: str = "json"


class MatrixCellOut(Schema):
    provider: str
    provider_name: str
    country: str
    value_usd: float


class MatrixOut(Schema):
    basis: str
    measure: str
    total_usd: float
    results: list[MatrixCellOut]


class ConcentrationOut(Schema):
    country: str
    total_usd: float
    providers: int
    hhi: float
    top_provider: str
    top_share: float


class ConcentrationPageOut(Schema):
    basis: str
    measure: str
    results: list[ConcentrationOut]


class AllocationQuery(Schema):
    budget: float
    focus_area: str = ""
    group: str = ""
    country: str = ""
    floor: float = 0.0
    ceiling: float | None = None
    bounds: str = ""
    reference_per_capita: float | None = None
    measure: str = "disbursement"
    year_from: int | None = None
    year_to: int | None = None
    sensitivity: float = 0.2
    format: str = "json"


class AllocationUnitOut(Schema):
    country: str
    name: str
    focus_area: str
    amount: float
    status: str
    reason: str
    need: float
    population: Headcount
    existing_dedup_usd: float
    existing_per_capita: float
    after_per_capita: float
    marginal_benefit: float


class AllocationCountryOut(Schema):
    country: str
    name: str
    amount: float
    status: str
    floor: float
    ceiling: float | None
    unconstrained: float | None
    amount_if_need_lower: float | None
    amount_if_need_higher: float | None


class AllocationOut(Schema):
    budget: float
    objective: float
    baseline: float
    reference_per_capita: float
    sensitivity: float
    utility: str
    allocations: list[AllocationUnitOut]
    countries: list[AllocationCountryOut]
    not_eligible: list[NeedRowOut]


class AlertQuery(Schema):
    status: str = ""
    tier: str = ""
    country: str = ""
    organization: int | None = None
    q: str = ""
    include_stale: bool = False
    limit: int = 50
    offset: int = 0
    format: str = "json"


class AlertActivityOut(Schema):
    activity_id: int
    identifier: str
    publisher: str
    title: str
    organization_id: int | None


class AlertOut(Schema):
    id: int
    tier: str
    score: float
    text_similarity: float
    shared_organisations: list[str]
    places: list[str]
    areas: list[str]
    status: str
    still_detected: bool
    detected_at: dt.datetime
    a: AlertActivityOut
    b: AlertActivityOut


class AlertChangeOut(Schema):
    from_status: str
    to_status: str
    at: dt.datetime
    actor: str
    reason: str


class AlertDetailOut(AlertOut):
    history: list[AlertChangeOut]


class AlertPageOut(Schema):
    count: int
    limit: int
    offset: int
    next: str | None
    results: list[AlertOut]


class AlertStatusIn(Schema):
    status: str
    reason: str


class BriefOut(Schema):
    country: str
    name: str
    population: Headcount
    gap_index: dict[str, object]
    funding_by_area: list[dict[str, object]]
    funding_by_provider: list[dict[str, object]]
    concentration: dict[str, object] | None
    active_projects: dict[str, object]
    alerts: list[AlertOut]
    sections: dict[str, list[dict[str, object]]]
    not_included: list[str]
    rule: str

"""API output schemas for countries (separate In/Out schemas; these are Out)."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel


def headcount(value: float | None) -> int | None:
    """A count stored as a float (the World Bank publishes population as a number), as a whole number."""
    return None if value is None else round(value)


#: People: written as a whole number in JSON and CSV (57532493, not 57532493.0).
Headcount = int | None


class Schema(BaseModel):
    """Plain pydantic models, built from keyword arguments: ninja's ORM attribute resolver is not needed."""


class IncomeGroupOut(Schema):
    code: str
    label: str
    source: str = "World Bank CLASS FY2025"


class MembershipOut(Schema):
    code: str
    name: str  # as the reference data spells it (English): stable, for scripts
    label: str  # the name in the request's language
    status: str
    start_date: dt.date | None
    end_date: dt.date | None
    source: str


class CountrySummaryOut(Schema):
    iso3: str
    iso2: str
    m49: str
    name: str
    region: str
    sub_region: str
    income_group: IncomeGroupOut | None
    overall_score: float | None
    overall_coverage: float | None
    rank: int | None
    population: Headcount


class CountryPageOut(Schema):
    count: int
    limit: int
    offset: int
    next: str | None
    results: list[CountrySummaryOut]


class IndicatorValueOut(Schema):
    code: str
    name: str
    #: `name` in the request's language
    label: str
    unit: str
    value: float | None
    year: int | None
    source: str
    normalised: float | None
    data_gap: str | None


class PillarOut(Schema):
    code: str
    name: str
    #: `name` in the request's language
    label: str
    score: float | None
    coverage: float
    status: str
    rank: int | None
    scored_countries: int
    indicators: list[IndicatorValueOut]


class GapIndexOut(Schema):
    overall: float | None
    coverage: float
    rank: int | None
    scored_countries: int
    method: str
    pillars: list[PillarOut]


class LawOut(Schema):
    url: str
    title: str


class LegalOut(Schema):
    area: str
    label: str
    status: str
    status_label: str
    laws: list[LawOut]
    source: str


class PeerDifferenceOut(Schema):
    indicator: str
    text: str


class PeerOut(Schema):
    pillar: str
    iso3: str
    name: str
    score: float
    score_gap: float
    differences: list[PeerDifferenceOut]


class GroupAverageOut(Schema):
    code: str
    name: str  # English, stable
    label: str  # the name in the request's language
    members_scored: int
    overall: float | None
    pillars: dict[str, float | None]


class CountryProfileOut(Schema):
    iso3: str
    iso2: str
    m49: str
    name: str
    names: dict[str, str]
    region: str
    sub_region: str
    world_bank_region: str
    income_group: IncomeGroupOut | None
    population: Headcount
    groups: list[MembershipOut]
    gap_index: GapIndexOut
    data_gaps: list[str]
    legal_framework: list[LegalOut]
    peers_further_ahead: list[PeerOut]
    group_averages: list[GroupAverageOut]


class MembershipCheckOut(Schema):
    iso3: str
    group: str
    on: dt.date
    member: bool
    membership: MembershipOut | None

"""The adapter's vocabulary: frozen dataclasses for IATI activities and organisations.

These DTOs are what the parser produces and the serializer consumes; they are normalised so that
equal data compares equal whatever version or publisher quirk it came from:

* codes are IATI 2.x codes (1.x text codes are mapped, see :mod:`gapbridge.iati.legacy`);
* vocabularies that default in the standard are explicit (sector, region, policy-marker, aid-type: ``"1"``);
* narratives are stripped, empty narratives dropped, ``lang`` lower-cased and falling back to the
  activity's ``default_language``;
* money carries its effective currency (``value/@currency`` or the activity's ``@default-currency``);
* dates are :class:`datetime.date`, date-times are timezone-aware (naive ones are taken as UTC),
  amounts and percentages are :class:`decimal.Decimal`.

``None`` means "not given or not usable" (a finding says which).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Literal

_Date = date  # ``Transaction.date`` shadows the type name inside that class


@dataclass(frozen=True, slots=True)
class Narrative:
    text: str
    lang: str | None = None


Narratives = tuple[Narrative, ...]


def pick_text(narratives: Narratives, lang: str | None = None) -> str | None:
    """The narrative in ``lang`` if there is one, else the first narrative, else ``None``."""
    if not narratives:
        return None
    if lang is not None:
        for narrative in narratives:
            if narrative.lang == lang:
                return narrative.text
    return narratives[0].text


@dataclass(frozen=True, slots=True)
class ReportingOrg:
    ref: str | None
    type: str | None = None
    narratives: Narratives = ()
    secondary_reporter: bool | None = None


@dataclass(frozen=True, slots=True)
class ParticipatingOrg:
    role: str | None
    ref: str | None = None
    type: str | None = None
    activity_id: str | None = None
    crs_channel_code: str | None = None
    narratives: Narratives = ()


@dataclass(frozen=True, slots=True)
class Description:
    type: str | None
    narratives: Narratives


@dataclass(frozen=True, slots=True)
class OtherIdentifier:
    ref: str
    type: str | None = None
    owner_ref: str | None = None
    owner_narratives: Narratives = ()


@dataclass(frozen=True, slots=True)
class ActivityDate:
    type: str
    iso_date: date
    narratives: Narratives = ()


@dataclass(frozen=True, slots=True)
class RecipientCountry:
    code: str
    percentage: Decimal | None = None
    narratives: Narratives = ()


@dataclass(frozen=True, slots=True)
class RecipientRegion:
    code: str
    vocabulary: str = "1"
    vocabulary_uri: str | None = None
    percentage: Decimal | None = None
    narratives: Narratives = ()


@dataclass(frozen=True, slots=True)
class Sector:
    code: str
    vocabulary: str = "1"
    vocabulary_uri: str | None = None
    percentage: Decimal | None = None
    narratives: Narratives = ()


@dataclass(frozen=True, slots=True)
class Tag:
    code: str
    vocabulary: str
    vocabulary_uri: str | None = None
    narratives: Narratives = ()


@dataclass(frozen=True, slots=True)
class PolicyMarker:
    code: str
    vocabulary: str = "1"
    significance: str | None = None
    vocabulary_uri: str | None = None
    narratives: Narratives = ()


@dataclass(frozen=True, slots=True)
class AidType:
    code: str
    vocabulary: str = "1"


@dataclass(frozen=True, slots=True)
class LocationId:
    vocabulary: str
    code: str


@dataclass(frozen=True, slots=True)
class Administrative:
    vocabulary: str
    code: str
    level: int | None = None


@dataclass(frozen=True, slots=True)
class Location:
    ref: str | None = None
    reach: str | None = None
    location_ids: tuple[LocationId, ...] = ()
    name: Narratives = ()
    description: Narratives = ()
    activity_description: Narratives = ()
    administratives: tuple[Administrative, ...] = ()
    point_srs_name: str | None = None
    #: "latitude longitude" as published (whitespace normalised); see :attr:`latitude`.
    point_pos: str | None = None
    exactness: str | None = None
    location_class: str | None = None
    feature_designation: str | None = None

    @property
    def latitude(self) -> float | None:
        coordinates = _coordinates(self.point_pos)
        return coordinates[0] if coordinates else None

    @property
    def longitude(self) -> float | None:
        coordinates = _coordinates(self.point_pos)
        return coordinates[1] if coordinates else None


def _coordinates(pos: str | None) -> tuple[float, float] | None:
    if pos is None:
        return None
    parts = pos.split()
    if len(parts) != 2:
        return None
    try:
        latitude, longitude = float(parts[0]), float(parts[1])
    except ValueError:
        return None
    if not (-90.0 <= latitude <= 90.0 and -180.0 <= longitude <= 180.0):
        return None
    return latitude, longitude


@dataclass(frozen=True, slots=True)
class Budget:
    type: str | None
    status: str | None
    period_start: date | None
    period_end: date | None
    value: Decimal | None
    currency: str | None
    value_date: date | None


@dataclass(frozen=True, slots=True)
class TransactionOrg:
    """provider-org / receiver-org of a transaction or planned disbursement."""

    ref: str | None = None
    type: str | None = None
    activity_id: str | None = None
    narratives: Narratives = ()


@dataclass(frozen=True, slots=True)
class PlannedDisbursement:
    type: str | None
    period_start: date | None
    period_end: date | None
    value: Decimal | None
    currency: str | None
    value_date: date | None
    provider_org: TransactionOrg | None = None
    receiver_org: TransactionOrg | None = None


@dataclass(frozen=True, slots=True)
class Transaction:
    type: str | None
    date: _Date | None
    value: Decimal | None
    currency: str | None
    value_date: _Date | None
    ref: str | None = None
    humanitarian: bool | None = None
    description: Narratives = ()
    provider_org: TransactionOrg | None = None
    receiver_org: TransactionOrg | None = None
    disbursement_channel: str | None = None
    #: transaction-level sectors (``percentage`` is always ``None`` at this level)
    sectors: tuple[Sector, ...] = ()
    recipient_country: RecipientCountry | None = None
    recipient_region: RecipientRegion | None = None
    flow_type: str | None = None
    finance_type: str | None = None
    aid_types: tuple[AidType, ...] = ()
    tied_status: str | None = None


@dataclass(frozen=True, slots=True)
class ResultValue:
    """A target or actual of an indicator period (values are strings in IATI 2.03)."""

    value: str | None
    comment: Narratives = ()


@dataclass(frozen=True, slots=True)
class Baseline:
    year: int | None
    iso_date: date | None = None
    value: str | None = None
    comment: Narratives = ()


@dataclass(frozen=True, slots=True)
class Period:
    start: date | None
    end: date | None
    targets: tuple[ResultValue, ...] = ()
    actuals: tuple[ResultValue, ...] = ()


@dataclass(frozen=True, slots=True)
class Indicator:
    measure: str | None
    title: Narratives = ()
    description: Narratives = ()
    ascending: bool | None = None
    aggregation_status: bool | None = None
    baselines: tuple[Baseline, ...] = ()
    periods: tuple[Period, ...] = ()


@dataclass(frozen=True, slots=True)
class Result:
    type: str | None
    title: Narratives = ()
    description: Narratives = ()
    aggregation_status: bool | None = None
    indicators: tuple[Indicator, ...] = ()


@dataclass(frozen=True, slots=True)
class RelatedActivity:
    ref: str
    type: str | None


@dataclass(frozen=True, slots=True)
class DocumentLink:
    url: str
    format: str | None = None
    title: Narratives = ()
    description: Narratives = ()
    categories: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    document_date: date | None = None


@dataclass(frozen=True, slots=True)
class ActivityDTO:
    """One IATI activity. Field order follows the 2.03 schema."""

    iati_identifier: str
    #: IATI version the activity was published in (per activity; see docs/iati.md)
    version: str | None = None
    last_updated_datetime: datetime | None = None
    default_language: str | None = None
    default_currency: str | None = None
    hierarchy: int | None = None
    humanitarian: bool | None = None
    budget_not_provided: str | None = None
    reporting_org: ReportingOrg | None = None
    titles: Narratives = ()
    descriptions: tuple[Description, ...] = ()
    participating_orgs: tuple[ParticipatingOrg, ...] = ()
    other_identifiers: tuple[OtherIdentifier, ...] = ()
    activity_status: str | None = None
    activity_dates: tuple[ActivityDate, ...] = ()
    activity_scope: str | None = None
    recipient_countries: tuple[RecipientCountry, ...] = ()
    recipient_regions: tuple[RecipientRegion, ...] = ()
    locations: tuple[Location, ...] = ()
    sectors: tuple[Sector, ...] = ()
    tags: tuple[Tag, ...] = ()
    policy_markers: tuple[PolicyMarker, ...] = ()
    collaboration_type: str | None = None
    default_flow_type: str | None = None
    default_finance_type: str | None = None
    default_aid_types: tuple[AidType, ...] = ()
    default_tied_status: str | None = None
    budgets: tuple[Budget, ...] = ()
    planned_disbursements: tuple[PlannedDisbursement, ...] = ()
    transactions: tuple[Transaction, ...] = ()
    document_links: tuple[DocumentLink, ...] = ()
    related_activities: tuple[RelatedActivity, ...] = ()
    results: tuple[Result, ...] = ()

    @property
    def title(self) -> str | None:
        """The title in the default language, else the first title narrative."""
        return pick_text(self.titles, self.default_language)

    def date_of(self, type_code: str) -> date | None:
        """The first activity-date of ActivityDateType ``type_code`` ("1" planned start … "4" actual end)."""
        for activity_date in self.activity_dates:
            if activity_date.type == type_code:
                return activity_date.iso_date
        return None

    @property
    def start_date(self) -> date | None:
        """Actual start if known, else planned start."""
        return self.date_of("2") or self.date_of("1")

    @property
    def end_date(self) -> date | None:
        """Actual end if known, else planned end."""
        return self.date_of("4") or self.date_of("3")


@dataclass(frozen=True, slots=True)
class OrganisationBudgetLine:
    """budget-line (of a budget) or expense-line (of a total-expenditure): a sub-total and its meaning."""

    ref: str | None
    value: Decimal | None
    currency: str | None
    value_date: date | None
    narratives: Narratives = ()


@dataclass(frozen=True, slots=True)
class OrganisationBudget:
    """total-budget of an organisation file."""

    status: str | None
    period_start: date | None
    period_end: date | None
    value: Decimal | None
    currency: str | None
    value_date: date | None
    lines: tuple[OrganisationBudgetLine, ...] = ()


@dataclass(frozen=True, slots=True)
class OrganisationRecipient:
    """recipient-org (``code`` = @ref), recipient-country or recipient-region (``code`` = @code)."""

    code: str | None
    narratives: Narratives = ()
    vocabulary: str | None = None
    vocabulary_uri: str | None = None


RecipientKind = Literal["org", "country", "region"]


@dataclass(frozen=True, slots=True)
class RecipientBudget:
    """recipient-org-budget, recipient-country-budget or recipient-region-budget (``kind``)."""

    kind: RecipientKind
    recipient: OrganisationRecipient
    status: str | None
    period_start: date | None
    period_end: date | None
    value: Decimal | None
    currency: str | None
    value_date: date | None
    lines: tuple[OrganisationBudgetLine, ...] = ()


@dataclass(frozen=True, slots=True)
class OrganisationExpenditure:
    """total-expenditure of an organisation file, with its expense-lines."""

    period_start: date | None
    period_end: date | None
    value: Decimal | None
    currency: str | None
    value_date: date | None
    lines: tuple[OrganisationBudgetLine, ...] = ()


@dataclass(frozen=True, slots=True)
class OrganisationDocumentLink:
    """document-link of an organisation file: an activity-style link plus recipient-countries."""

    link: DocumentLink
    recipient_countries: tuple[OrganisationRecipient, ...] = ()


@dataclass(frozen=True, slots=True)
class OrganisationDTO:
    organisation_identifier: str
    version: str | None = None
    last_updated_datetime: datetime | None = None
    default_language: str | None = None
    default_currency: str | None = None
    name: Narratives = ()
    reporting_org: ReportingOrg | None = None
    total_budgets: tuple[OrganisationBudget, ...] = ()
    recipient_budgets: tuple[RecipientBudget, ...] = ()
    total_expenditures: tuple[OrganisationExpenditure, ...] = ()
    document_links: tuple[OrganisationDocumentLink, ...] = ()

    @property
    def display_name(self) -> str | None:
        return pick_text(self.name, self.default_language)

"""Money that adds up: an activity's transactions split by recipient and focus area, in US dollars (pure).

For each commitment (transaction type 2), disbursement (3) and expenditure (4):

* **Geography** — the transaction's own ``recipient-country`` or ``recipient-region`` if it has one, else
  the activity's recipient countries together with its regions of one vocabulary (``1``, OECD DAC, when
  present), by their percentages. No recipient at all: one unattributed share.
* **Sectors** — the transaction's own sectors if it has any (equal shares within one vocabulary), else the
  activity's sectors of one vocabulary (``1`` DAC 5-digit, else ``2`` DAC 3-digit, else the first one
  listed), by their percentages. Each sector maps to at most one focus area (:mod:`.focus`).
* **Percentages** — a missing percentage takes an equal part of what the given ones leave of 100; then
  the shares are scaled to sum to exactly 1. When that changes anything a ``split-normalised`` finding is
  recorded, so totals never silently exceed or fall short of the published value.
* **Currency** — ``value / rate(currency, year of value-date)`` (value-date, else the transaction date);
  unconvertible values keep their currency and amount and are counted, never added as dollars.
* **Plausibility** — a funding transaction worth more than :data:`IMPLAUSIBLE_USD` (25 billion US dollars,
  more than any single development-finance transaction: the largest in the bundled files is 1 billion) is
  almost surely a data-entry error (a value in cents, extra zeros). It is kept as published, left out of
  the facts and totals, and recorded as a ``value-implausible`` finding, so one typo cannot dwarf a
  country's funding.
* **Provider** — the transaction's ``provider-org`` (ref, else name), else the reporting organisation.

Facts are aggregated per activity over (type, year, country, region, focus area, provider, currency,
convertible), which keeps the table small while any group-by of the funding API stays exact.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from gapbridge.iati.dto import ActivityDTO, Narratives, Sector, Transaction, TransactionOrg, pick_text
from gapbridge.projects.focus import FocusMap
from gapbridge.projects.fx import Conversion, Rates

FUNDING_TYPES = ("2", "3", "4")
TOLERANCE = Decimal("0.1")
HUNDRED = Decimal(100)
ZERO = Decimal(0)
ONE = Decimal(1)
SPLIT_NORMALISED = "split-normalised"
VALUE_IMPLAUSIBLE = "value-implausible"
#: One funding transaction above this many US dollars is taken for a data-entry error (module docstring).
IMPLAUSIBLE_USD = Decimal(25_000_000_000)


@dataclass(frozen=True, slots=True)
class Note:
    """A finding produced while splitting (``split-normalised``) or adding up (``value-implausible``)."""

    message: str
    path: str
    code: str = SPLIT_NORMALISED


@dataclass(frozen=True, slots=True)
class GeoShare:
    country: str  # ISO 3166-1 alpha-2 as published, or ""
    region: str  # region code ("vocabulary:code" unless vocabulary 1), or ""
    weight: Decimal


@dataclass(frozen=True, slots=True)
class SectorShare:
    vocabulary: str
    code: str
    weight: Decimal


@dataclass(slots=True)
class Fact:
    transaction_type: str
    year: int | None
    country: str
    region: str
    focus_area: str
    provider_key: str
    provider_name: str
    currency: str
    convertible: bool
    value: Decimal = ZERO
    value_usd: Decimal | None = None
    transactions: int = 0
    _seen: set[int] = field(default_factory=set, repr=False)


@dataclass(slots=True)
class MoneyResult:
    facts: list[Fact]
    conversions: list[Conversion]  # one per transaction, in order
    notes: list[Note]
    totals_usd: dict[str, Decimal]  # transaction type -> USD (convertible values only)
    unconvertible: int  # funding transactions (types 2, 3, 4) whose value could not be converted


def _weights(percentages: list[Decimal | None]) -> tuple[list[Decimal], bool]:
    """Percentages -> weights summing to 1, and whether that needed normalising."""
    count = len(percentages)
    if count == 0:
        return [], False
    if all(p is None for p in percentages):
        return [ONE / count] * count, count > 1
    given = sum((p for p in percentages if p is not None), ZERO)
    missing = sum(1 for p in percentages if p is None)
    rest = max(ZERO, HUNDRED - given)
    filled = [p if p is not None else rest / missing for p in percentages]
    total = sum(filled, ZERO)
    if total <= 0:
        return [ONE / count] * count, True
    changed = missing > 0 or abs(total - HUNDRED) > TOLERANCE
    return [p / total for p in filled], changed


def _region_key(vocabulary: str, code: str) -> str:
    return code if vocabulary == "1" else f"{vocabulary}:{code}"


def activity_geo(activity: ActivityDTO) -> tuple[list[GeoShare], Note | None]:
    """The activity-level geographic split (countries plus regions of one vocabulary)."""
    regions = list(activity.recipient_regions)
    if regions:
        vocabularies = [r.vocabulary for r in regions]
        chosen = "1" if "1" in vocabularies else vocabularies[0]
        regions = [r for r in regions if r.vocabulary == chosen]
    items: list[tuple[str, str]] = [(c.code, "") for c in activity.recipient_countries]
    items += [("", _region_key(r.vocabulary, r.code)) for r in regions]
    if not items:
        return [GeoShare("", "", ONE)], None
    percentages = [c.percentage for c in activity.recipient_countries] + [r.percentage for r in regions]
    weights, changed = _weights(percentages)
    shares = [GeoShare(country, region, w) for (country, region), w in zip(items, weights, strict=True)]
    note = None
    if changed and len(items) > 1:
        given = sum((p for p in percentages if p is not None), ZERO)
        note = Note(
            f"recipient country/region percentages sum to {given} (or some are missing); "
            "money is split in proportion to them",
            "recipient-country",
        )
    return shares, note


def _pick_vocabulary(sectors: Iterable[Sector]) -> list[Sector]:
    listed = list(sectors)
    if not listed:
        return []
    vocabularies = [s.vocabulary for s in listed]
    chosen = "1" if "1" in vocabularies else "2" if "2" in vocabularies else vocabularies[0]
    return [s for s in listed if s.vocabulary == chosen]


def activity_sectors(activity: ActivityDTO) -> tuple[list[SectorShare], Note | None]:
    """The activity-level sector split (one vocabulary)."""
    sectors = _pick_vocabulary(activity.sectors)
    if not sectors:
        return [], None
    weights, changed = _weights([s.percentage for s in sectors])
    shares = [SectorShare(s.vocabulary, s.code, w) for s, w in zip(sectors, weights, strict=True)]
    note = None
    if changed and len(sectors) > 1:
        given = sum((s.percentage for s in sectors if s.percentage is not None), ZERO)
        note = Note(
            f"sector percentages (vocabulary {sectors[0].vocabulary}) sum to {given} (or some are "
            "missing); money is split in proportion to them",
            f"sector[@vocabulary='{sectors[0].vocabulary}']",
        )
    return shares, note


def _transaction_geo(transaction: Transaction) -> list[GeoShare] | None:
    if transaction.recipient_country is not None:
        return [GeoShare(transaction.recipient_country.code, "", ONE)]
    if transaction.recipient_region is not None:
        region = transaction.recipient_region
        return [GeoShare("", _region_key(region.vocabulary, region.code), ONE)]
    return None


def _transaction_sectors(transaction: Transaction) -> list[SectorShare] | None:
    sectors = _pick_vocabulary(transaction.sectors)
    if not sectors:
        return None
    weight = ONE / len(sectors)
    return [SectorShare(s.vocabulary, s.code, weight) for s in sectors]


def org_key(org: TransactionOrg | None) -> tuple[str, str]:
    if org is None:
        return "", ""
    name = pick_text(org.narratives) or ""
    return (org.ref or name), name


def provider_of(activity: ActivityDTO, transaction: Transaction) -> tuple[str, str]:
    """(key, name) of who provided the money: provider-org, else the reporting organisation."""
    key, name = org_key(transaction.provider_org)
    if key:
        return key, name
    reporting = activity.reporting_org
    if reporting is None:
        return "", ""
    reporting_name = pick_text(reporting.narratives, activity.default_language) or ""
    return (reporting.ref or reporting_name), reporting_name


def activity_text(activity: ActivityDTO) -> str:
    """Titles and descriptions in every language, for keyword rules and search."""
    parts = [n.text for n in activity.titles]
    for description in activity.descriptions:
        parts.extend(n.text for n in description.narratives)
    return "\n".join(parts)


def narrative_text(narratives: Narratives) -> str:
    return " ".join(n.text for n in narratives)


def compute(
    activity: ActivityDTO,
    rates: Rates,
    focus: FocusMap,
    text: str | None = None,
    area: Callable[[str, str], str] | None = None,
) -> MoneyResult:
    """Convert every transaction and split the funding ones into facts (see module docstring).
    ``area`` is the activity's memoised focus-area lookup (:meth:`FocusMap.for_text`), if already made."""
    if area is None:
        area = focus.for_text(activity_text(activity) if text is None else text)
    geo, geo_note = activity_geo(activity)
    sectors, sector_note = activity_sectors(activity)

    activity_focus: list[tuple[str, Decimal]] = _merge(
        (area(s.vocabulary, s.code), s.weight) for s in sectors
    )
    if not activity_focus:
        activity_focus = [("", ONE)]
    facts: dict[tuple[object, ...], Fact] = {}
    conversions: list[Conversion] = []
    totals: dict[str, Decimal] = {}
    unconvertible = 0
    implausible: list[Note] = []
    for index, transaction in enumerate(activity.transactions):
        conversion = rates.convert(
            transaction.value, transaction.currency, transaction.value_date or transaction.date
        )
        conversions.append(conversion)
        if transaction.type not in FUNDING_TYPES or transaction.value is None:
            continue
        if conversion.usd is not None and abs(conversion.usd) > IMPLAUSIBLE_USD:
            implausible.append(
                Note(
                    f"transaction {index + 1} is worth USD {conversion.usd:,.0f} ({transaction.value} "
                    f"{transaction.currency or ''}), more than USD {IMPLAUSIBLE_USD:,.0f} for one "
                    "transaction: most likely a data-entry error; kept as published, left out of the "
                    "funding totals",
                    f"transaction[{index + 1}]/value",
                    VALUE_IMPLAUSIBLE,
                )
            )
            continue
        if conversion.ok:
            assert conversion.usd is not None
            totals[transaction.type] = totals.get(transaction.type, ZERO) + conversion.usd
        else:
            unconvertible += 1
        moment = transaction.date or transaction.value_date
        year = moment.year if moment else None
        provider_key, provider_name = provider_of(activity, transaction)
        own_sectors = _transaction_sectors(transaction)
        focus_shares = (
            _merge((area(s.vocabulary, s.code), s.weight) for s in own_sectors)
            if own_sectors is not None
            else activity_focus
        )
        geo_shares = _transaction_geo(transaction) or geo
        currency = transaction.currency or ""
        for g in geo_shares:
            for focus_area, weight in focus_shares:
                share = g.weight * weight
                key = (
                    transaction.type,
                    year,
                    g.country,
                    g.region,
                    focus_area,
                    provider_key,
                    currency,
                    conversion.ok,
                )
                fact = facts.get(key)
                if fact is None:
                    fact = facts[key] = Fact(
                        transaction.type,
                        year,
                        g.country,
                        g.region,
                        focus_area,
                        provider_key,
                        provider_name,
                        currency,
                        conversion.ok,
                        value_usd=ZERO if conversion.ok else None,
                    )
                fact.value += transaction.value * share
                if conversion.usd is not None and fact.value_usd is not None:
                    fact.value_usd += conversion.usd * share
                if index not in fact._seen:
                    fact._seen.add(index)
                    fact.transactions += 1
    has_funding = any(t.type in FUNDING_TYPES for t in activity.transactions)
    notes = [n for n in (geo_note, sector_note) if n is not None and has_funding] + implausible
    return MoneyResult(list(facts.values()), conversions, notes, totals, unconvertible)


def _merge(pairs: Iterable[tuple[str, Decimal]]) -> list[tuple[str, Decimal]]:
    merged: dict[str, Decimal] = {}
    for key, weight in pairs:
        merged[key] = merged.get(key, ZERO) + weight
    return list(merged.items())


def focus_areas_of(activity: ActivityDTO, area: Callable[[str, str], str]) -> set[str]:
    """Every focus area any of the activity's sectors (activity or transaction level) maps to."""
    found = {area(s.vocabulary, s.code) for s in activity.sectors}
    for transaction in activity.transactions:
        found.update(area(s.vocabulary, s.code) for s in transaction.sectors)
    found.discard("")
    return found


def country_codes_of(activity: ActivityDTO) -> set[str]:
    codes = {c.code for c in activity.recipient_countries}
    codes.update(t.recipient_country.code for t in activity.transactions if t.recipient_country is not None)
    return codes


def iso3_of(code: str, iso2_to_iso3: Mapping[str, str]) -> str:
    return iso2_to_iso3.get(code.upper(), "") if code else ""

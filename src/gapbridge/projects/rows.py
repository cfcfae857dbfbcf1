"""DTO -> flat table rows, ready for bulk insertion (pure: no Django, no database).

:func:`prepare` turns one parsed activity into a :class:`Prepared` record: the activity row, every child
table's rows (tuples in the column order of :data:`TABLES`), derived rows (funding facts, search facets),
findings, and the keys the importer needs to decide whether to write it at all (identifier, publisher,
last-updated-datetime, content hash). Everything in it is plain str/int/Decimal/date/None so it pickles
cheaply when prepared in a worker process.

Hierarchical rows (results) refer to their parent by its index in the parent table's list; the writer
turns indexes into database ids. :mod:`gapbridge.projects.export` is the inverse of this module.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from json.encoder import encode_basestring
from typing import Any

from gapbridge.iati.dto import (
    ActivityDTO,
    Narratives,
    RecipientCountry,
    RecipientRegion,
    Sector,
    TransactionOrg,
    pick_text,
)
from gapbridge.iati.findings import Finding
from gapbridge.projects import money
from gapbridge.projects.focus import FocusMap
from gapbridge.projects.fx import Conversion, Rates

Row = tuple[Any, ...]

#: Bump when the derivation (rows from a DTO) changes, so stored activities are re-derived.
DERIVATION_VERSION = "3"  # 3: ISO3 of recipient countries derived (not content); 2: implausible values


@dataclass(frozen=True, slots=True)
class Table:
    """A child table: its database table, its columns (tuple order), its parent table (if any), and how
    many trailing columns are *derived* from external data (exchange rates, the focus-area map)."""

    db_table: str
    columns: tuple[str, ...]
    parent: str | None = None  # key in TABLES of the parent; the first column then holds its index
    derived: int = 0
    content: bool = True  # False: the whole table is derived (facts, facets, findings)


#: The activity row; the last six columns are derived and not part of the content hash.
ACTIVITY_COLUMNS = (
    "iati_identifier",
    "publisher_ref",
    "reporting_org_data",
    "version",
    "last_updated_datetime",
    "default_language",
    "default_currency",
    "hierarchy",
    "humanitarian",
    "budget_not_provided",
    "titles",
    "descriptions",
    "activity_status",
    "activity_scope",
    "collaboration_type",
    "default_flow_type",
    "default_finance_type",
    "default_aid_types",
    "default_tied_status",
    "source_line",
    # derived from the columns above
    "title",
    "start_date",
    "end_date",
    "start_year",
    "end_year",
    "search_text",
    # derived from external data, or bookkeeping
    "commitments_usd",
    "disbursements_usd",
    "expenditure_usd",
    "unconvertible_transactions",
    "content_hash",
    "derivation",
)
ACTIVITY_CONTENT = ACTIVITY_COLUMNS.index("source_line")

_MONEY = ("value", "value_text", "currency", "value_date")
_FX = ("value_usd", "fx_rate", "fx_status")

#: Child tables of an activity, in insertion order (parents before children). Every one also has the
#: columns ``id`` and ``activity_id``, filled by the writer.
TABLES: dict[str, Table] = {
    "date": Table("projects_activitydate", ("position", "type", "iso_date", "narratives")),
    "participating_org": Table(
        "projects_participatingorg",
        ("position", "role", "ref", "type", "activity_ref", "crs_channel_code", "narratives", "role_given"),
    ),
    "other_identifier": Table(
        "projects_otheridentifier", ("position", "ref", "type", "owner_ref", "owner_narratives")
    ),
    # iso3 is derived from the reference economies (ISO2 -> ISO3), which can be loaded after an import.
    "country": Table(
        "projects_recipientcountry", ("position", "code", "percentage", "narratives", "iso3"), derived=1
    ),
    "region": Table(
        "projects_recipientregion",
        ("position", "code", "vocabulary", "vocabulary_uri", "percentage", "narratives"),
    ),
    "location": Table(
        "projects_location",
        (
            "position",
            "ref",
            "reach",
            "location_ids",
            "name",
            "description",
            "activity_description",
            "administratives",
            "point_srs_name",
            "point_pos",
            "latitude",
            "longitude",
            "exactness",
            "location_class",
            "feature_designation",
        ),
    ),
    "sector": Table(
        "projects_sector",
        ("position", "code", "vocabulary", "vocabulary_uri", "percentage", "narratives", "focus_area"),
        derived=1,
    ),
    "tag": Table("projects_tag", ("position", "code", "vocabulary", "vocabulary_uri", "narratives")),
    "policy_marker": Table(
        "projects_policymarker",
        ("position", "code", "vocabulary", "significance", "vocabulary_uri", "narratives"),
    ),
    "budget": Table(
        "projects_budget",
        ("position", "type", "status", "period_start", "period_end", *_MONEY, *_FX),
        derived=3,
    ),
    "planned_disbursement": Table(
        "projects_planneddisbursement",
        ("position", "type", "period_start", "period_end", *_MONEY, "provider_org", "receiver_org", *_FX),
        derived=3,
    ),
    "transaction": Table(
        "projects_transaction",
        (
            "position",
            "type",
            "date",
            *_MONEY,
            "ref",
            "humanitarian",
            "description",
            "provider_org",
            "receiver_org",
            "provider_ref",
            "provider_name",
            "provider_activity_id",
            "receiver_ref",
            "receiver_name",
            "receiver_activity_id",
            "disbursement_channel",
            "sectors",
            "recipient_country",
            "recipient_country_code",
            "recipient_region",
            "flow_type",
            "finance_type",
            "aid_types",
            "tied_status",
            *_FX,
        ),
        derived=3,
    ),
    "document_link": Table(
        "projects_documentlink",
        ("position", "url", "format", "title", "description", "categories", "languages", "document_date"),
    ),
    "related_activity": Table("projects_relatedactivity", ("position", "ref", "type")),
    "result": Table("projects_result", ("position", "type", "aggregation_status", "title", "description")),
    "indicator": Table(
        "projects_resultindicator",
        ("result_id", "position", "measure", "ascending", "aggregation_status", "title", "description"),
        parent="result",
    ),
    "baseline": Table(
        "projects_indicatorbaseline",
        ("indicator_id", "position", "year", "iso_date", "value", "numeric_value", "comment"),
        parent="indicator",
    ),
    "period": Table(
        "projects_indicatorperiod",
        ("indicator_id", "position", "period_start", "period_end"),
        parent="indicator",
    ),
    "period_value": Table(
        "projects_indicatorperiodvalue",
        ("period_id", "position", "kind", "value", "numeric_value", "comment"),
        parent="period",
    ),
    "facet": Table("projects_activityfacet", ("kind", "value"), content=False),
    "fact": Table(
        "projects_fundingfact",
        (
            "transaction_type",
            "year",
            "iso3",
            "country_code",
            "region",
            "focus_area",
            "provider_key",
            "provider_name",
            "currency",
            "value",
            "value_usd",
            "transactions",
        ),
        content=False,
    ),
    "finding": Table(
        "projects_finding", ("source_file_id", "severity", "code", "message", "path", "line"), content=False
    ),
}


@dataclass(slots=True)
class Prepared:
    """Everything the writer needs for one activity (see module docstring)."""

    identifier: str
    publisher_ref: str
    last_updated: datetime | None
    content_hash: str
    derivation: str
    reporting_org: tuple[str, str, str] | None  # (ref, name, type) to link or create an Organization
    activity: Row
    children: dict[str, list[Row]] = field(default_factory=dict)
    line: int | None = None
    file_index: int = 0

    @property
    def key(self) -> tuple[str, str]:
        return self.identifier, self.publisher_ref


# -- value helpers (values become str/int/float/bool/None: cheap to pickle, hash and bind) -------------
def jstr(value: str | None) -> str:
    return "null" if value is None else encode_basestring(value)


def nj(narratives: Narratives) -> str:
    """Narratives as JSON ``[[text, lang], ...]`` (hand-rolled: this runs ~70 times per activity)."""
    if not narratives:
        return "[]"
    return "[" + ",".join(f"[{encode_basestring(n.text)},{jstr(n.lang)}]" for n in narratives) + "]"


def to_json(value: Any) -> str:
    return _ENCODER.encode(value)


def narr(narratives: Narratives) -> list[list[str | None]]:
    return [[n.text, n.lang] for n in narratives]


def _s(value: str | None) -> str:
    return value or ""


def dec(value: Decimal | None) -> str | None:
    return None if value is None else format(value, "f")


def iso(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def _num(value: str | None) -> float | None:
    if value is None:
        return None
    try:
        number = float(value)
    except ValueError:
        return None
    return number if number == number and abs(number) != float("inf") else None


def _fx(conv: Conversion) -> Row:
    usd = None if conv.usd is None else format(conv.usd.quantize(_CENTI_CENT), "f")
    return (usd, dec(conv.rate), str(conv.status))


def _money(value: Decimal | None, currency: str | None, value_date: date | None) -> Row:
    text = dec(value)
    return (text, text or "", _s(currency), iso(value_date))


def org_json(org: TransactionOrg | None) -> str | None:
    if org is None:
        return None
    return (
        f'{{"ref":{jstr(org.ref)},"type":{jstr(org.type)},"activity_id":{jstr(org.activity_id)},'
        f'"narratives":{nj(org.narratives)}}}'
    )


def _sector_json(sector: Sector) -> str:
    return (
        f"[{encode_basestring(sector.code)},{jstr(sector.vocabulary)},{jstr(sector.vocabulary_uri)},"
        f"{nj(sector.narratives)}]"
    )


def _country_json(country: RecipientCountry | None) -> str | None:
    if country is None:
        return None
    return f"[{encode_basestring(country.code)},{jstr(dec(country.percentage))},{nj(country.narratives)}]"


def _region_json(region: RecipientRegion | None) -> str | None:
    if region is None:
        return None
    return (
        f"[{encode_basestring(region.code)},{jstr(region.vocabulary)},{jstr(region.vocabulary_uri)},"
        f"{jstr(dec(region.percentage))},{nj(region.narratives)}]"
    )


def utc(moment: datetime | None) -> datetime | None:
    return None if moment is None else moment.astimezone(UTC)


@dataclass(frozen=True, slots=True)
class Context:
    """What :func:`prepare` needs besides the activity: rates, focus map, ISO2 -> ISO3."""

    rates: Rates
    focus: FocusMap
    iso2_to_iso3: Mapping[str, str]
    #: table key ("activity" or a TABLES key) -> (column index, max length) of size-limited text columns
    limits: Mapping[str, tuple[tuple[int, int], ...]] = field(default_factory=dict)
    #: fingerprint of ``iso2_to_iso3``: loading other reference economies re-derives stored activities
    places: str = field(init=False, default="")

    def __post_init__(self) -> None:
        mapping = repr(sorted(self.iso2_to_iso3.items())).encode()
        object.__setattr__(self, "places", hashlib.sha256(mapping).hexdigest()[:12])

    @property
    def derivation(self) -> str:
        return f"{DERIVATION_VERSION}:{self.rates.fingerprint}:{self.focus.fingerprint}:{self.places}"


def derivation_version(derivation: str) -> str:
    """The DERIVATION_VERSION a stored ``derivation`` was made with (its content hash's definition too)."""
    return derivation.split(":", 1)[0]


def content_hash(activity_row: Row, children: Mapping[str, list[Row]]) -> str:
    """A fingerprint of the published content: every non-derived column of every content table.

    Rows hold only str/int/float/bool/None, so ``repr`` is deterministic and fast.
    """
    digest = hashlib.sha256(repr(activity_row[: ACTIVITY_CONTENT + 1]).encode("utf-8", "surrogatepass"))
    for key, table in TABLES.items():
        if not table.content:
            continue
        rows = children.get(key, ())
        if table.derived:
            cut = len(table.columns) - table.derived
            text = repr([row[:cut] for row in rows])
        else:
            text = repr(rows)
        digest.update(key.encode())
        digest.update(text.encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


def prepare(
    activity: ActivityDTO,
    findings: tuple[Finding, ...],
    ctx: Context,
    line: int | None = None,
    file_index: int = 0,
) -> Prepared:
    """One activity as rows (see module docstring)."""
    a = activity
    text = money.activity_text(a)
    area = ctx.focus.for_text(text)
    result = money.compute(a, ctx.rates, ctx.focus, text, area)
    reporting = a.reporting_org
    publisher = (reporting.ref or "") if reporting else ""
    start, end = a.start_date, a.end_date
    reporting_data = (
        None
        if reporting is None
        else (
            f'{{"ref":{jstr(reporting.ref)},"type":{jstr(reporting.type)},'
            f'"secondary":{to_json(reporting.secondary_reporter)},"narratives":{nj(reporting.narratives)}}}'
        )
    )
    content: Row = (
        a.iati_identifier,
        publisher,
        reporting_data,
        _s(a.version),
        utc(a.last_updated_datetime),
        _s(a.default_language),
        _s(a.default_currency),
        a.hierarchy,
        a.humanitarian,
        _s(a.budget_not_provided),
        nj(a.titles),
        "[" + ",".join(f"[{jstr(d.type)},{nj(d.narratives)}]" for d in a.descriptions) + "]",
        _s(a.activity_status),
        _s(a.activity_scope),
        _s(a.collaboration_type),
        _s(a.default_flow_type),
        _s(a.default_finance_type),
        to_json([[t.code, t.vocabulary] for t in a.default_aid_types]),
        _s(a.default_tied_status),
        line,
        a.title or "",
        iso(start),
        iso(end),
        start.year if start else None,
        end.year if end else None,
        text.lower(),
    )
    children: dict[str, list[Row]] = {}
    children["date"] = [
        (i, d.type, iso(d.iso_date), nj(d.narratives)) for i, d in enumerate(a.activity_dates)
    ]
    children["participating_org"] = [
        (
            i,
            _s(p.role),
            _s(p.ref),
            _s(p.type),
            _s(p.activity_id),
            _s(p.crs_channel_code),
            nj(p.narratives),
            p.role is not None,
        )
        for i, p in enumerate(a.participating_orgs)
    ]
    children["other_identifier"] = [
        (i, o.ref, _s(o.type), _s(o.owner_ref), nj(o.owner_narratives))
        for i, o in enumerate(a.other_identifiers)
    ]
    to_iso3 = ctx.iso2_to_iso3
    children["country"] = [
        (i, c.code, dec(c.percentage), nj(c.narratives), money.iso3_of(c.code, to_iso3))
        for i, c in enumerate(a.recipient_countries)
    ]
    children["region"] = [
        (i, r.code, r.vocabulary, _s(r.vocabulary_uri), dec(r.percentage), nj(r.narratives))
        for i, r in enumerate(a.recipient_regions)
    ]
    children["location"] = [
        (
            i,
            _s(loc.ref),
            _s(loc.reach),
            to_json([[x.vocabulary, x.code] for x in loc.location_ids]),
            nj(loc.name),
            nj(loc.description),
            nj(loc.activity_description),
            to_json([[x.vocabulary, x.code, x.level] for x in loc.administratives]),
            _s(loc.point_srs_name),
            _s(loc.point_pos),
            loc.latitude,
            loc.longitude,
            _s(loc.exactness),
            _s(loc.location_class),
            _s(loc.feature_designation),
        )
        for i, loc in enumerate(a.locations)
    ]
    children["sector"] = [
        (
            i,
            s.code,
            s.vocabulary,
            _s(s.vocabulary_uri),
            dec(s.percentage),
            nj(s.narratives),
            area(s.vocabulary, s.code),
        )
        for i, s in enumerate(a.sectors)
    ]
    children["tag"] = [
        (i, t.code, t.vocabulary, _s(t.vocabulary_uri), nj(t.narratives)) for i, t in enumerate(a.tags)
    ]
    children["policy_marker"] = [
        (i, m.code, m.vocabulary, _s(m.significance), _s(m.vocabulary_uri), nj(m.narratives))
        for i, m in enumerate(a.policy_markers)
    ]
    rates = ctx.rates
    children["budget"] = [
        (
            i,
            _s(b.type),
            _s(b.status),
            iso(b.period_start),
            iso(b.period_end),
            *_money(b.value, b.currency, b.value_date),
            *_fx(rates.convert(b.value, b.currency, b.value_date or b.period_start)),
        )
        for i, b in enumerate(a.budgets)
    ]
    children["planned_disbursement"] = [
        (
            i,
            _s(p.type),
            iso(p.period_start),
            iso(p.period_end),
            *_money(p.value, p.currency, p.value_date),
            org_json(p.provider_org),
            org_json(p.receiver_org),
            *_fx(rates.convert(p.value, p.currency, p.value_date or p.period_start)),
        )
        for i, p in enumerate(a.planned_disbursements)
    ]
    transactions = []
    for i, (t, conv) in enumerate(zip(a.transactions, result.conversions, strict=True)):
        provider, receiver = t.provider_org, t.receiver_org
        transactions.append(
            (
                i,
                _s(t.type),
                iso(t.date),
                *_money(t.value, t.currency, t.value_date),
                _s(t.ref),
                t.humanitarian,
                nj(t.description),
                org_json(provider),
                org_json(receiver),
                _s(provider.ref) if provider else "",
                (pick_text(provider.narratives) or "") if provider else "",
                _s(provider.activity_id) if provider else "",
                _s(receiver.ref) if receiver else "",
                (pick_text(receiver.narratives) or "") if receiver else "",
                _s(receiver.activity_id) if receiver else "",
                _s(t.disbursement_channel),
                "[" + ",".join(_sector_json(s) for s in t.sectors) + "]",
                _country_json(t.recipient_country),
                t.recipient_country.code if t.recipient_country else "",
                _region_json(t.recipient_region),
                _s(t.flow_type),
                _s(t.finance_type),
                to_json([[x.code, x.vocabulary] for x in t.aid_types]),
                _s(t.tied_status),
                *_fx(conv),
            )
        )
    children["transaction"] = transactions
    children["document_link"] = [
        (
            i,
            d.url,
            _s(d.format),
            nj(d.title),
            nj(d.description),
            to_json(list(d.categories)),
            to_json(list(d.languages)),
            iso(d.document_date),
        )
        for i, d in enumerate(a.document_links)
    ]
    children["related_activity"] = [(i, r.ref, _s(r.type)) for i, r in enumerate(a.related_activities)]
    _results(a, children)
    digest = content_hash(content, children)
    row = (
        *content,
        _usd(result.totals_usd.get("2")),
        _usd(result.totals_usd.get("3")),
        _usd(result.totals_usd.get("4")),
        result.unconvertible,
        digest,
        ctx.derivation,
    )
    facets: list[Row] = [
        ("country", money.iso3_of(c, to_iso3) or c.upper()) for c in sorted(money.country_codes_of(a))
    ]
    facets += [("focus", f) for f in sorted(money.focus_areas_of(a, area))]
    sector_codes = {s.code for s in a.sectors} | {s.code for t in a.transactions for s in t.sectors}
    facets += [("sector", code[:100]) for code in sorted(sector_codes)]
    children["facet"] = facets
    children["fact"] = [
        (
            f.transaction_type,
            f.year,
            money.iso3_of(f.country, to_iso3),
            f.country[:5],
            f.region[:30],
            f.focus_area,
            f.provider_key[:255],
            f.provider_name,
            f.currency,
            format(f.value.quantize(_TEN_DECIMALS), "f"),
            None if f.value_usd is None else format(f.value_usd.quantize(_CENTI_CENT), "f"),
            f.transactions,
        )
        for f in result.facts
    ]
    finding_rows: list[Row] = [
        (None, f.severity, str(f.code), f.message, f.path[:500], f.line) for f in findings
    ]
    finding_rows += [(None, "warning", n.code, n.message, n.path, None) for n in result.notes]
    children["finding"] = finding_rows
    reporting_link = None
    if reporting is not None and reporting.ref:
        reporting_link = (
            reporting.ref,
            pick_text(reporting.narratives, a.default_language) or reporting.ref,
            _s(reporting.type),
        )
    if ctx.limits:
        row = clip(row, ctx.limits.get("activity", ()))
        for key, rows in children.items():
            limits = ctx.limits.get(key)
            if limits:
                children[key] = [clip(r, limits) for r in rows]
    return Prepared(
        identifier=a.iati_identifier,
        publisher_ref=publisher,
        last_updated=utc(a.last_updated_datetime),
        content_hash=digest,
        derivation=ctx.derivation,
        reporting_org=reporting_link,
        activity=row,
        children=children,
        line=line,
        file_index=file_index,
    )


def clip(row: Row, limits: tuple[tuple[int, int], ...]) -> Row:
    """Cut over-long published strings (garbage codes, not real data) to their column's size, so one bad
    value cannot abort a whole batch on PostgreSQL (SQLite would store it whole)."""
    for index, length in limits:
        value = row[index]
        if isinstance(value, str) and len(value) > length:
            row = (*row[:index], value[:length], *row[index + 1 :])
    return row


_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))
_CENTI_CENT = Decimal("0.0001")
_TEN_DECIMALS = Decimal("0.0000000001")


def _usd(value: Decimal | None) -> str | None:
    return None if value is None else format(value.quantize(Decimal("0.01")), "f")


def _results(a: ActivityDTO, children: dict[str, list[Row]]) -> None:
    results: list[Row] = []
    indicators: list[Row] = []
    baselines: list[Row] = []
    periods: list[Row] = []
    values: list[Row] = []
    for r_pos, result in enumerate(a.results):
        r_index = len(results)
        results.append(
            (r_pos, _s(result.type), result.aggregation_status, nj(result.title), nj(result.description))
        )
        for i_pos, indicator in enumerate(result.indicators):
            i_index = len(indicators)
            indicators.append(
                (
                    r_index,
                    i_pos,
                    _s(indicator.measure),
                    indicator.ascending,
                    indicator.aggregation_status,
                    nj(indicator.title),
                    nj(indicator.description),
                )
            )
            for b_pos, baseline in enumerate(indicator.baselines):
                baselines.append(
                    (
                        i_index,
                        b_pos,
                        baseline.year,
                        iso(baseline.iso_date),
                        baseline.value,
                        _num(baseline.value),
                        nj(baseline.comment),
                    )
                )
            for p_pos, period in enumerate(indicator.periods):
                p_index = len(periods)
                periods.append((i_index, p_pos, iso(period.start), iso(period.end)))
                position = 0
                for kind, items in (("target", period.targets), ("actual", period.actuals)):
                    for item in items:
                        values.append(
                            (p_index, position, kind, item.value, _num(item.value), nj(item.comment))
                        )
                        position += 1
    children["result"] = results
    children["indicator"] = indicators
    children["baseline"] = baselines
    children["period"] = periods
    children["period_value"] = values

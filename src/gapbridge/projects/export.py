"""Stored activities -> DTOs -> IATI 2.03 XML (the inverse of :mod:`gapbridge.projects.rows`).

:func:`activity_dtos` rebuilds :class:`~gapbridge.iati.dto.ActivityDTO` values from the tables, a chunk
of activities at a time (one query per table per chunk), so an export of any size streams. The XML is
written by the IATI adapter's writer (:func:`gapbridge.iati.writer.write_activities`), which leaves out
what the 2.03 schema cannot take without invented data; such activities are counted, not fatal.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import IO, Any

from django.db.models import Model

from gapbridge.iati import dto
from gapbridge.iati.errors import UnwritableActivityError
from gapbridge.iati.findings import Finding
from gapbridge.iati.writer import (
    prepare_for_write,
    prepare_organisation,
    write_activities,
    write_organisations,
)
from gapbridge.projects.models import (
    Activity,
    ActivityDate,
    ActivityQuerySet,
    Budget,
    DocumentLink,
    IatiOrganisation,
    IndicatorBaseline,
    IndicatorPeriod,
    IndicatorPeriodValue,
    Location,
    OtherIdentifier,
    ParticipatingOrg,
    PlannedDisbursement,
    PolicyMarker,
    RecipientCountry,
    RecipientRegion,
    RelatedActivity,
    Result,
    ResultIndicator,
    Sector,
    Tag,
    Transaction,
)
from gapbridge.projects.models.imports import (
    OrganisationBudget,
    OrganisationExpenditure,
    OrganisationRecipientBudget,
)

CHUNK = 500


def n(value: Any) -> dto.Narratives:
    """Narratives from their stored JSON ``[[text, lang], ...]``."""
    return tuple(dto.Narrative(text, lang) for text, lang in (value or ()))


def o(value: str) -> str | None:
    """A stored text code ('' = not given) -> DTO value."""
    return value or None


def d(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    return value if isinstance(value, Decimal) else Decimal(str(value))


def t_org(value: dict[str, Any] | None) -> dto.TransactionOrg | None:
    if value is None:
        return None
    return dto.TransactionOrg(
        value.get("ref"), value.get("type"), value.get("activity_id"), n(value.get("narratives"))
    )


def _money(row: dict[str, Any]) -> tuple[Decimal | None, str | None, dt.date | None]:
    text = row["value_text"]
    return (Decimal(text) if text else None), o(row["currency"]), row["value_date"]


def _sector(item: list[Any]) -> dto.Sector:
    code, vocabulary, uri, narratives = item
    return dto.Sector(code, vocabulary, uri, None, n(narratives))


@dataclass
class _Parts:
    by_table: dict[str, dict[int, list[dict[str, Any]]]] = field(default_factory=dict)

    def of(self, table: str, activity_id: int) -> list[dict[str, Any]]:
        return self.by_table.get(table, {}).get(activity_id, [])


_CHILD_MODELS: dict[str, type[Model]] = {
    "date": ActivityDate,
    "participating_org": ParticipatingOrg,
    "other_identifier": OtherIdentifier,
    "country": RecipientCountry,
    "region": RecipientRegion,
    "location": Location,
    "sector": Sector,
    "tag": Tag,
    "policy_marker": PolicyMarker,
    "budget": Budget,
    "planned_disbursement": PlannedDisbursement,
    "transaction": Transaction,
    "document_link": DocumentLink,
    "related_activity": RelatedActivity,
    "result": Result,
    "indicator": ResultIndicator,
    "baseline": IndicatorBaseline,
    "period": IndicatorPeriod,
    "period_value": IndicatorPeriodValue,
}


def _load_parts(ids: Sequence[int]) -> _Parts:
    parts = _Parts()
    for key, model in _CHILD_MODELS.items():
        grouped: dict[int, list[dict[str, Any]]] = defaultdict(list)
        rows = model._default_manager.filter(activity_id__in=ids).order_by("activity_id", "position", "id")
        for row in rows.values():
            grouped[row["activity_id"]].append(row)
        parts.by_table[key] = grouped
    return parts


def _results(parts: _Parts, activity_id: int) -> tuple[dto.Result, ...]:
    indicators: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in parts.of("indicator", activity_id):
        indicators[row["result_id"]].append(row)
    baselines: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in parts.of("baseline", activity_id):
        baselines[row["indicator_id"]].append(row)
    periods: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in parts.of("period", activity_id):
        periods[row["indicator_id"]].append(row)
    values: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in parts.of("period_value", activity_id):
        values[row["period_id"]].append(row)

    def period(row: dict[str, Any]) -> dto.Period:
        items = values.get(row["id"], [])
        return dto.Period(
            row["period_start"],
            row["period_end"],
            tuple(dto.ResultValue(v["value"], n(v["comment"])) for v in items if v["kind"] == "target"),
            tuple(dto.ResultValue(v["value"], n(v["comment"])) for v in items if v["kind"] == "actual"),
        )

    def indicator(row: dict[str, Any]) -> dto.Indicator:
        return dto.Indicator(
            o(row["measure"]),
            n(row["title"]),
            n(row["description"]),
            row["ascending"],
            row["aggregation_status"],
            tuple(
                dto.Baseline(b["year"], b["iso_date"], b["value"], n(b["comment"]))
                for b in baselines.get(row["id"], [])
            ),
            tuple(period(p) for p in periods.get(row["id"], [])),
        )

    return tuple(
        dto.Result(
            o(r["type"]),
            n(r["title"]),
            n(r["description"]),
            r["aggregation_status"],
            tuple(indicator(i) for i in indicators.get(r["id"], [])),
        )
        for r in parts.of("result", activity_id)
    )


def _reporting(data: dict[str, Any] | None) -> dto.ReportingOrg | None:
    if data is None:
        return None
    return dto.ReportingOrg(
        data.get("ref"), data.get("type"), n(data.get("narratives")), data.get("secondary")
    )


def _activity(a: Activity, parts: _Parts) -> dto.ActivityDTO:
    pk = a.pk
    locations = tuple(
        dto.Location(
            ref=o(row["ref"]),
            reach=o(row["reach"]),
            location_ids=tuple(dto.LocationId(v, c) for v, c in row["location_ids"]),
            name=n(row["name"]),
            description=n(row["description"]),
            activity_description=n(row["activity_description"]),
            administratives=tuple(dto.Administrative(v, c, lvl) for v, c, lvl in row["administratives"]),
            point_srs_name=o(row["point_srs_name"]),
            point_pos=o(row["point_pos"]),
            exactness=o(row["exactness"]),
            location_class=o(row["location_class"]),
            feature_designation=o(row["feature_designation"]),
        )
        for row in parts.of("location", pk)
    )
    transactions = []
    for row in parts.of("transaction", pk):
        value, currency, value_date = _money(row)
        country = row["recipient_country"]
        region = row["recipient_region"]
        transactions.append(
            dto.Transaction(
                type=o(row["type"]),
                date=row["date"],
                value=value,
                currency=currency,
                value_date=value_date,
                ref=o(row["ref"]),
                humanitarian=row["humanitarian"],
                description=n(row["description"]),
                provider_org=t_org(row["provider_org"]),
                receiver_org=t_org(row["receiver_org"]),
                disbursement_channel=o(row["disbursement_channel"]),
                sectors=tuple(_sector(s) for s in row["sectors"]),
                recipient_country=None
                if country is None
                else dto.RecipientCountry(country[0], d(country[1]), n(country[2])),
                recipient_region=None
                if region is None
                else dto.RecipientRegion(region[0], region[1], region[2], d(region[3]), n(region[4])),
                flow_type=o(row["flow_type"]),
                finance_type=o(row["finance_type"]),
                aid_types=tuple(dto.AidType(c, v) for c, v in row["aid_types"]),
                tied_status=o(row["tied_status"]),
            )
        )
    budgets = []
    for row in parts.of("budget", pk):
        value, currency, value_date = _money(row)
        budgets.append(
            dto.Budget(
                o(row["type"]),
                o(row["status"]),
                row["period_start"],
                row["period_end"],
                value,
                currency,
                value_date,
            )
        )
    planned = []
    for row in parts.of("planned_disbursement", pk):
        value, currency, value_date = _money(row)
        planned.append(
            dto.PlannedDisbursement(
                o(row["type"]),
                row["period_start"],
                row["period_end"],
                value,
                currency,
                value_date,
                t_org(row["provider_org"]),
                t_org(row["receiver_org"]),
            )
        )
    return dto.ActivityDTO(
        iati_identifier=a.iati_identifier,
        version=o(a.version),
        last_updated_datetime=a.last_updated_datetime,
        default_language=o(a.default_language),
        default_currency=o(a.default_currency),
        hierarchy=a.hierarchy,
        humanitarian=a.humanitarian,
        budget_not_provided=o(a.budget_not_provided),
        reporting_org=_reporting(a.reporting_org_data),
        titles=n(a.titles),
        descriptions=tuple(dto.Description(kind, n(narratives)) for kind, narratives in a.descriptions),
        participating_orgs=tuple(
            dto.ParticipatingOrg(
                row["role"] if row["role_given"] else None,
                o(row["ref"]),
                o(row["type"]),
                o(row["activity_ref"]),
                o(row["crs_channel_code"]),
                n(row["narratives"]),
            )
            for row in parts.of("participating_org", pk)
        ),
        other_identifiers=tuple(
            dto.OtherIdentifier(row["ref"], o(row["type"]), o(row["owner_ref"]), n(row["owner_narratives"]))
            for row in parts.of("other_identifier", pk)
        ),
        activity_status=o(a.activity_status),
        activity_dates=tuple(
            dto.ActivityDate(row["type"], row["iso_date"], n(row["narratives"]))
            for row in parts.of("date", pk)
        ),
        activity_scope=o(a.activity_scope),
        recipient_countries=tuple(
            dto.RecipientCountry(row["code"], d(row["percentage"]), n(row["narratives"]))
            for row in parts.of("country", pk)
        ),
        recipient_regions=tuple(
            dto.RecipientRegion(
                row["code"],
                row["vocabulary"],
                o(row["vocabulary_uri"]),
                d(row["percentage"]),
                n(row["narratives"]),
            )
            for row in parts.of("region", pk)
        ),
        locations=locations,
        sectors=tuple(
            dto.Sector(
                row["code"],
                row["vocabulary"],
                o(row["vocabulary_uri"]),
                d(row["percentage"]),
                n(row["narratives"]),
            )
            for row in parts.of("sector", pk)
        ),
        tags=tuple(
            dto.Tag(row["code"], row["vocabulary"], o(row["vocabulary_uri"]), n(row["narratives"]))
            for row in parts.of("tag", pk)
        ),
        policy_markers=tuple(
            dto.PolicyMarker(
                row["code"],
                row["vocabulary"],
                o(row["significance"]),
                o(row["vocabulary_uri"]),
                n(row["narratives"]),
            )
            for row in parts.of("policy_marker", pk)
        ),
        collaboration_type=o(a.collaboration_type),
        default_flow_type=o(a.default_flow_type),
        default_finance_type=o(a.default_finance_type),
        default_aid_types=tuple(dto.AidType(c, v) for c, v in a.default_aid_types),
        default_tied_status=o(a.default_tied_status),
        budgets=tuple(budgets),
        planned_disbursements=tuple(planned),
        transactions=tuple(transactions),
        document_links=tuple(
            dto.DocumentLink(
                row["url"],
                o(row["format"]),
                n(row["title"]),
                n(row["description"]),
                tuple(row["categories"]),
                tuple(row["languages"]),
                row["document_date"],
            )
            for row in parts.of("document_link", pk)
        ),
        related_activities=tuple(
            dto.RelatedActivity(row["ref"], o(row["type"])) for row in parts.of("related_activity", pk)
        ),
        results=_results(parts, pk),
    )


def activity_dtos(activities: Iterable[Activity] | ActivityQuerySet) -> Iterator[dto.ActivityDTO]:
    """DTOs of the given activities (a queryset streams in chunks, in id order)."""
    if isinstance(activities, ActivityQuerySet):
        last = 0
        while True:  # keyset pages, so an export of any size streams
            chunk = list(activities.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:CHUNK])
            if not chunk:
                return
            last = chunk[-1]
            rows = list(Activity.objects.filter(pk__in=chunk).order_by("pk"))
            parts = _load_parts(chunk)
            for activity in rows:
                yield _activity(activity, parts)
    listed = list(activities)
    for start in range(0, len(listed), CHUNK):
        chunk_rows = listed[start : start + CHUNK]
        parts = _load_parts([a.pk for a in chunk_rows])
        for activity in chunk_rows:
            yield _activity(activity, parts)


def activity_dto(activity: Activity) -> dto.ActivityDTO:
    return _activity(activity, _load_parts([activity.pk]))


@dataclass
class ExportResult:
    """What an export wrote: activities written, those left out whole (why), and the items of written
    activities the 2.03 schema could not take as they are (``"element: what"`` -> count)."""

    written: int = 0
    unwritable: list[str] = field(default_factory=list)
    left_out: Counter[str] = field(default_factory=Counter)


def left_out_key(note: Finding) -> str:
    """``"element: what"`` for a ``not-written`` finding of ``prepare_for_write``: the element is the last
    one of its path (``result[1]/indicator[2]`` -> ``indicator``), as docs/iati.md lists them."""
    parts = [part for part in note.path.split("/") if part and not part.startswith("@")]
    element = _POSITION.sub("", parts[-1]) if parts else note.path
    return f"{element}: {note.message}"


_POSITION = re.compile(r"\[\d+\]$")


def export_activities(
    activities: ActivityQuerySet,
    out: str | IO[bytes],
    *,
    progress: Callable[[int], None] | None = None,
    generated: dt.datetime | None = None,
) -> ExportResult:
    """Write ``activities`` as an IATI 2.03 activity file; unwritable ones are listed, not fatal, and so
    is every item of a written activity that was left out or changed to fit the schema."""
    result = ExportResult()
    name = out if isinstance(out, str) else str(getattr(out, "name", "<stream>"))

    def prepared() -> Iterator[dto.ActivityDTO]:
        for seen, item in enumerate(activity_dtos(activities), 1):
            try:
                ready, notes = prepare_for_write(item, name)
            except UnwritableActivityError as error:
                result.unwritable.append(error.message)
            else:
                result.left_out.update(left_out_key(note) for note in notes)
                result.written += 1
                yield ready  # the writer prepares it again: a no-op on a prepared activity
            if progress is not None:
                progress(seen)

    write_activities(prepared(), out, generated_datetime=generated)
    return result


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def _budget_lines(lines: Any) -> tuple[dto.OrganisationBudgetLine, ...]:
    return tuple(
        dto.OrganisationBudgetLine(
            ref=line.get("ref"),
            value=Decimal(line["value"]) if line.get("value") else None,
            currency=line.get("currency"),
            value_date=_date(line.get("value_date")),
            narratives=n(line.get("narratives")),
        )
        for line in lines or ()
    )


def _recipient_kind(value: str) -> dto.RecipientKind:
    if value == "org":
        return "org"
    if value == "country":
        return "country"
    return "region"


def _amount(
    row: OrganisationBudget | OrganisationRecipientBudget | OrganisationExpenditure,
) -> dict[str, Any]:
    """A stored budget's or expenditure's period, value (exactly as published) and lines, for its DTO."""
    return {
        "period_start": row.period_start,
        "period_end": row.period_end,
        "value": Decimal(row.value_text) if row.value_text else None,
        "currency": o(row.currency),
        "value_date": row.value_date,
        "lines": _budget_lines(row.lines),
    }


def organisation_dtos(organisations: Iterable[IatiOrganisation]) -> Iterator[dto.OrganisationDTO]:
    """Rebuild the organisation DTOs from their tables (the inverse of ``services.save_organisations``)."""
    for org in organisations:
        yield dto.OrganisationDTO(
            organisation_identifier=org.organisation_identifier,
            version=o(org.version),
            last_updated_datetime=org.last_updated_datetime,
            default_language=o(org.default_language),
            default_currency=o(org.default_currency),
            name=n(org.name),
            reporting_org=_reporting(org.reporting_org_data),
            total_budgets=tuple(
                dto.OrganisationBudget(status=o(b.status), **_amount(b))
                for b in org.total_budgets.order_by("position")
            ),
            recipient_budgets=tuple(
                dto.RecipientBudget(
                    kind=_recipient_kind(b.kind),
                    recipient=dto.OrganisationRecipient(
                        code=o(b.recipient_code),
                        narratives=n(b.recipient_narratives),
                        vocabulary=o(b.recipient_vocabulary),
                        vocabulary_uri=o(b.recipient_vocabulary_uri),
                    ),
                    status=o(b.status),
                    **_amount(b),
                )
                for b in org.recipient_budgets.order_by("position")
            ),
            total_expenditures=tuple(
                dto.OrganisationExpenditure(**_amount(e)) for e in org.total_expenditures.order_by("position")
            ),
            document_links=tuple(
                dto.OrganisationDocumentLink(
                    link=dto.DocumentLink(
                        url=d.url,
                        format=o(d.format),
                        title=n(d.title),
                        description=n(d.description),
                        categories=tuple(d.categories),
                        languages=tuple(d.languages),
                        document_date=d.document_date,
                    ),
                    recipient_countries=tuple(
                        dto.OrganisationRecipient(code=code, narratives=n(narratives))
                        for code, narratives in d.recipient_countries
                    ),
                )
                for d in org.document_links.order_by("position")
            ),
        )


def export_organisations(
    organisations: Iterable[IatiOrganisation], out: str | IO[bytes], *, generated: dt.datetime | None = None
) -> ExportResult:
    """Write an IATI 2.03 organisation file; unwritable organisations are listed, not fatal, and so is
    every item of a written organisation that was left out or changed to fit the schema."""
    result = ExportResult()
    name = out if isinstance(out, str) else str(getattr(out, "name", "<stream>"))

    def prepared() -> Iterator[dto.OrganisationDTO]:
        for item in organisation_dtos(organisations):
            try:
                ready, notes = prepare_organisation(item, name)
            except UnwritableActivityError as error:
                result.unwritable.append(error.message)
            else:
                result.left_out.update(left_out_key(note) for note in notes)
                result.written += 1
                yield ready  # the writer prepares it again: a no-op on a prepared organisation

    write_organisations(prepared(), out, generated_datetime=generated)
    return result

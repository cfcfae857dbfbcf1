"""Serializer: DTOs -> IATI 2.03 XML that validates against the official 2.03 schema.

Output is streamed with ``lxml.etree.xmlfile``: one ``iati-activity`` element is built, written and
dropped at a time. The 2.03 schema requires some parts that real (older, or sloppy) data lacks; the
serializer never makes data up, so :func:`prepare_for_write` first returns the DTO exactly as it will
be written — items the schema cannot take without invented values are left out (each with a
``not-written`` finding), and value-dates that 2.03 requires default to the transaction date / period
start. An activity that lacks an essential part (reporting-org ref and type, activity-status, an
activity-date, a participating-org with a role) cannot be written: :class:`UnwritableActivityError`.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import UTC, date, datetime
from functools import lru_cache
from typing import IO, Final, Protocol, TypeVar
from urllib.parse import quote

from lxml import etree

from gapbridge.iati.activity import write_activity
from gapbridge.iati.dto import (
    ActivityDTO,
    DocumentLink,
    OrganisationBudget,
    OrganisationBudgetLine,
    OrganisationDocumentLink,
    OrganisationDTO,
    OrganisationExpenditure,
    RecipientBudget,
    Result,
    Transaction,
)
from gapbridge.iati.elements.common import xml_safe
from gapbridge.iati.errors import UnwritableActivityError
from gapbridge.iati.findings import CATALOGUE, Finding, FindingCode
from gapbridge.iati.organisation import RECIPIENT_ORDER, write_organisation

OUTPUT_VERSION: Final = "2.03"

Output = str | os.PathLike[str] | IO[bytes]
X = TypeVar("X")

_ANY_URI_SCHEMA = etree.XMLSchema(
    etree.XML(
        b'<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">'
        b'<xs:element name="u" type="xs:anyURI"/></xs:schema>'
    )
)


@lru_cache(maxsize=4096)
def is_any_uri(value: str) -> bool:
    """Whether libxml2 accepts ``value`` as xs:anyURI (what the 2.03 schema checks)."""
    element = etree.Element("u")
    element.text = xml_safe(value)
    return _ANY_URI_SCHEMA.validate(element)


def any_uri(value: str) -> str | None:
    """``value`` as a valid xs:anyURI: unchanged, or percent-encoded, or ``None`` if hopeless."""
    if is_any_uri(value):
        return value
    for safe in ("/:?#@!$&'()*+,;=%", "/:?#@!$&'()*+,;="):
        quoted = quote(xml_safe(value), safe=safe)
        if is_any_uri(quoted):
            return quoted
    return None


class _HasVocabularyUri(Protocol):
    @property
    def vocabulary_uri(self) -> str | None: ...


V = TypeVar("V", bound=_HasVocabularyUri)


def _uris(items: tuple[V, ...], tag: str, notes: list[Finding]) -> tuple[V, ...]:
    """Items with their ``vocabulary_uri`` made a valid xs:anyURI (or left out)."""
    if all(item.vocabulary_uri is None or is_any_uri(item.vocabulary_uri) for item in items):
        return items
    fixed = []
    for index, item in enumerate(items, 1):
        uri = item.vocabulary_uri
        if uri is not None and not is_any_uri(uri):
            new = any_uri(uri)
            notes.append(
                _dropped(
                    "vocabulary-uri percent-encoded" if new else "vocabulary-uri is not a URI",
                    f"{tag}[{index}]/@vocabulary-uri",
                )
            )
            item = replace(item, vocabulary_uri=new)  # type: ignore[type-var]
        fixed.append(item)
    return tuple(fixed)


def _transaction_uris(transaction: Transaction, index: int, notes: list[Finding]) -> Transaction:
    sectors = _uris(transaction.sectors, f"transaction[{index}]/sector", notes)
    region = transaction.recipient_region
    if region is not None:
        (region,) = _uris((region,), f"transaction[{index}]/recipient-region", notes)
    if sectors is transaction.sectors and region is transaction.recipient_region:
        return transaction
    return replace(transaction, sectors=sectors, recipient_region=region)


def _dropped(what: str, path: str) -> Finding:
    code = FindingCode.NOT_WRITTEN
    return Finding(CATALOGUE[code][0], code, what, path, None)


def _keep(
    items: tuple[X, ...], ok: Callable[[X], bool], what: str, tag: str, notes: list[Finding]
) -> tuple[X, ...]:
    kept = []
    for index, item in enumerate(items, 1):
        if ok(item):
            kept.append(item)
        else:
            notes.append(_dropped(what, f"{tag}[{index}]"))
    return tuple(kept)


def _results(results: tuple[Result, ...], notes: list[Finding]) -> tuple[Result, ...]:
    kept: list[Result] = []
    for r, result in enumerate(results, 1):
        if result.type is None:
            notes.append(_dropped("result without @type", f"result[{r}]"))
            continue
        indicators = []
        for i, indicator in enumerate(result.indicators, 1):
            path = f"result[{r}]/indicator[{i}]"
            if indicator.measure is None:
                notes.append(_dropped("indicator without @measure", path))
                continue
            baselines = tuple(b for b in indicator.baselines if b.year is not None)
            if len(baselines) < len(indicator.baselines):
                notes.append(_dropped("baseline without @year", f"{path}/baseline"))
            periods = tuple(p for p in indicator.periods if p.start is not None and p.end is not None)
            if len(periods) < len(indicator.periods):
                notes.append(_dropped("period without start or end date", f"{path}/period"))
            indicators.append(replace(indicator, baselines=baselines, periods=periods))
        if not indicators:
            notes.append(_dropped("result without a writable indicator", f"result[{r}]"))
            continue
        kept.append(replace(result, indicators=tuple(indicators)))
    return tuple(kept)


def prepare_for_write(activity: ActivityDTO, output: str = "<output>") -> tuple[ActivityDTO, list[Finding]]:
    """The activity exactly as :func:`write_activities` writes it, and what was left out."""

    def unwritable(reason: str) -> UnwritableActivityError:
        return UnwritableActivityError(output, None, f"activity {activity.iati_identifier!r}: {reason}")

    org = activity.reporting_org
    if org is None or org.ref is None or org.type is None:
        raise unwritable("reporting-org with @ref and @type is required by the 2.03 schema")
    if activity.activity_status is None:
        raise unwritable("activity-status is required by the 2.03 schema")
    if not activity.activity_dates:
        raise unwritable("at least one activity-date is required by the 2.03 schema")
    notes: list[Finding] = []

    def keep(items: tuple[X, ...], ok: Callable[[X], bool], what: str, tag: str) -> tuple[X, ...]:
        return _keep(items, ok, what, tag, notes)

    participants = keep(
        activity.participating_orgs, lambda p: p.role is not None, "no @role", "participating-org"
    )
    if not participants:
        raise unwritable("a participating-org with @role is required by the 2.03 schema")
    budgets = keep(
        activity.budgets,
        lambda b: b.period_start is not None and b.period_end is not None and b.value is not None,
        "budget without period or value",
        "budget",
    )
    planned = keep(
        activity.planned_disbursements,
        lambda p: p.period_start is not None and p.value is not None,
        "planned-disbursement without period-start or value",
        "planned-disbursement",
    )
    transactions = keep(
        activity.transactions,
        lambda t: t.type is not None and t.date is not None and t.value is not None,
        "transaction without type, date or value",
        "transaction",
    )
    prepared = replace(
        activity,
        version=OUTPUT_VERSION,
        participating_orgs=participants,
        other_identifiers=keep(
            activity.other_identifiers,
            lambda o: o.type is not None,
            "no @type (1.x data)",
            "other-identifier",
        ),
        budgets=tuple(replace(b, value_date=b.value_date or b.period_start) for b in budgets),
        planned_disbursements=tuple(replace(p, value_date=p.value_date or p.period_start) for p in planned),
        transactions=tuple(
            _transaction_uris(replace(t, value_date=t.value_date or t.date), index, notes)
            for index, t in enumerate(transactions, 1)
        ),
        recipient_regions=_uris(activity.recipient_regions, "recipient-region", notes),
        sectors=_uris(activity.sectors, "sector", notes),
        tags=_uris(activity.tags, "tag", notes),
        policy_markers=_uris(activity.policy_markers, "policy-marker", notes),
        document_links=_document_links(activity, notes),
        related_activities=keep(
            activity.related_activities, lambda r: r.type is not None, "no @type", "related-activity"
        ),
        results=_results(activity.results, notes),
    )
    return prepared, notes


def _document_links(activity: ActivityDTO, notes: list[Finding]) -> tuple[DocumentLink, ...]:
    kept = []
    for index, link in enumerate(activity.document_links, 1):
        path = f"document-link[{index}]"
        if link.format is None or not link.categories:
            notes.append(_dropped("document-link without @format or category", path))
            continue
        url = any_uri(link.url)
        if url is None:
            notes.append(_dropped("document-link/@url is not a URI", path))
            continue
        if url != link.url:
            notes.append(_dropped("document-link/@url percent-encoded", path))
            link = replace(link, url=url)
        kept.append(link)
    return tuple(kept)


def _lines(
    lines: tuple[OrganisationBudgetLine, ...],
    value_date: date,
    path: str,
    tag: str,
    notes: list[Finding],
) -> tuple[OrganisationBudgetLine, ...]:
    """The lines that have a value; a line without value-date takes its parent's (2.03 requires one)."""
    kept = []
    for index, line in enumerate(lines, 1):
        if line.value is None:
            notes.append(_dropped(f"{tag} without value", f"{path}/{tag}[{index}]"))
            continue
        kept.append(line if line.value_date is not None else replace(line, value_date=value_date))
    return tuple(kept)


Amount = TypeVar("Amount", OrganisationBudget, RecipientBudget, OrganisationExpenditure)


def _complete(item: OrganisationBudget | RecipientBudget | OrganisationExpenditure) -> bool:
    """2.03 requires a period and a value of every budget and expenditure."""
    return item.period_start is not None and item.period_end is not None and item.value is not None


def _dated(item: Amount, path: str, line_tag: str, notes: list[Finding]) -> Amount:
    """``item`` with a value-date (the period start when it has none) and its lines that can be written."""
    value_date = item.value_date or item.period_start
    assert value_date is not None  # _complete
    return replace(item, value_date=value_date, lines=_lines(item.lines, value_date, path, line_tag, notes))


def _amounts(items: tuple[Amount, ...], tag: str, line_tag: str, notes: list[Finding]) -> tuple[Amount, ...]:
    """The total-budgets or total-expenditures that can be written, each dated, with its lines."""
    kept = []
    for index, item in enumerate(items, 1):
        path = f"{tag}[{index}]"
        if not _complete(item):
            notes.append(_dropped(f"{tag} without period or value", path))
            continue
        kept.append(_dated(item, path, line_tag, notes))
    return tuple(kept)


def _recipient_budgets(organisation: OrganisationDTO, notes: list[Finding]) -> tuple[RecipientBudget, ...]:
    kept = []
    positions: Counter[str] = Counter()
    for budget in organisation.recipient_budgets:
        tag = f"recipient-{budget.kind}-budget"
        positions[tag] += 1
        path = f"{tag}[{positions[tag]}]"
        if not _complete(budget):
            notes.append(_dropped(f"{tag} without period or value", path))
            continue
        recipient = budget.recipient
        if budget.kind == "country" and recipient.code is None:
            notes.append(_dropped(f"{tag} without recipient-country/@code", path))
            continue
        if recipient.vocabulary_uri is not None:
            uri = any_uri(recipient.vocabulary_uri)
            if uri != recipient.vocabulary_uri:
                what = "percent-encoded" if uri is not None else "left out (not a URI)"
                notes.append(_dropped(f"recipient-region/@vocabulary-uri {what}", path))
                recipient = replace(recipient, vocabulary_uri=uri)
        kept.append(_dated(replace(budget, recipient=recipient), path, "budget-line", notes))
    # written in the schema's order (org, region, country), so the prepared DTO is what is read back
    return tuple(sorted(kept, key=lambda item: RECIPIENT_ORDER.index(item.kind)))


def _organisation_document_links(
    organisation: OrganisationDTO, notes: list[Finding]
) -> tuple[OrganisationDocumentLink, ...]:
    kept = []
    for index, item in enumerate(organisation.document_links, 1):
        link, path = item.link, f"document-link[{index}]"
        if link.format is None or not link.categories:
            notes.append(_dropped("document-link without @format or category", path))
            continue
        url = any_uri(link.url)
        if url is None:
            notes.append(_dropped("document-link/@url is not a URI", path))
            continue
        if url != link.url:
            notes.append(_dropped("document-link/@url percent-encoded", path))
            item = replace(item, link=replace(link, url=url))
        kept.append(item)
    return tuple(kept)


def prepare_organisation(
    organisation: OrganisationDTO, output: str = "<output>"
) -> tuple[OrganisationDTO, list[Finding]]:
    """The organisation exactly as :func:`write_organisations` writes it, and what was left out.

    Budgets and expenditures without a period or value are left out (2.03 requires both), as are
    budget-/expense-lines without a value, recipient-country-budgets without a country code and
    document-links without @format, a category or a usable URL; value-dates default to the
    period start (lines: to their parent's value-date).
    """
    org = organisation.reporting_org
    if org is None or org.ref is None or org.type is None:
        raise UnwritableActivityError(
            output,
            None,
            f"organisation {organisation.organisation_identifier!r}: "
            "reporting-org with @ref and @type is required",
        )
    notes: list[Finding] = []
    prepared = replace(
        organisation,
        version=OUTPUT_VERSION,
        total_budgets=_amounts(organisation.total_budgets, "total-budget", "budget-line", notes),
        recipient_budgets=_recipient_budgets(organisation, notes),
        total_expenditures=_amounts(
            organisation.total_expenditures, "total-expenditure", "expense-line", notes
        ),
        document_links=_organisation_document_links(organisation, notes),
    )
    return prepared, notes


def _output_name(out: Output) -> str:
    if isinstance(out, str | os.PathLike):
        return os.fspath(out)
    return str(getattr(out, "name", "<stream>"))


def _stamp(generated: datetime | None) -> str:
    moment = generated or datetime.now(UTC)
    return moment.isoformat(timespec="seconds")


def write_activities(
    activities: Iterable[ActivityDTO],
    out: Output,
    *,
    generated_datetime: datetime | None = None,
    on_unwritable: Callable[[UnwritableActivityError], None] | None = None,
) -> None:
    """Write an ``iati-activities`` 2.03 file to ``out`` (path or binary stream).

    An activity that cannot be written raises :class:`UnwritableActivityError`, unless
    ``on_unwritable`` is given: then it is called and the activity skipped.
    """
    name = _output_name(out)
    with etree.xmlfile(out, encoding="utf-8") as xf:
        xf.write_declaration()
        with xf.element(
            "iati-activities", {"version": OUTPUT_VERSION, "generated-datetime": _stamp(generated_datetime)}
        ):
            for activity in activities:
                try:
                    prepared, _notes = prepare_for_write(activity, name)
                except UnwritableActivityError as error:
                    if on_unwritable is None:
                        raise
                    on_unwritable(error)
                    continue
                xf.write(write_activity(prepared), pretty_print=True)


def write_organisations(
    organisations: Iterable[OrganisationDTO],
    out: Output,
    *,
    generated_datetime: datetime | None = None,
    on_unwritable: Callable[[UnwritableActivityError], None] | None = None,
) -> None:
    """Write an ``iati-organisations`` 2.03 file to ``out`` (same rules as :func:`write_activities`)."""
    name = _output_name(out)
    with etree.xmlfile(out, encoding="utf-8") as xf:
        xf.write_declaration()
        attributes = {"version": OUTPUT_VERSION, "generated-datetime": _stamp(generated_datetime)}
        with xf.element("iati-organisations", attributes):
            for organisation in organisations:
                try:
                    prepared, _notes = prepare_organisation(organisation, name)
                except UnwritableActivityError as error:
                    if on_unwritable is None:
                        raise
                    on_unwritable(error)
                    continue
                xf.write(write_organisation(prepared), pretty_print=True)

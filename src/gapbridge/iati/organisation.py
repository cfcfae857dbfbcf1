"""``iati-organisation`` <-> :class:`OrganisationDTO`.

Read and written: identifier, name, reporting-org, total-budget, recipient-org-budget,
recipient-region-budget, recipient-country-budget (each with its budget-lines), total-expenditure (with
its expense-lines) and document-link (with its recipient-countries). 1.x files call the identifier
``iati-identifier`` and put names and titles directly in the element; both are read.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from lxml import etree

from gapbridge.iati.codelists import Codelists
from gapbridge.iati.dto import (
    Narratives,
    OrganisationBudget,
    OrganisationBudgetLine,
    OrganisationDocumentLink,
    OrganisationDTO,
    OrganisationExpenditure,
    OrganisationRecipient,
    RecipientBudget,
    RecipientKind,
    ReportingOrg,
)
from gapbridge.iati.elements import links, orgs
from gapbridge.iati.elements.common import (
    XML_LANG,
    Element,
    ReadContext,
    clean,
    language_tag,
    sub,
    text_element,
    write_money,
    write_narratives,
    xml_safe,
)
from gapbridge.iati.elements.geography import REGION_CODELISTS
from gapbridge.iati.findings import Finding, FindingCode

RECIPIENT_BUDGETS: dict[str, RecipientKind] = {
    "recipient-org-budget": "org",
    "recipient-country-budget": "country",
    "recipient-region-budget": "region",
}
#: The order of the recipient budgets in the 2.03 organisation schema.
RECIPIENT_ORDER: tuple[RecipientKind, ...] = ("org", "region", "country")


class _Money:
    """period, value and lines of one budget-like element, read in any child order."""

    __slots__ = ("amount", "currency", "end", "lines", "start", "value_date")

    def __init__(self) -> None:
        self.start: date | None = None
        self.end: date | None = None
        self.amount: Decimal | None = None
        self.currency: str | None = None
        self.value_date: date | None = None
        self.lines: list[OrganisationBudgetLine] = []


def _read_line(element: Element, ctx: ReadContext) -> OrganisationBudgetLine:
    amount = currency = value_date = None
    seen_value = False
    for child in element:
        if child.tag == "value":
            seen_value = True
            amount, currency, value_date = ctx.money(child)
    if not seen_value:
        ctx.missing(element, None, f"{element.tag} has no value element")
    return OrganisationBudgetLine(
        ref=clean(element.get("ref")),
        value=amount,
        currency=currency,
        value_date=value_date,
        narratives=ctx.narratives(element, text_fallback=False),
    )


def _read_budget_parts(element: Element, ctx: ReadContext, line_tag: str) -> _Money:
    parts = _Money()
    seen_value = False
    for child in element:
        tag = child.tag
        if tag == "value":
            seen_value = True
            parts.amount, parts.currency, parts.value_date = ctx.money(child)
        elif tag == "period-start":
            parts.start = ctx.date_value(child)
        elif tag == "period-end":
            parts.end = ctx.date_value(child)
        elif tag == line_tag:
            parts.lines.append(_read_line(child, ctx))
    if not seen_value:
        ctx.missing(element, None, f"{element.tag} has no value element")
    if parts.start is not None and parts.end is not None and parts.end < parts.start:
        ctx.add(
            FindingCode.DATE_ORDER,
            f"{element.tag} period ends {parts.end} before it starts {parts.start}",
            element,
        )
    return parts


def _amount(parts: _Money) -> dict[str, Any]:
    """The period, value and lines every budget and expenditure of an organisation file has."""
    return {
        "period_start": parts.start,
        "period_end": parts.end,
        "value": parts.amount,
        "currency": parts.currency,
        "value_date": parts.value_date,
        "lines": tuple(parts.lines),
    }


def _read_total_budget(element: Element, ctx: ReadContext) -> OrganisationBudget:
    parts = _read_budget_parts(element, ctx, "budget-line")
    return OrganisationBudget(
        status=ctx.code(element, "status", "BudgetStatus"),
        **_amount(parts),
    )


def _read_recipient(element: Element, kind: RecipientKind, ctx: ReadContext) -> OrganisationRecipient:
    if kind == "org":
        return OrganisationRecipient(code=clean(element.get("ref")), narratives=ctx.narratives(element))
    if kind == "country":
        code = ctx.code(element, "code", "Country", required=True)
        return OrganisationRecipient(code=code, narratives=ctx.narratives(element))
    vocabulary = ctx.code(element, "vocabulary", "RegionVocabulary") or "1"
    return OrganisationRecipient(
        code=ctx.code(element, "code", REGION_CODELISTS.get(vocabulary)),
        narratives=ctx.narratives(element),
        vocabulary=vocabulary,
        vocabulary_uri=clean(element.get("vocabulary-uri")),
    )


def _read_recipient_budget(element: Element, kind: RecipientKind, ctx: ReadContext) -> RecipientBudget:
    recipient_tag = f"recipient-{kind}"
    recipient: OrganisationRecipient | None = None
    for child in element:
        if child.tag == recipient_tag:
            recipient = _read_recipient(child, kind, ctx)
            break
    if recipient is None:
        ctx.missing(element, None, f"{element.tag} has no {recipient_tag}")
        recipient = OrganisationRecipient(code=None)
    parts = _read_budget_parts(element, ctx, "budget-line")
    return RecipientBudget(
        kind=kind,
        recipient=recipient,
        status=ctx.code(element, "status", "BudgetStatus"),
        **_amount(parts),
    )


def _read_total_expenditure(element: Element, ctx: ReadContext) -> OrganisationExpenditure:
    parts = _read_budget_parts(element, ctx, "expense-line")
    return OrganisationExpenditure(
        **_amount(parts),
    )


def _read_document_link(element: Element, ctx: ReadContext) -> OrganisationDocumentLink | None:
    link = links.read_document_link(element, ctx)
    if link is None:
        return None
    countries = []
    for child in element:
        if child.tag == "recipient-country":
            code = ctx.code(child, "code", "Country", required=True)
            if code is not None:
                countries.append(OrganisationRecipient(code=code, narratives=ctx.narratives(child)))
    return OrganisationDocumentLink(link=link, recipient_countries=tuple(countries))


def read_organisation(
    element: Element, codelists: Codelists, file_version: str | None = None
) -> tuple[OrganisationDTO | None, list[Finding]]:
    """Map one complete ``iati-organisation`` element to a DTO plus findings (``None`` = skipped)."""
    version = clean(element.get("version")) or file_version
    lang = element.get(XML_LANG)
    is_v1 = version is not None and version.startswith("1")
    ctx = ReadContext(codelists, element, default_lang=language_tag(lang) if lang else None, is_v1=is_v1)
    ctx.default_currency = ctx.code(element, "default-currency", "Currency")
    identifier: str | None = None
    name: Narratives = ()
    reporting_org: ReportingOrg | None = None
    budgets: list[OrganisationBudget] = []
    recipient_budgets: list[RecipientBudget] = []
    expenditures: list[OrganisationExpenditure] = []
    document_links: list[OrganisationDocumentLink] = []
    for child in element:
        tag = child.tag
        if tag == "total-budget":
            budgets.append(_read_total_budget(child, ctx))
        elif tag in RECIPIENT_BUDGETS:
            recipient_budgets.append(_read_recipient_budget(child, RECIPIENT_BUDGETS[tag], ctx))
        elif tag == "total-expenditure":
            expenditures.append(_read_total_expenditure(child, ctx))
        elif tag == "document-link":
            document_link = _read_document_link(child, ctx)
            if document_link is not None:
                document_links.append(document_link)
        elif tag in ("organisation-identifier", "iati-identifier"):
            identifier = identifier or clean(child.text)
        elif tag == "name":
            name = name or ctx.narratives(child)
        elif tag == "reporting-org":
            reporting_org = reporting_org or orgs.read_reporting_org(child, ctx)
    if identifier is None:
        ctx.add(
            FindingCode.MISSING_IDENTIFIER, "organisation has no organisation-identifier; skipped", element
        )
        return None, ctx.findings
    if reporting_org is None:
        ctx.add(FindingCode.MISSING_REQUIRED, "organisation has no reporting-org", element)
    organisation = OrganisationDTO(
        organisation_identifier=identifier,
        version=version,
        last_updated_datetime=ctx.datetime_value(element, "last-updated-datetime"),
        default_language=ctx.default_lang,
        default_currency=ctx.default_currency,
        name=name,
        reporting_org=reporting_org,
        total_budgets=tuple(budgets),
        recipient_budgets=tuple(recipient_budgets),
        total_expenditures=tuple(expenditures),
        document_links=tuple(document_links),
    )
    return organisation, ctx.findings


def _write_period_value(
    node: Element,
    start: date | None,
    end: date | None,
    value: Decimal | None,
    currency: str | None,
    value_date: date | None,
    lines: tuple[OrganisationBudgetLine, ...],
    line_tag: str,
) -> None:
    assert start is not None and end is not None and value is not None
    sub(node, "period-start", iso_date=start.isoformat())
    sub(node, "period-end", iso_date=end.isoformat())
    write_money(node, value, currency, value_date or start)
    for line in lines:
        assert line.value is not None
        line_node = sub(node, line_tag, ref=line.ref)
        write_money(line_node, line.value, line.currency, line.value_date or value_date or start)
        write_narratives(line_node, line.narratives, required=True)


def _write_recipient(parent: Element, kind: RecipientKind, recipient: OrganisationRecipient) -> None:
    if kind == "org":
        node = sub(parent, "recipient-org", ref=recipient.code)
        write_narratives(node, recipient.narratives, required=True)
        return
    if kind == "country":
        node = sub(parent, "recipient-country", code=recipient.code)
    else:
        node = sub(
            parent,
            "recipient-region",
            vocabulary=recipient.vocabulary,
            vocabulary_uri=recipient.vocabulary_uri,
            code=recipient.code,
        )
    write_narratives(node, recipient.narratives)


def write_organisation(organisation: OrganisationDTO) -> Element:
    """The ``iati-organisation`` element for a writable DTO (see ``writer.prepare_organisation``)."""
    assert organisation.reporting_org is not None
    element = etree.Element("iati-organisation")
    if organisation.last_updated_datetime is not None:
        element.set("last-updated-datetime", organisation.last_updated_datetime.isoformat())
    if organisation.default_language is not None:
        element.set(XML_LANG, xml_safe(organisation.default_language))
    if organisation.default_currency is not None:
        element.set("default-currency", xml_safe(organisation.default_currency))
    sub(element, "organisation-identifier").text = xml_safe(organisation.organisation_identifier)
    text_element(element, "name", organisation.name, always=True)
    orgs.write_reporting_org(element, organisation.reporting_org)
    for budget in organisation.total_budgets:
        node = sub(element, "total-budget", status=budget.status)
        _write_period_value(
            node,
            budget.period_start,
            budget.period_end,
            budget.value,
            budget.currency,
            budget.value_date,
            budget.lines,
            "budget-line",
        )
    for kind in RECIPIENT_ORDER:  # the schema's order, whatever order they were published in
        for item in organisation.recipient_budgets:
            if item.kind != kind:
                continue
            node = sub(element, f"recipient-{kind}-budget", status=item.status)
            _write_recipient(node, kind, item.recipient)
            _write_period_value(
                node,
                item.period_start,
                item.period_end,
                item.value,
                item.currency,
                item.value_date,
                item.lines,
                "budget-line",
            )
    for expenditure in organisation.total_expenditures:
        node = sub(element, "total-expenditure")
        _write_period_value(
            node,
            expenditure.period_start,
            expenditure.period_end,
            expenditure.value,
            expenditure.currency,
            expenditure.value_date,
            expenditure.lines,
            "expense-line",
        )
    for document_link in organisation.document_links:
        links.write_document_link(element, document_link.link)
        node = element[-1]
        for country in document_link.recipient_countries:
            write_narratives(sub(node, "recipient-country", code=country.code), country.narratives)
    return element

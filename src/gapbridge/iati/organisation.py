"""``iati-organisation`` <-> :class:`OrganisationDTO` (identifier, name, reporting-org, total budgets).

Not modelled: recipient-org/region/country budgets, total-expenditure, document links and budget lines.
1.x files call the identifier ``iati-identifier`` and put names directly in the element; both are read.
"""

from __future__ import annotations

from lxml import etree

from gapbridge.iati.codelists import Codelists
from gapbridge.iati.dto import Narratives, OrganisationBudget, OrganisationDTO, ReportingOrg
from gapbridge.iati.elements import orgs
from gapbridge.iati.elements.common import (
    XML_LANG,
    Element,
    ReadContext,
    clean,
    language_tag,
    sub,
    text_element,
    write_money,
    xml_safe,
)
from gapbridge.iati.findings import Finding, FindingCode


def _read_total_budget(element: Element, ctx: ReadContext) -> OrganisationBudget:
    start = end = None
    amount = currency = value_date = None
    seen_value = False
    for child in element:
        tag = child.tag
        if tag == "value":
            seen_value = True
            amount, currency, value_date = ctx.money(child)
        elif tag == "period-start":
            start = ctx.date_value(child)
        elif tag == "period-end":
            end = ctx.date_value(child)
    if not seen_value:
        ctx.missing(element, None, "total-budget has no value element")
    if start is not None and end is not None and end < start:
        ctx.add(FindingCode.DATE_ORDER, f"total-budget period ends {end} before it starts {start}", element)
    return OrganisationBudget(
        status=ctx.code(element, "status", "BudgetStatus"),
        period_start=start,
        period_end=end,
        value=amount,
        currency=currency,
        value_date=value_date,
    )


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
    for child in element:
        tag = child.tag
        if tag == "total-budget":
            budgets.append(_read_total_budget(child, ctx))
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
    )
    return organisation, ctx.findings


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
        assert budget.period_start is not None and budget.period_end is not None and budget.value is not None
        node = sub(element, "total-budget", status=budget.status)
        sub(node, "period-start", iso_date=budget.period_start.isoformat())
        sub(node, "period-end", iso_date=budget.period_end.isoformat())
        write_money(node, budget.value, budget.currency, budget.value_date or budget.period_start)
    return element

"""``iati-activity`` element <-> :class:`ActivityDTO`, in one pass over the activity's children.

Reading dispatches each child element to its element-family reader (``elements/*``), resolves the
activity's version (own ``@version`` in 1.x, a foreign-namespace ``…:version`` added by D-Portal,
else the file's), its default language and currency, then runs the whole-activity checks.
Writing emits the children in the order the 2.03 schema requires.
"""

from __future__ import annotations

import re

from lxml import etree

from gapbridge.iati.checks import check_activity
from gapbridge.iati.codelists import Codelists
from gapbridge.iati.dto import (
    ActivityDate,
    ActivityDTO,
    AidType,
    Budget,
    Description,
    DocumentLink,
    Location,
    Narrative,
    OtherIdentifier,
    ParticipatingOrg,
    PlannedDisbursement,
    PolicyMarker,
    RecipientCountry,
    RecipientRegion,
    RelatedActivity,
    ReportingOrg,
    Result,
    Sector,
    Tag,
    Transaction,
)
from gapbridge.iati.elements import classification, finance, geography, links, orgs, results
from gapbridge.iati.elements.common import (
    XML_LANG,
    Element,
    ReadContext,
    clean,
    format_bool,
    language_tag,
    source_line,
    sub,
    text_element,
    write_narratives,
    xml_safe,
)
from gapbridge.iati.findings import Finding, FindingCode

_INDEX = re.compile(r"\[[^\]]*\]")
_STEP = re.compile(r"([^\[/]+)(?:\[(\d+)\])?(?:\[@[^\]]*\])?")


def activity_version(element: Element, file_version: str | None) -> str | None:
    """The activity's own version: ``@version`` (1.x), any ``{ns}version`` (D-Portal), else the file's."""
    version = element.get("version")
    if version is None:
        for name, value in element.items():
            if str(name).endswith("}version"):
                version = str(value)
                break
    return clean(version) or file_version


def line_of(element: Element, path: str) -> int | None:
    """Source line of ``path`` (as produced by :mod:`gapbridge.iati.checks`) below ``element``."""
    node = element
    for step in path.split("/"):
        match = _STEP.fullmatch(step)
        if match is None:
            break
        tag, index = match[1], int(match[2] or 1)
        found = [child for child in node if child.tag == tag]
        if len(found) < index:
            break
        node = found[index - 1]
    return source_line(node)


def read_activity(
    element: Element, codelists: Codelists, file_version: str | None = None
) -> tuple[ActivityDTO | None, list[Finding]]:
    """Map one complete ``iati-activity`` element to a DTO plus findings (DTO ``None`` = skipped)."""
    version = activity_version(element, file_version)
    is_v1 = version is not None and version.startswith("1")
    lang = element.get(XML_LANG)
    ctx = ReadContext(codelists, element, default_lang=language_tag(lang) if lang else None, is_v1=is_v1)
    if version is not None and version not in codelists["Version"]:
        ctx.add(
            FindingCode.UNKNOWN_CODE, f"version {version!r} is not on codelist Version", element, "version"
        )
    if ctx.default_lang is not None:
        ctx.check_code(ctx.default_lang, "Language", element, "xml:lang")
    default_currency = ctx.code(element, "default-currency", "Currency")
    ctx.default_currency = default_currency

    identifier: str | None = None
    reporting_org: ReportingOrg | None = None
    titles: list[Narrative] = []
    descriptions: list[Description] = []
    participating: list[ParticipatingOrg] = []
    other_ids: list[OtherIdentifier] = []
    status = scope = collaboration = flow_type = finance_type = tied_status = None
    dates: list[ActivityDate] = []
    countries: list[RecipientCountry] = []
    regions: list[RecipientRegion] = []
    locations: list[Location] = []
    sectors: list[Sector] = []
    tags: list[Tag] = []
    markers: list[PolicyMarker] = []
    aid_types: list[AidType] = []
    budgets: list[Budget] = []
    planned: list[PlannedDisbursement] = []
    transactions: list[Transaction] = []
    documents: list[DocumentLink] = []
    related: list[RelatedActivity] = []
    result_list: list[Result] = []

    for child in element:
        tag = child.tag
        if tag == "transaction":
            transactions.append(finance.read_transaction(child, ctx))
        elif tag == "sector":
            sector = classification.read_sector(child, ctx)
            if sector is not None:
                sectors.append(sector)
        elif tag == "participating-org":
            participating.append(orgs.read_participating_org(child, ctx))
        elif tag == "budget":
            budgets.append(finance.read_budget(child, ctx))
        elif tag == "activity-date":
            activity_date = classification.read_activity_date(child, ctx)
            if activity_date is not None:
                dates.append(activity_date)
        elif tag == "title":
            titles.extend(ctx.narratives(child))
        elif tag == "description":
            narratives = ctx.narratives(child)
            if narratives:
                descriptions.append(Description(ctx.code(child, "type", "DescriptionType"), narratives))
        elif tag == "recipient-country":
            country = geography.read_recipient_country(child, ctx)
            if country is not None:
                countries.append(country)
        elif tag == "policy-marker":
            marker = classification.read_policy_marker(child, ctx)
            if marker is not None:
                markers.append(marker)
        elif tag == "related-activity":
            relation = links.read_related_activity(child, ctx)
            if relation is not None:
                related.append(relation)
        elif tag == "location":
            locations.append(geography.read_location(child, ctx))
        elif tag == "result":
            result_list.append(results.read_result(child, ctx))
        elif tag == "document-link":
            document = links.read_document_link(child, ctx)
            if document is not None:
                documents.append(document)
        elif tag == "recipient-region":
            region = geography.read_recipient_region(child, ctx)
            if region is not None:
                regions.append(region)
        elif tag == "default-aid-type":
            aid_type = classification.read_aid_type(child, ctx)
            if aid_type is not None:
                aid_types.append(aid_type)
        elif tag == "tag":
            item = classification.read_tag(child, ctx)
            if item is not None:
                tags.append(item)
        elif tag == "other-identifier":
            other_id = links.read_other_identifier(child, ctx)
            if other_id is not None:
                other_ids.append(other_id)
        elif tag == "planned-disbursement":
            planned.append(finance.read_planned_disbursement(child, ctx))
        elif tag == "iati-identifier":
            if identifier is None:
                identifier = clean(child.text)
        elif tag == "reporting-org":
            if reporting_org is None:
                reporting_org = orgs.read_reporting_org(child, ctx)
        elif tag == "activity-status":
            status = status or classification.read_code(child, ctx, "ActivityStatus")
        elif tag == "activity-scope":
            scope = scope or classification.read_code(child, ctx, "ActivityScope")
        elif tag == "collaboration-type":
            collaboration = collaboration or classification.read_code(child, ctx, "CollaborationType")
        elif tag == "default-flow-type":
            flow_type = flow_type or classification.read_code(child, ctx, "FlowType")
        elif tag == "default-finance-type":
            finance_type = finance_type or classification.read_code(child, ctx, "FinanceType")
        elif tag == "default-tied-status":
            tied_status = tied_status or classification.read_code(child, ctx, "TiedStatus")

    if identifier is None:
        ctx.add(FindingCode.MISSING_IDENTIFIER, "activity has no iati-identifier; skipped", element)
        return None, ctx.findings
    if reporting_org is None:
        ctx.add(FindingCode.MISSING_REQUIRED, "activity has no reporting-org", element)

    activity = ActivityDTO(
        iati_identifier=identifier,
        version=version,
        last_updated_datetime=ctx.datetime_value(element, "last-updated-datetime"),
        default_language=ctx.default_lang,
        default_currency=default_currency,
        hierarchy=ctx.integer(element, "hierarchy"),
        humanitarian=ctx.boolean(element, "humanitarian"),
        budget_not_provided=ctx.code(element, "budget-not-provided", "BudgetNotProvided"),
        reporting_org=reporting_org,
        titles=tuple(titles),
        descriptions=tuple(descriptions),
        participating_orgs=tuple(participating),
        other_identifiers=tuple(other_ids),
        activity_status=status,
        activity_dates=tuple(dates),
        activity_scope=scope,
        recipient_countries=tuple(countries),
        recipient_regions=tuple(regions),
        locations=tuple(locations),
        sectors=tuple(sectors),
        tags=tuple(tags),
        policy_markers=tuple(markers),
        collaboration_type=collaboration,
        default_flow_type=flow_type,
        default_finance_type=finance_type,
        default_aid_types=tuple(aid_types),
        default_tied_status=tied_status,
        budgets=tuple(budgets),
        planned_disbursements=tuple(planned),
        transactions=tuple(transactions),
        document_links=tuple(documents),
        related_activities=tuple(related),
        results=tuple(result_list),
    )
    for finding in check_activity(activity):
        field = _INDEX.sub("", finding.path)  # budget[2] -> budget: a field name, like read-time findings
        line = line_of(element, finding.path)
        ctx.findings.append(Finding(finding.severity, finding.code, finding.message, field, line))
    return activity, ctx.findings


def write_activity(activity: ActivityDTO) -> Element:
    """The ``iati-activity`` element for a DTO that :func:`gapbridge.iati.writer.prepare_for_write`
    has made writable (required parts present)."""
    assert activity.reporting_org is not None and activity.activity_status is not None
    element = etree.Element("iati-activity")
    if activity.last_updated_datetime is not None:
        element.set("last-updated-datetime", activity.last_updated_datetime.isoformat())
    if activity.default_language is not None:
        element.set(XML_LANG, xml_safe(activity.default_language))
    if activity.default_currency is not None:
        element.set("default-currency", xml_safe(activity.default_currency))
    if activity.humanitarian is not None:
        element.set("humanitarian", format_bool(activity.humanitarian))
    if activity.hierarchy is not None:
        element.set("hierarchy", str(activity.hierarchy))
    if activity.budget_not_provided is not None:
        element.set("budget-not-provided", xml_safe(activity.budget_not_provided))

    sub(element, "iati-identifier").text = xml_safe(activity.iati_identifier)
    orgs.write_reporting_org(element, activity.reporting_org)
    text_element(element, "title", activity.titles, always=True)
    if not activity.descriptions:
        write_narratives(sub(element, "description"), (), required=True)
    for description in activity.descriptions:
        write_narratives(
            sub(element, "description", type=description.type), description.narratives, required=True
        )
    for participant in activity.participating_orgs:
        orgs.write_participating_org(element, participant)
    for other_id in activity.other_identifiers:
        links.write_other_identifier(element, other_id)
    classification.write_code(element, "activity-status", activity.activity_status)
    for activity_date in activity.activity_dates:
        classification.write_activity_date(element, activity_date)
    classification.write_code(element, "activity-scope", activity.activity_scope)
    for country in activity.recipient_countries:
        geography.write_recipient_country(element, country)
    for region in activity.recipient_regions:
        geography.write_recipient_region(element, region)
    for location in activity.locations:
        geography.write_location(element, location)
    for sector in activity.sectors:
        classification.write_sector(element, sector)
    for tag in activity.tags:
        classification.write_tag(element, tag)
    for marker in activity.policy_markers:
        classification.write_policy_marker(element, marker)
    classification.write_code(element, "collaboration-type", activity.collaboration_type)
    classification.write_code(element, "default-flow-type", activity.default_flow_type)
    classification.write_code(element, "default-finance-type", activity.default_finance_type)
    for aid_type in activity.default_aid_types:
        classification.write_aid_type(element, "default-aid-type", aid_type)
    classification.write_code(element, "default-tied-status", activity.default_tied_status)
    for budget in activity.budgets:
        finance.write_budget(element, budget)
    for planned in activity.planned_disbursements:
        finance.write_planned_disbursement(element, planned)
    for transaction in activity.transactions:
        finance.write_transaction(element, transaction)
    for document in activity.document_links:
        links.write_document_link(element, document)
    for relation in activity.related_activities:
        links.write_related_activity(element, relation)
    for result in activity.results:
        results.write_result(element, result)
    return element

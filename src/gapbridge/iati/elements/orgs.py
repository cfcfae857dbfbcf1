"""Organisations inside an activity: reporting-org, participating-org, provider-org / receiver-org."""

from __future__ import annotations

from gapbridge.iati.dto import ParticipatingOrg, ReportingOrg, TransactionOrg
from gapbridge.iati.elements.common import (
    Element,
    ReadContext,
    clean,
    format_bool,
    sub,
    write_narratives,
)


def read_reporting_org(element: Element, ctx: ReadContext) -> ReportingOrg:
    ref = clean(element.get("ref"))
    if ref is None:
        ctx.missing(element, "ref", "reporting-org/@ref is missing")
    return ReportingOrg(
        ref=ref,
        type=ctx.code(element, "type", "OrganisationType"),
        narratives=ctx.narratives(element),
        secondary_reporter=ctx.boolean(element, "secondary-reporter"),
    )


def write_reporting_org(parent: Element, org: ReportingOrg) -> None:
    element = sub(
        parent,
        "reporting-org",
        ref=org.ref,
        type=org.type,
        secondary_reporter=None if org.secondary_reporter is None else format_bool(org.secondary_reporter),
    )
    write_narratives(element, org.narratives, required=True)


def read_participating_org(element: Element, ctx: ReadContext) -> ParticipatingOrg:
    return ParticipatingOrg(
        role=ctx.code(element, "role", "OrganisationRole", required=True),
        ref=clean(element.get("ref")),
        type=ctx.code(element, "type", "OrganisationType"),
        activity_id=clean(element.get("activity-id")),
        crs_channel_code=ctx.code(element, "crs-channel-code", "CRSChannelCode"),
        narratives=ctx.narratives(element),
    )


def write_participating_org(parent: Element, org: ParticipatingOrg) -> None:
    element = sub(
        parent,
        "participating-org",
        ref=org.ref,
        type=org.type,
        role=org.role,
        activity_id=org.activity_id,
        crs_channel_code=org.crs_channel_code,
    )
    write_narratives(element, org.narratives)


def read_transaction_org(element: Element, ctx: ReadContext, id_attribute: str) -> TransactionOrg:
    """provider-org (``provider-activity-id``) or receiver-org (``receiver-activity-id``)."""
    ref = element.get("ref")
    activity_id = element.get(id_attribute)
    return TransactionOrg(
        ref=ref.strip() or None if ref is not None else None,
        type=ctx.code(element, "type", "OrganisationType") if element.get("type") is not None else None,
        activity_id=activity_id.strip() or None if activity_id is not None else None,
        narratives=ctx.narratives(element),
    )


def write_transaction_org(parent: Element, tag: str, org: TransactionOrg) -> None:
    if tag == "provider-org":
        element = sub(parent, tag, ref=org.ref, provider_activity_id=org.activity_id, type=org.type)
    else:
        element = sub(parent, tag, ref=org.ref, receiver_activity_id=org.activity_id, type=org.type)
    write_narratives(element, org.narratives)

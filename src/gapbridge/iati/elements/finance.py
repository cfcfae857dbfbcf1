"""Money of an activity: budget, planned-disbursement, transaction."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from gapbridge.iati.dto import (
    AidType,
    Budget,
    Narratives,
    PlannedDisbursement,
    RecipientCountry,
    RecipientRegion,
    Sector,
    Transaction,
    TransactionOrg,
)
from gapbridge.iati.elements.classification import read_aid_type, read_sector, write_aid_type, write_sector
from gapbridge.iati.elements.common import (
    Element,
    ReadContext,
    clean,
    format_bool,
    sub,
    text_element,
    write_money,
)
from gapbridge.iati.elements.geography import (
    read_recipient_country,
    read_recipient_region,
    write_recipient_country,
    write_recipient_region,
)
from gapbridge.iati.elements.orgs import read_transaction_org, write_transaction_org
from gapbridge.iati.findings import FindingCode

Money = tuple[Decimal | None, str | None, date | None]


def _no_value(element: Element, ctx: ReadContext) -> Money:
    ctx.missing(element, None, f"{element.tag} has no value element")
    return None, None, None


def read_budget(element: Element, ctx: ReadContext) -> Budget:
    start = end = None
    money: Money | None = None
    for child in element:
        tag = child.tag
        if tag == "value":
            money = ctx.money(child)
        elif tag == "period-start":
            start = ctx.date_value(child)
        elif tag == "period-end":
            end = ctx.date_value(child)
    amount, currency, value_date = money if money is not None else _no_value(element, ctx)
    return Budget(
        type=ctx.code(element, "type", "BudgetType"),
        status=ctx.code(element, "status", "BudgetStatus"),
        period_start=start,
        period_end=end,
        value=amount,
        currency=currency,
        value_date=value_date,
    )


def write_budget(parent: Element, item: Budget) -> None:
    assert item.period_start is not None and item.period_end is not None and item.value is not None
    element = sub(parent, "budget", type=item.type, status=item.status)
    sub(element, "period-start", iso_date=item.period_start.isoformat())
    sub(element, "period-end", iso_date=item.period_end.isoformat())
    write_money(element, item.value, item.currency, item.value_date or item.period_start)


def read_planned_disbursement(element: Element, ctx: ReadContext) -> PlannedDisbursement:
    start = end = None
    money: Money | None = None
    provider = receiver = None
    for child in element:
        tag = child.tag
        if tag == "value":
            money = ctx.money(child)
        elif tag == "period-start":
            start = ctx.date_value(child)
        elif tag == "period-end":
            end = ctx.date_value(child)
        elif tag == "provider-org":
            provider = read_transaction_org(child, ctx, "provider-activity-id")
        elif tag == "receiver-org":
            receiver = read_transaction_org(child, ctx, "receiver-activity-id")
    amount, currency, value_date = money if money is not None else _no_value(element, ctx)
    return PlannedDisbursement(
        type=ctx.code(element, "type", "BudgetType"),
        period_start=start,
        period_end=end,
        value=amount,
        currency=currency,
        value_date=value_date,
        provider_org=provider,
        receiver_org=receiver,
    )


def write_planned_disbursement(parent: Element, item: PlannedDisbursement) -> None:
    assert item.period_start is not None and item.value is not None
    element = sub(parent, "planned-disbursement", type=item.type)
    sub(element, "period-start", iso_date=item.period_start.isoformat())
    if item.period_end is not None:
        sub(element, "period-end", iso_date=item.period_end.isoformat())
    write_money(element, item.value, item.currency, item.value_date or item.period_start)
    if item.provider_org is not None:
        write_transaction_org(element, "provider-org", item.provider_org)
    if item.receiver_org is not None:
        write_transaction_org(element, "receiver-org", item.receiver_org)


def _transaction_type(element: Element, ctx: ReadContext) -> str | None:
    code = ctx.code(element, "code", "TransactionType")
    if code is not None:
        return code
    text = clean(element.text)
    if text is not None and len(text) <= 20:
        # Seen in real data: <transaction-type>1</transaction-type>. Use it, but say so.
        ctx.add(
            FindingCode.MISSING_REQUIRED,
            f"transaction-type/@code is missing; using the element text {text!r}",
            element,
            "code",
            severity="warning",
        )
        return ctx.check_code(text, "TransactionType", element, "code")
    ctx.missing(element, "code", "transaction-type/@code is missing")
    return None


def read_transaction(element: Element, ctx: ReadContext) -> Transaction:
    transaction_type: str | None = None
    when: date | None = None
    money: Money | None = None
    description: Narratives = ()
    provider: TransactionOrg | None = None
    receiver: TransactionOrg | None = None
    channel = flow_type = finance_type = tied_status = None
    sectors: list[Sector] = []
    aid_types: list[AidType] = []
    country: RecipientCountry | None = None
    region: RecipientRegion | None = None
    for child in element:
        tag = child.tag
        if tag == "value":
            money = ctx.money(child)
        elif tag == "transaction-type":
            transaction_type = _transaction_type(child, ctx)
        elif tag == "transaction-date":
            when = ctx.date_value(child)
        elif tag == "description":
            description = ctx.narratives(child)
        elif tag == "provider-org":
            provider = read_transaction_org(child, ctx, "provider-activity-id")
        elif tag == "receiver-org":
            receiver = read_transaction_org(child, ctx, "receiver-activity-id")
        elif tag == "sector":
            sector = read_sector(child, ctx, activity_level=False)
            if sector is not None:
                sectors.append(sector)
        elif tag == "recipient-country":
            country = read_recipient_country(child, ctx, activity_level=False)
        elif tag == "recipient-region":
            region = read_recipient_region(child, ctx, activity_level=False)
        elif tag == "aid-type":
            aid_type = read_aid_type(child, ctx)
            if aid_type is not None:
                aid_types.append(aid_type)
        elif tag == "flow-type":
            flow_type = ctx.code(child, "code", "FlowType", required=True)
        elif tag == "finance-type":
            finance_type = ctx.code(child, "code", "FinanceType", required=True)
        elif tag == "tied-status":
            tied_status = ctx.code(child, "code", "TiedStatus", required=True)
        elif tag == "disbursement-channel":
            channel = ctx.code(child, "code", "DisbursementChannel", required=True)
    if transaction_type is None and not any(child.tag == "transaction-type" for child in element):
        ctx.missing(element, None, "transaction has no transaction-type")
    if when is None and not any(child.tag == "transaction-date" for child in element):
        ctx.missing(element, None, "transaction has no transaction-date")
    amount, currency, value_date = money if money is not None else _no_value(element, ctx)
    return Transaction(
        type=transaction_type,
        date=when,
        value=amount,
        currency=currency,
        value_date=value_date,
        ref=clean(element.get("ref")),
        humanitarian=ctx.boolean(element, "humanitarian"),
        description=description,
        provider_org=provider,
        receiver_org=receiver,
        disbursement_channel=channel,
        sectors=tuple(sectors),
        recipient_country=country,
        recipient_region=region,
        flow_type=flow_type,
        finance_type=finance_type,
        aid_types=tuple(aid_types),
        tied_status=tied_status,
    )


def write_transaction(parent: Element, item: Transaction) -> None:
    assert item.type is not None and item.date is not None and item.value is not None
    element = sub(
        parent,
        "transaction",
        ref=item.ref,
        humanitarian=format_bool(item.humanitarian) if item.humanitarian is not None else None,
    )
    sub(element, "transaction-type", code=item.type)
    sub(element, "transaction-date", iso_date=item.date.isoformat())
    write_money(element, item.value, item.currency, item.value_date or item.date)
    text_element(element, "description", item.description)
    if item.provider_org is not None:
        write_transaction_org(element, "provider-org", item.provider_org)
    if item.receiver_org is not None:
        write_transaction_org(element, "receiver-org", item.receiver_org)
    if item.disbursement_channel is not None:
        sub(element, "disbursement-channel", code=item.disbursement_channel)
    for sector in item.sectors:
        write_sector(element, sector, activity_level=False)
    if item.recipient_country is not None:
        write_recipient_country(element, item.recipient_country, activity_level=False)
    if item.recipient_region is not None:
        write_recipient_region(element, item.recipient_region, activity_level=False)
    if item.flow_type is not None:
        sub(element, "flow-type", code=item.flow_type)
    if item.finance_type is not None:
        sub(element, "finance-type", code=item.finance_type)
    for aid_type in item.aid_types:
        write_aid_type(element, "aid-type", aid_type)
    if item.tied_status is not None:
        sub(element, "tied-status", code=item.tied_status)

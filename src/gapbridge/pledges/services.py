"""Writes on pledges: record a pledge, move it along its lifecycle, add money to it by hand or from IATI.

Who: the provider organization's editors and the secretariat. Every amount is converted to US dollars
with the annual average rate of its value-date year from the registry's bundled rates
(`gapbridge.projects.fx`, the same converter the IATI registry uses), and keeps the rate and its year.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

import pycountry
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gapbridge.accounts.permissions import (
    Actor,
    PermissionDenied,
    is_secretariat,
    organization_ids,
    require_edit,
)
from gapbridge.api import limits
from gapbridge.audit import services as audit
from gapbridge.barriers.focus import clean_focus_areas
from gapbridge.countries.models import CountryGroup, Economy
from gapbridge.organizations.models import Organization
from gapbridge.pledges.models import (
    TRANSITIONS,
    Converted,
    FlowKind,
    FlowOrigin,
    Pledge,
    PledgeActivity,
    PledgeFlow,
    PledgeStatus,
    PledgeStatusChange,
)
from gapbridge.projects.fx import FxStatus, load_rates

#: IATI TransactionType codes that count: 2 outgoing commitment; 3 disbursement and 4 expenditure (money out).
IATI_KINDS = {"2": FlowKind.COMMITMENT, "3": FlowKind.DISBURSEMENT, "4": FlowKind.DISBURSEMENT}


CENTS = Decimal("0.01")
RATE_PLACES = Decimal("0.0000000001")


class PledgeError(ValueError):
    """A pledge change that cannot be made; the message names the field or the rule."""


def _user(actor: Actor) -> Any:
    return actor if actor is not None and actor.is_authenticated else None


def convert(obj: Converted, on: dt.date | None) -> None:
    """Fill the dollar value, rate, rate year and status of `obj` from its amount, currency and date."""
    rates = load_rates()
    result = rates.convert(obj.amount, obj.currency or None, on)
    # The rate is stored to 10 decimal places and the dollars computed from the stored rate, so anyone can
    # redo the arithmetic from what the page and the open data show.
    rate = result.rate.quantize(RATE_PLACES) if result.rate is not None else None
    obj.amount_usd = (obj.amount / rate).quantize(CENTS) if rate and result.usd is not None else None
    obj.fx_rate = rate
    obj.fx_year = result.year
    obj.fx_status = str(result.status)
    obj.fx_source = (
        (rates.source(obj.currency, result.year) or "")
        if result.status == FxStatus.CONVERTED and result.year
        else ""
    )


def _amount(value: Any, field: str) -> Decimal:
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise PledgeError(
            _("%(field)s: %(value)s is not a number") % {"field": field, "value": repr(value)}
        ) from None
    if not amount.is_finite() or amount <= 0:
        raise PledgeError(
            _("%(field)s: must be more than 0, not %(value)s") % {"field": field, "value": repr(value)}
        )
    try:  # what the column stores and reads back on both databases
        return limits.check_amount(field, amount, limits.decimal_limit(Pledge, "amount"))
    except limits.OutOfRange as exc:
        raise PledgeError(str(exc)) from None


def _currency(code: Any) -> str:
    code = str(code or "").strip().upper()
    if len(code) != 3 or not code.isalpha():
        raise PledgeError(
            _("currency: an ISO 4217 code such as USD or EUR, not %(code)s") % {"code": repr(code)}
        )
    # Any ISO 4217 code is accepted; one without a bundled rate is kept and shown unconverted.
    if code not in load_rates().currencies() and pycountry.currencies.get(alpha_3=code) is None:
        raise PledgeError(_("currency: %(code)s is not an ISO 4217 currency code") % {"code": code})
    return str(code)


def _targets(
    countries: list[Any] | None, groups: list[Any] | None
) -> tuple[list[Economy], list[CountryGroup]]:
    economies: list[Economy] = []
    for c in countries or []:
        if isinstance(c, Economy):
            economies.append(c)
            continue
        found = Economy.objects.filter(iso3=str(c).upper()).first()
        if found is None:
            raise PledgeError(_("target_countries: no economy with ISO3 code %(code)s") % {"code": repr(c)})
        economies.append(found)
    found_groups: list[CountryGroup] = []
    for g in groups or []:
        if isinstance(g, CountryGroup):
            found_groups.append(g)
            continue
        group = CountryGroup.objects.filter(code=str(g)).first()
        if group is None:
            raise PledgeError(_("target_groups: no country group %(code)s") % {"code": repr(g)})
        found_groups.append(group)
    return economies, found_groups


def _record(pledge: Pledge, frm: str, to: str, actor: Actor, reason: str) -> PledgeStatusChange:
    return PledgeStatusChange.objects.create(
        pledge=pledge,
        from_status=frm,
        to_status=to,
        at=timezone.now(),
        actor=_user(actor),
        actor_label=audit.actor_label(actor),
        reason=reason,
    )


def _not_future(field: str, value: dt.date | None) -> None:
    """Money that moved, and a pledge that was announced, are dated when it happened: never later than
    today (a date in the future would count as done what is not). Today anywhere on Earth: the server's
    date (UTC) plus one day, for providers ahead of UTC."""
    today = timezone.localdate() + dt.timedelta(days=1)
    if value is not None and value > today:
        raise PledgeError(
            _("%(field)s: %(date)s is in the future; record it when it has happened (today is %(today)s)")
            % {"field": field, "date": value, "today": today}
        )


@transaction.atomic
def create_pledge(
    actor: Actor,
    *,
    provider: Organization | int,
    title: str,
    amount: Any,
    currency: str,
    period_start: dt.date,
    period_end: dt.date,
    description: str = "",
    announced_on: dt.date | None = None,
    source_url: str = "",
    focus_areas: list[str] | None = None,
    target_countries: list[Any] | None = None,
    target_groups: list[Any] | None = None,
) -> Pledge:
    """A new pledge in draft; announce it with `change_status` to publish it."""
    org = provider if isinstance(provider, Organization) else Organization.objects.get(pk=provider)
    if not (is_secretariat(actor) or org.pk in organization_ids(actor)):
        raise PermissionDenied(
            _("only the editors of %(organization)s or the secretariat may record its pledges")
            % {"organization": org}
        )
    if not title.strip():
        raise PledgeError(_("title: required"))
    _not_future("announced_on", announced_on)
    if period_end < period_start:
        raise PledgeError(
            _("period_end: the period ends (%(end)s) before it starts (%(start)s)")
            % {"end": period_end, "start": period_start}
        )
    try:
        areas = clean_focus_areas(focus_areas)
    except ValueError as exc:
        raise PledgeError(_("focus_areas: %(error)s") % {"error": exc}) from None
    economies, groups = _targets(target_countries, target_groups)
    pledge = Pledge(
        provider=org,
        title=title.strip(),
        description=description,
        amount=_amount(amount, "amount"),
        currency=_currency(currency),
        period_start=period_start,
        period_end=period_end,
        announced_on=announced_on,
        source_url=source_url,
        focus_areas=areas,
        status=PledgeStatus.DRAFT,
        status_changed_at=timezone.now(),
        created_by=_user(actor),
    )
    convert(pledge, announced_on or period_start)
    try:
        pledge.full_clean()
    except ValidationError as exc:
        raise PledgeError(
            "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in exc.message_dict.items())
        ) from None
    pledge.save()
    pledge.target_countries.set(economies)
    pledge.target_groups.set(groups)
    _record(pledge, "", PledgeStatus.DRAFT, actor, "recorded")
    audit.record(actor, "create", pledge, after=audit.snapshot(pledge))
    return pledge


EDITABLE = frozenset(
    {
        "title",
        "description",
        "amount",
        "currency",
        "period_start",
        "period_end",
        "announced_on",
        "source_url",
        "focus_areas",
    }
)


@transaction.atomic
def update_pledge(
    actor: Actor,
    pledge_id: int,
    *,
    target_countries: list[Any] | None = None,
    target_groups: list[Any] | None = None,
    **changes: Any,
) -> Pledge:
    pledge = Pledge.objects.select_for_update().get(pk=pledge_id)
    require_edit(actor, pledge)
    unknown = set(changes) - EDITABLE
    if unknown:
        raise PledgeError(_("unknown pledge fields: %(fields)s") % {"fields": ", ".join(sorted(unknown))})
    before = audit.snapshot(pledge)
    if "amount" in changes:
        changes["amount"] = _amount(changes["amount"], "amount")
    if "currency" in changes:
        changes["currency"] = _currency(changes["currency"])
    if "focus_areas" in changes:
        try:
            changes["focus_areas"] = clean_focus_areas(changes["focus_areas"])
        except ValueError as exc:
            raise PledgeError(_("focus_areas: %(error)s") % {"error": exc}) from None
    if "announced_on" in changes:
        _not_future("announced_on", changes["announced_on"])
    for name, value in changes.items():
        setattr(pledge, name, value)
    if pledge.period_end < pledge.period_start:
        raise PledgeError(
            _("period_end: the period ends (%(end)s) before it starts (%(start)s)")
            % {"end": pledge.period_end, "start": pledge.period_start}
        )
    convert(pledge, pledge.announced_on or pledge.period_start)
    pledge.save()
    if target_countries is not None or target_groups is not None:
        economies, groups = _targets(target_countries, target_groups)
        if target_countries is not None:
            pledge.target_countries.set(economies)
        if target_groups is not None:
            pledge.target_groups.set(groups)
    audit.record(actor, "update", pledge, before=before, after=audit.snapshot(pledge))
    return pledge


@transaction.atomic
def change_status(actor: Actor, pledge_id: int, to_status: str, reason: str) -> PledgeStatusChange:
    pledge = Pledge.objects.select_for_update().get(pk=pledge_id)
    require_edit(actor, pledge)
    if to_status not in PledgeStatus.values:
        raise PledgeError(
            _("unknown pledge status %(status)s; expected one of %(known)s")
            % {"status": repr(to_status), "known": ", ".join(PledgeStatus.values)}
        )
    if to_status not in TRANSITIONS[pledge.status]:
        allowed = ", ".join(sorted(TRANSITIONS[pledge.status]))
        raise PledgeError(
            _("a pledge cannot go from %(from)s to %(to)s; from %(from)s: %(allowed)s")
            % {
                "from": pledge.status,
                "to": to_status,
                "allowed": allowed or "—",
            }
        )
    if not (reason or "").strip():
        raise PledgeError(_("give the reason for the status change"))
    before = audit.snapshot(pledge)
    frm = pledge.status
    pledge.status = to_status
    pledge.status_changed_at = timezone.now()
    pledge.save(update_fields=["status", "status_changed_at", "updated_at"])
    change = _record(pledge, frm, to_status, actor, reason.strip())
    audit.record(
        actor, "transition", pledge, before=before, after=audit.snapshot(pledge), reason=reason.strip()
    )
    return change


@transaction.atomic
def add_flow(
    actor: Actor,
    pledge_id: int,
    *,
    kind: str,
    amount: Any,
    currency: str,
    date: dt.date,
    value_date: dt.date | None = None,
    note: str = "",
) -> PledgeFlow:
    """A commitment or disbursement entered by hand."""
    pledge = Pledge.objects.get(pk=pledge_id)
    require_edit(actor, pledge)
    if kind not in FlowKind.values:
        raise PledgeError(_("kind: commitment or disbursement, not %(kind)s") % {"kind": repr(kind)})
    _not_future("date", date)
    _not_future("value_date", value_date)
    flow = PledgeFlow(
        pledge=pledge,
        kind=kind,
        amount=_amount(amount, "amount"),
        currency=_currency(currency),
        date=date,
        value_date=value_date,
        origin=FlowOrigin.MANUAL,
        note=note[:500],
        created_by=_user(actor),
    )
    convert(flow, value_date or date)
    flow.save()
    audit.record(actor, "create", flow, after=audit.snapshot(flow))
    return flow


@transaction.atomic
def remove_flow(actor: Actor, flow_id: int) -> None:
    flow = PledgeFlow.objects.select_related("pledge").get(pk=flow_id)
    require_edit(actor, flow.pledge)
    if flow.origin != FlowOrigin.MANUAL:
        raise PledgeError(_("money from IATI goes with its activity: unlink the activity instead"))
    audit.record(actor, "delete", flow, before=audit.snapshot(flow))
    flow.delete()


#: IATI OrganisationRole codes whose money is the organisation's own: funding (1) and extending (3).
FUNDER_ROLES = ("1", "3")


def _funds(provider: Organization, activity: Any) -> bool:
    """Whether ``provider`` reports the activity or takes part in it as a funder or extender."""
    ref = (provider.iati_ref or "").strip()
    if not ref:
        return False
    if activity.publisher_ref == ref:
        return True
    return bool(activity.participating_orgs.filter(ref=ref, role__in=FUNDER_ROLES).exists())


def _activity_model() -> Any:
    from gapbridge.projects.models import Activity

    return Activity


@transaction.atomic
def link_activity(actor: Actor, pledge_id: int, activity_id: int) -> PledgeActivity:
    """Count an IATI activity's commitments and disbursements toward the pledge (an activity counts once)."""
    pledge = Pledge.objects.get(pk=pledge_id)
    require_edit(actor, pledge)
    activity = _activity_model().objects.get(pk=activity_id)
    if not is_secretariat(actor) and not _funds(pledge.provider, activity):
        raise PledgeError(
            _(
                "activity %(identifier)s is not %(provider)s's: only an activity it reports, funds or "
                "extends (IATI reporting organisation, or participating organisation in the funding or "
                "extending role, with its IATI identifier %(ref)s) can count toward its pledge"
            )
            % {
                "identifier": activity.iati_identifier,
                "provider": pledge.provider.name,
                "ref": pledge.provider.iati_ref or "—",
            }
        )
    if not activity.is_primary:
        raise PledgeError(
            _(
                "activity %(identifier)s is a secondary copy (another publisher's version counts); "
                "link the primary one"
            )
            % {"identifier": activity.iati_identifier}
        )
    other = PledgeActivity.objects.filter(activity=activity).exclude(pledge=pledge).first()
    if other is not None:
        raise PledgeError(
            _("activity %(identifier)s already counts toward pledge #%(id)s; its money cannot count twice")
            % {"identifier": activity.iati_identifier, "id": other.pledge_id}
        )
    link, created = PledgeActivity.objects.get_or_create(
        pledge=pledge, activity=activity, defaults={"linked_by": _user(actor)}
    )
    if created:
        audit.record(actor, "create", link, after=audit.snapshot(link))
    sync_activity(link)
    return link


@transaction.atomic
def unlink_activity(actor: Actor, link_id: int) -> None:
    link = PledgeActivity.objects.select_related("pledge").get(pk=link_id)
    require_edit(actor, link.pledge)
    audit.record(actor, "delete", link, before=audit.snapshot(link))
    link.delete()


def sync_activity(link: PledgeActivity) -> int:
    """Replace the link's IATI flows by the activity's current commitments and disbursements.

    Uses the registry's own conversion (value, currency, rate as imported) so both pages agree; a
    transaction without a dollar value stays unconverted. Returns the number of flows.
    """
    link.flows.all().delete()
    activity = link.activity
    flows = []
    for t in activity.transactions.filter(type__in=list(IATI_KINDS)).order_by("position"):
        if t.value is None or t.value == 0:
            continue
        on = t.date or t.value_date
        if on is None:
            continue
        rate_day = t.value_date or t.date
        flows.append(
            PledgeFlow(
                pledge_id=link.pledge_id,
                kind=IATI_KINDS[t.type],
                amount=t.value,
                currency=t.currency or "",
                amount_usd=t.value_usd.quantize(Decimal("0.01")) if t.value_usd is not None else None,
                fx_rate=t.fx_rate,
                fx_year=rate_day.year if t.fx_rate is not None and rate_day is not None else None,
                fx_status=t.fx_status,
                date=on,
                value_date=t.value_date,
                origin=FlowOrigin.IATI,
                source=link,
                iati_identifier=activity.iati_identifier,
                transaction_position=t.position,
                transaction_type=t.type,
            )
        )
    PledgeFlow.objects.bulk_create(flows)
    link.synced_at = timezone.now()
    link.save(update_fields=["synced_at"])
    return len(flows)


def resync_all() -> int:
    """Re-read the transactions of every linked activity (after an IATI import). Returns flows written."""
    total = 0
    for link in PledgeActivity.objects.select_related("activity"):
        with transaction.atomic():
            total += sync_activity(link)
    return total

"""Writes on country groups (the secretariat's job): dated memberships, audited."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from gapbridge.accounts.permissions import Actor, require_secretariat
from gapbridge.audit import services as audit
from gapbridge.countries.models import CountryGroup, Economy, GroupMembership


class MembershipError(Exception):
    """A membership change that cannot be made, with the reason."""


@transaction.atomic
def set_membership(
    actor: Actor,
    group_code: str,
    iso3: str,
    *,
    start_date: dt.date | None,
    end_date: dt.date | None,
    status: str = "member",
    source: str,
    note: str = "",
) -> GroupMembership:
    """Record that an economy belongs to a group over [start_date, end_date).

    A later edit by the secretariat is never overwritten by a reload of the bundled data.
    """
    require_secretariat(actor, "edit country groups")
    if start_date and end_date and end_date <= start_date:
        raise MembershipError(
            _("end date %(end)s must be after start date %(start)s") % {"end": end_date, "start": start_date}
        )
    if not source.strip():
        raise MembershipError(_("a membership change needs a source"))
    try:
        group = CountryGroup.objects.get(code=group_code)
    except CountryGroup.DoesNotExist:
        raise MembershipError(_("unknown group %(code)s") % {"code": repr(group_code)}) from None
    try:
        economy = Economy.objects.get(iso3=iso3.upper())
    except Economy.DoesNotExist:
        raise MembershipError(_("unknown economy %(code)s") % {"code": repr(iso3)}) from None
    existing = GroupMembership.objects.filter(group=group, economy=economy, start_date=start_date).first()
    before = audit.snapshot(existing) if existing else None
    membership = existing or GroupMembership(group=group, economy=economy, start_date=start_date)
    membership.end_date = end_date
    membership.status = status
    membership.source = source
    membership.note = note
    membership.origin = GroupMembership.Origin.SECRETARIAT
    membership.save()
    audit.record(
        actor, "update" if existing else "create", membership, before=before, after=audit.snapshot(membership)
    )
    return membership

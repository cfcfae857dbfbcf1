"""Writes on needs. Each function: one transaction, a permission check first, an audit record.

Who may do what: a country's focal points create and change its needs and move them along the lifecycle,
including validation; editors of the requesting organization create needs and submit them, but may not
validate their own; the secretariat may do everything. Indicative needs are written by
`gapbridge.needs.derived` only.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gapbridge.accounts.permissions import (
    Actor,
    PermissionDenied,
    can_edit,
    country_ids,
    is_secretariat,
    organization_ids,
    require_edit,
)
from gapbridge.audit import services as audit
from gapbridge.countries.models import Economy
from gapbridge.needs.lifecycle import VALIDATION_MOVES, TransitionError, check_move
from gapbridge.needs.models import Need, NeedStatus, NeedStatusChange, Priority
from gapbridge.offers.choices import ChoiceError, FocusArea, Language, RequesterType, SupportKind, clean_list
from gapbridge.offers.services import _money, clean_translations, user_or_none
from gapbridge.organizations.models import Organization


class NeedError(ValueError):
    """A need change that cannot be made; the message names the field or the rule."""


EDITABLE = frozenset(
    {
        "title",
        "description",
        "language",
        "translations",
        "requesting_organization",
        "requester_type",
        "focus_areas",
        "kinds",
        "priority",
        "start_by",
        "end_by",
        "languages",
        "budget_usd",
    }
)


def _date(field: str, value: Any) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise NeedError(
            _("%(field)s must be a date YYYY-MM-DD; got %(value)s") % {"field": field, "value": repr(value)}
        ) from None


def clean_fields(data: dict[str, Any]) -> dict[str, Any]:
    unknown = sorted(set(data) - EDITABLE)
    if unknown:
        raise NeedError(
            _("unknown field(s): %(fields)s; editable: %(editable)s")
            % {"fields": ", ".join(unknown), "editable": ", ".join(sorted(EDITABLE))}
        )
    fields: dict[str, Any] = {}
    try:
        for key, value in data.items():
            if key == "focus_areas":
                fields[key] = clean_list(key, value, FocusArea)
            elif key == "kinds":
                fields[key] = clean_list(key, value, SupportKind)
            elif key == "languages":
                fields[key] = clean_list(key, value, Language)
            elif key == "language":
                fields[key] = clean_list(key, [value or "en"], Language)[0]
            elif key == "requester_type":
                fields[key] = clean_list(key, [value or "government"], RequesterType)[0]
            elif key == "priority":
                fields[key] = clean_list(key, [value or "medium"], Priority)[0]
            elif key in {"start_by", "end_by"}:
                fields[key] = _date(key, value)
            elif key == "budget_usd":
                try:
                    fields[key] = _money(key, value, model=Need)
                except ValueError as exc:
                    raise NeedError(str(exc)) from None
            elif key == "requesting_organization":
                fields[key] = _organization(value)
            elif key == "translations":
                try:
                    fields[key] = clean_translations(value)
                except ValueError as exc:
                    raise NeedError(str(exc)) from None
            else:
                fields[key] = "" if value is None else str(value).strip()
    except ChoiceError as exc:
        raise NeedError(str(exc)) from None
    return fields


def _organization(value: Any) -> Organization | None:
    if value in (None, ""):
        return None
    if isinstance(value, Organization):
        return value
    org = Organization.objects.filter(pk=value).first() if str(value).isdigit() else None
    org = org or Organization.objects.filter(iati_ref=str(value)).first()
    if org is None:
        raise NeedError(_("requesting_organization: no organization %(value)s") % {"value": repr(value)})
    return org


def _require_may_name(actor: Actor, need: Need) -> None:
    """The requesting organization shares the need's edit rights, so only one the actor may speak for can
    be named: an organization the actor edits, or one based in the need's country named by its focal point
    (the secretariat may name any). The command line (``actor`` None) is trusted."""
    org = need.requesting_organization
    if actor is None or org is None or is_secretariat(actor) or org.pk in organization_ids(actor):
        return
    if need.country_id in country_ids(actor) and org.country_id == need.country_id:
        return
    raise PermissionDenied(
        _(
            "%(actor)s may not name %(org)s as the requesting organization: name one you belong to, or, as "
            "the focal point, an organization based in %(country)s"
        )
        % {"actor": audit.actor_label(actor), "org": org.name, "country": need.country.name}
    )


def _validate(need: Need) -> None:
    if not need.title.strip():
        raise NeedError(_("title is required"))
    if not need.description.strip():
        raise NeedError(_("description is required"))
    if not need.focus_areas:
        raise NeedError(_("at least one focus area is required"))
    if need.start_by and need.end_by and need.start_by > need.end_by:
        raise NeedError(
            _("end_by: the timeframe ends (%(end)s) before it starts (%(start)s)")
            % {"end": need.end_by, "start": need.start_by}
        )


def record_move(need: Need, frm: str, to: str, actor: Actor, reason: str) -> NeedStatusChange:
    return NeedStatusChange.objects.create(
        need=need,
        from_status=frm,
        to_status=to,
        at=need.status_changed_at or timezone.now(),
        actor=user_or_none(actor),
        actor_label=audit.actor_label(actor),
        reason=reason,
    )


@transaction.atomic
def create_need(actor: Actor, country: Economy, **data: Any) -> Need:
    """A new draft need of ``country`` (by its focal points, the requesting organization, the secretariat)."""
    fields = clean_fields(data)
    need = Need(country=country, created_by=user_or_none(actor), status=NeedStatus.DRAFT, **fields)
    if actor is not None and not can_edit(actor, need):
        raise PermissionDenied(
            _("%(actor)s may not create needs for %(country)s")
            % {"actor": audit.actor_label(actor), "country": country.name}
        )
    _require_may_name(actor, need)
    need.status_changed_at = timezone.now()
    _validate(need)
    need.save()
    record_move(need, "", NeedStatus.DRAFT, actor, "created")
    audit.record(actor, "create", need, after=audit.snapshot(need))
    return need


@transaction.atomic
def update_need(actor: Actor, need_id: int, reason: str = "", **data: Any) -> Need:
    need = Need.objects.select_for_update().get(pk=need_id)
    if actor is not None:
        require_edit(actor, need)
    if need.is_indicative:
        raise NeedError(
            _("an indicative need is derived from data and cannot be edited; adopt it as a new need")
        )
    before = audit.snapshot(need)
    named_before = need.requesting_organization_id
    changes = clean_fields(data)
    for key, value in changes.items():
        setattr(need, key, value)
    if need.requesting_organization_id != named_before:  # forms send it unchanged on every edit
        _require_may_name(actor, need)
    if actor is not None and not can_edit(actor, need):  # a change may not take the need out of one's hands
        raise PermissionDenied(
            _("%(actor)s would no longer be able to edit this need after that change")
            % {"actor": audit.actor_label(actor)}
        )
    _validate(need)
    need.save()
    audit.record(actor, "update", need, before=before, after=audit.snapshot(need), reason=reason)
    return need


def may_validate(actor: Actor, need: Need) -> bool:
    return is_secretariat(actor) or need.country_id in country_ids(actor)


@transaction.atomic
def change_status(actor: Actor, need_id: int, target: str, reason: str) -> Need:
    need = Need.objects.select_for_update().get(pk=need_id)
    if actor is not None:
        require_edit(actor, need)
    if need.is_indicative:
        raise NeedError(_("an indicative need has no lifecycle; adopt it as a new need to request support"))
    if not reason.strip():
        raise NeedError(_("a reason is required for every change of status"))
    try:
        frm, to = check_move(need.status, target)
    except TransitionError as exc:
        raise NeedError(str(exc)) from None
    if actor is not None and (frm, to) in VALIDATION_MOVES and not may_validate(actor, need):
        raise PermissionDenied(
            _("only the focal points of %(country)s or the secretariat may move a need to %(status)s")
            % {"country": need.country.name, "status": to.value}
        )
    move(actor, need, to.value, reason)
    if to.value == NeedStatus.SUBMITTED:
        from gapbridge.matches import alerts

        need_id_ = need.pk
        transaction.on_commit(lambda: alerts.on_need_submitted(need_id_))
    return need


def move(actor: Actor, need: Need, to: str, reason: str) -> None:
    """Apply a checked move (callers hold the transaction and have checked permission and lifecycle)."""
    before = audit.snapshot(need)
    frm = need.status
    need.status = to
    need.status_changed_at = timezone.now()
    need.save(update_fields=["status", "status_changed_at", "updated_at"])
    record_move(need, frm, to, actor, reason)
    audit.record(actor, "transition", need, before=before, after=audit.snapshot(need), reason=reason)


@transaction.atomic
def adopt(actor: Actor, need_id: int) -> Need:
    """A focal point turns an indicative need into a draft request of the country (a new need)."""
    source = Need.objects.get(pk=need_id)
    if not source.is_indicative:
        raise NeedError(_("only an indicative need can be adopted"))
    if actor is None or not may_validate(actor, source):
        raise PermissionDenied(
            f"only the focal points of {source.country.name_en} or the secretariat may adopt it"
        )
    return create_need(
        actor,
        source.country,
        title=source.title,
        description=source.description,
        focus_areas=list(source.focus_areas),
        kinds=list(source.kinds),
        language=source.language,
        translations={lang: dict(fields) for lang, fields in (source.translations or {}).items()},
        priority=source.priority,
    )

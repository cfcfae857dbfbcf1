"""Writes on the barrier register. Each function: one transaction, a permission check first, an audit record.

Who may do what:
- any signed-in user reports a barrier (and may edit it while it is still being moderated);
- the secretariat moderates: any move of the lifecycle, merging duplicates, restricted notes;
- the people responsible for a barrier (focal points of its country, editors of the reporting
  organization) edit it, post progress, link what addresses it, and move it along the "addressing" path;
- an offer's, need's or project's owner may also link that object to a barrier.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gapbridge.accounts.permissions import (
    Actor,
    PermissionDenied,
    can_edit,
    is_secretariat,
    organization_ids,
    require_secretariat,
)
from gapbridge.audit import services as audit
from gapbridge.audit.public import public_actor
from gapbridge.barriers import links as link_targets
from gapbridge.barriers import notifications
from gapbridge.barriers.focus import clean_focus_areas
from gapbridge.barriers.lifecycle import TRANSITIONS, Status, TransitionError, check_move, is_progress_move
from gapbridge.barriers.models import (
    Barrier,
    BarrierCategory,
    BarrierLink,
    BarrierNotification,
    BarrierStatus,
    BarrierStatusChange,
    BarrierSubscription,
    BarrierUpdate,
    Language,
    LinkKind,
    Origin,
)
from gapbridge.countries.models import CountryGroup, Economy
from gapbridge.organizations.models import Organization


class BarrierError(ValueError):
    """A barrier change that cannot be made; the message names the field or the rule."""


REPORTABLE = frozenset(
    {
        "title",
        "description",
        "language",
        "country",
        "group",
        "category",
        "focus_areas",
        "measure_title",
        "measure_reference",
        "measure_url",
        "measure_date",
        "reporter_name",
        "reporter_organization",
        "reporter_is_public",
        "evidence",
        "evidence_url",
        "impact",
        "impact_note",
        "priority",
        "translations",
    }
)
EDITABLE = REPORTABLE | {"restricted_notes"}


def _user_or_none(actor: Actor) -> Any:
    return actor if actor is not None and actor.is_authenticated else None


def _label(actor: Actor) -> str:
    return audit.actor_label(actor)


def _require_signed_in(actor: Actor, what: str) -> None:
    if actor is None or not actor.is_authenticated:
        raise PermissionDenied(what)


def is_reporter(actor: Actor, barrier: Barrier) -> bool:
    return actor is not None and actor.is_authenticated and barrier.reported_by_id == actor.pk


def is_responsible(actor: Actor, barrier: Barrier) -> bool:
    return can_edit(actor, barrier)


#: Who reported a barrier: withheld, unless the reporter chose to show it, from everyone but the secretariat,
#: the reporting account and the editors of the reporting organization. The people responsible for the
#: barrier (its country's focal points) do not learn who complained about their country.
REPORTER_FIELDS = frozenset({"reporter_name", "reporter_organization", "reporter_is_public"})


def sees_reporter(actor: Actor, barrier: Barrier) -> bool:
    if barrier.reporter_is_public or is_secretariat(actor) or is_reporter(actor, barrier):
        return True
    org = barrier.reporter_organization_id
    return bool(org) and org in organization_ids(actor)


def _resolve_place(fields: dict[str, Any]) -> None:
    """Accept an Economy/CountryGroup, their pk, or an ISO3 code / group code."""
    country = fields.get("country")
    if isinstance(country, str):
        found = Economy.objects.filter(iso3=country.upper()).first()
        if found is None:
            raise BarrierError(_("country: no economy with ISO3 code %(code)s") % {"code": repr(country)})
        fields["country"] = found
    elif isinstance(country, int):
        fields["country"] = Economy.objects.get(pk=country)
    group = fields.get("group")
    if isinstance(group, str):
        found_group = CountryGroup.objects.filter(code=group).first()
        if found_group is None:
            raise BarrierError(_("group: no country group %(code)s") % {"code": repr(group)})
        fields["group"] = found_group
    elif isinstance(group, int):
        fields["group"] = CountryGroup.objects.get(pk=group)
    org = fields.get("reporter_organization")
    if isinstance(org, int):
        fields["reporter_organization"] = Organization.objects.get(pk=org)


def _check_fields(fields: dict[str, Any], allowed: frozenset[str]) -> None:
    unknown = set(fields) - allowed
    if unknown:
        raise BarrierError(_("unknown barrier fields: %(fields)s") % {"fields": ", ".join(sorted(unknown))})
    if "focus_areas" in fields:
        try:
            fields["focus_areas"] = clean_focus_areas(fields["focus_areas"])
        except ValueError as exc:
            raise BarrierError(_("focus_areas: %(error)s") % {"error": exc}) from None
    if "translations" in fields:
        fields["translations"] = _translations(fields["translations"])
    _resolve_place(fields)


def _translations(value: Any) -> dict[str, dict[str, str]]:
    """`{language: {"title", "description"}}` with known languages only; empty entries dropped."""
    if value in (None, ""):
        return {}
    if not isinstance(value, dict):
        raise BarrierError(
            _("translations: expected an object giving, for each language, a title and a description")
        )
    out: dict[str, dict[str, str]] = {}
    for lang, content in value.items():
        if lang not in Language.values:
            raise BarrierError(
                _("translations: unknown language %(lang)s; expected one of %(known)s")
                % {"lang": repr(lang), "known": ", ".join(Language.values)}
            )
        if not isinstance(content, dict):
            raise BarrierError(
                _("translations.%(lang)s: expected an object with title and description") % {"lang": lang}
            )
        cleaned = {k: str(content.get(k) or "").strip() for k in ("title", "description")}
        if len(cleaned["title"]) > 300:
            raise BarrierError(_("translations.%(lang)s.title: at most 300 characters") % {"lang": lang})
        if cleaned["title"] or cleaned["description"]:
            out[lang] = cleaned
    return out


def _check_choices(barrier: Barrier) -> None:
    """A coded field with an unknown value is refused with the codes it accepts."""
    for model_field in barrier._meta.fields:
        if not model_field.choices:
            continue
        value = getattr(barrier, model_field.attname)
        known = [str(code) for code, _label in model_field.flatchoices]
        if value in (None, "") and model_field.blank:
            continue
        if str(value) not in known:
            raise BarrierError(
                _("%(field)s: unknown value %(value)s; expected one of %(known)s")
                % {"field": model_field.name, "value": repr(value), "known": ", ".join(known)}
            )


def _validate(barrier: Barrier) -> None:
    if (barrier.country_id is None) == (barrier.group_id is None):
        raise BarrierError(_("give either a country or a group of countries, not both and not neither"))
    _check_choices(barrier)
    try:
        barrier.full_clean(exclude=["source_key"])
    except ValidationError as exc:
        raise BarrierError(
            "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in exc.message_dict.items())
        ) from None


def _record_move(
    barrier: Barrier,
    frm: str,
    to: str,
    actor: Actor,
    reason: str,
    at: dt.datetime | None = None,
    *,
    batch: list[int] | None = None,
) -> BarrierStatusChange:
    when = at or timezone.now()
    change = BarrierStatusChange.objects.create(
        barrier=barrier,
        from_status=frm,
        to_status=to,
        at=when,
        actor=_user_or_none(actor),
        actor_label=_label(actor),
        reason=reason,
    )
    notifications.notify_status(barrier, change, batch=batch)
    return change


@transaction.atomic
def report_barrier(actor: Actor, **fields: Any) -> Barrier:
    """A new barrier, status `reported`, waiting for moderation."""
    _require_signed_in(actor, _("sign in to report a barrier"))
    _check_fields(fields, REPORTABLE)
    org = fields.get("reporter_organization")
    if org is not None and not is_secretariat(actor) and org.pk not in organization_ids(actor):
        raise PermissionDenied(
            _("you may report on behalf of %(organization)s only as one of its editors")
            % {"organization": org}
        )
    barrier = Barrier(**fields, reported_by=_user_or_none(actor), origin=Origin.REPORTED)
    if not barrier.reporter_name and actor is not None and actor.is_authenticated:
        full = getattr(actor, "get_full_name", lambda: "")()
        # never the login name (it would help anyone guessing passwords): the role or organization instead
        barrier.reporter_name = full or public_actor(actor.pk)
    barrier.status = BarrierStatus.REPORTED
    barrier.status_changed_at = timezone.now()
    _validate(barrier)
    barrier.save()
    _record_move(barrier, "", BarrierStatus.REPORTED, actor, "reported", barrier.status_changed_at)
    audit.record(actor, "create", barrier, after=audit.snapshot(barrier))
    return barrier


@transaction.atomic
def update_barrier(actor: Actor, barrier_id: int, **changes: Any) -> Barrier:
    barrier = Barrier.objects.select_for_update().get(pk=barrier_id)
    still_in_moderation = barrier.status in (BarrierStatus.REPORTED, BarrierStatus.UNDER_REVIEW)
    if not (is_responsible(actor, barrier) or (is_reporter(actor, barrier) and still_in_moderation)):
        raise PermissionDenied(
            _("%(who)s may not change barrier #%(id)s") % {"who": _label(actor), "id": barrier.pk}
        )
    if "restricted_notes" in changes and not is_secretariat(actor):
        raise PermissionDenied(_("only the secretariat writes restricted notes"))
    if REPORTER_FIELDS & set(changes) and not sees_reporter(actor, barrier):
        raise PermissionDenied(_("only the reporter and the secretariat change who reported a barrier"))
    _check_fields(changes, EDITABLE)
    org = changes.get("reporter_organization")
    if org is not None and not is_secretariat(actor) and org.pk not in organization_ids(actor):
        raise PermissionDenied(
            _("you may attribute a barrier to %(organization)s only as one of its editors")
            % {"organization": org}
        )
    before = audit.snapshot(barrier)
    for name, value in changes.items():
        setattr(barrier, name, value)
    _validate(barrier)
    barrier.save()
    audit.record(actor, "update", barrier, before=before, after=audit.snapshot(barrier))
    return barrier


def can_move(actor: Actor, barrier: Barrier, target: str) -> bool:
    if is_secretariat(actor):
        return True
    return is_responsible(actor, barrier) and is_progress_move(barrier.status, target)


def _transition_error(current: str, target: str) -> str:
    """Why `check_move` refused, in the active language (the pure lifecycle module speaks English).
    States are named by their codes, as the API takes them."""
    if target not in BarrierStatus.values:
        return _("unknown barrier status %(status)s; expected one of %(known)s") % {
            "status": repr(target),
            "known": ", ".join(BarrierStatus.values),
        }
    if target == current:
        return _("the barrier is already %(status)s") % {"status": current}
    allowed = ", ".join(sorted(s.value for s in TRANSITIONS.get(Status(current), ())))
    return _("a barrier cannot go from %(from)s to %(to)s; from %(from)s: %(allowed)s") % {
        "from": current,
        "to": target,
        "allowed": allowed or "—",
    }


@transaction.atomic
def change_status(
    actor: Actor, barrier_id: int, to_status: str, reason: str, *, at: dt.datetime | None = None
) -> BarrierStatusChange:
    """Move a barrier along its lifecycle; the reason is required and kept in the history."""
    barrier = Barrier.objects.select_for_update().get(pk=barrier_id)
    reason = (reason or "").strip()
    try:
        frm, to = check_move(barrier.status, to_status)
    except TransitionError:
        raise BarrierError(_transition_error(barrier.status, to_status)) from None
    if not can_move(actor, barrier, to):
        raise PermissionDenied(
            _("%(who)s may not move barrier #%(id)s from %(from)s to %(to)s")
            % {"who": _label(actor), "id": barrier.pk, "from": frm.value, "to": to.value}
        )
    if not reason:
        raise BarrierError(_("give the reason for the status change"))
    before = audit.snapshot(barrier)
    barrier.status = to.value
    barrier.status_changed_at = at or timezone.now()
    barrier.save(update_fields=["status", "status_changed_at", "updated_at"])
    change = _record_move(barrier, frm.value, to.value, actor, reason, barrier.status_changed_at)
    audit.record(actor, "transition", barrier, before=before, after=audit.snapshot(barrier), reason=reason)
    return change


@transaction.atomic
def add_update(actor: Actor, barrier_id: int, text: str, *, is_public: bool = True) -> BarrierUpdate:
    """A progress note, by the secretariat, the people responsible, or the reporter."""
    barrier = Barrier.objects.get(pk=barrier_id)
    if not (is_responsible(actor, barrier) or is_reporter(actor, barrier)):
        raise PermissionDenied(
            _("%(who)s may not post progress on barrier #%(id)s") % {"who": _label(actor), "id": barrier.pk}
        )
    text = (text or "").strip()
    if not text:
        raise BarrierError(_("a progress update needs some text"))
    update = BarrierUpdate.objects.create(
        barrier=barrier,
        at=timezone.now(),
        author=_user_or_none(actor),
        author_label=_label(actor),
        text=text,
        is_public=is_public,
    )
    audit.record(actor, "create", update, after=audit.snapshot(update))
    return update


def _may_link(actor: Actor, barrier: Barrier, target: Any) -> bool:
    if is_responsible(actor, barrier):
        return True
    owns = getattr(target, "owning_organization_id", None)
    return callable(owns) and can_edit(actor, target)


@transaction.atomic
def link(actor: Actor, barrier_id: int, kind: str, object_id: str | int, note: str = "") -> BarrierLink:
    """Link a need, offer, match or project that addresses the barrier (checked to exist)."""
    barrier = Barrier.objects.get(pk=barrier_id)
    try:
        target = link_targets.resolve(kind, str(object_id))
    except link_targets.LinkError as exc:
        raise BarrierError(str(exc)) from None
    if not link_targets.visible_to(actor, kind, target):
        # Answered as if it did not exist: a link must not reveal another organisation's draft.
        raise BarrierError(_("no %(kind)s with id %(id)s") % {"kind": kind, "id": repr(str(object_id))})
    if not _may_link(actor, barrier, target):
        raise PermissionDenied(
            _("%(who)s may not link %(kind)s %(object)s to barrier #%(id)s")
            % {"who": _label(actor), "kind": kind, "object": object_id, "id": barrier.pk}
        )
    existing = BarrierLink.objects.filter(barrier=barrier, kind=kind, object_id=str(target.pk)).first()
    if existing is not None:
        return existing
    created = BarrierLink.objects.create(
        barrier=barrier,
        kind=kind,
        object_id=str(target.pk),
        label=link_targets.label_of(target),
        note=note.strip(),
        created_by=_user_or_none(actor),
    )
    audit.record(actor, "create", created, after=audit.snapshot(created))
    return created


@transaction.atomic
def unlink(actor: Actor, link_id: int) -> None:
    item = BarrierLink.objects.select_related("barrier").get(pk=link_id)
    if not is_responsible(actor, item.barrier):
        try:
            target = link_targets.resolve(item.kind, item.object_id)
        except link_targets.LinkError:
            target = None
        if target is None or not _may_link(actor, item.barrier, target):
            raise PermissionDenied(_("%(who)s may not remove this link") % {"who": _label(actor)})
    audit.record(actor, "delete", item, before=audit.snapshot(item))
    item.delete()


@transaction.atomic
def merge(actor: Actor, duplicate_id: int, into_id: int, reason: str) -> Barrier:
    """Fold a duplicate into another barrier: its links move; it is archived, pointing at the survivor."""
    require_secretariat(actor, "merge barriers")
    if duplicate_id == into_id:
        raise BarrierError(_("a barrier cannot be merged into itself"))
    duplicate = Barrier.objects.select_for_update().get(pk=duplicate_id)
    survivor = Barrier.objects.select_for_update().get(pk=into_id)
    if survivor.merged_into_id is not None:
        raise BarrierError(
            _("barrier #%(id)s was itself merged into #%(into)s")
            % {"id": survivor.pk, "into": survivor.merged_into_id}
        )
    reason = (reason or "").strip()
    if not reason:
        raise BarrierError(_("give the reason for the merge"))
    before = audit.snapshot(duplicate)
    for item in list(duplicate.links.all()):
        if not survivor.links.filter(kind=item.kind, object_id=item.object_id).exists():
            item.barrier = survivor
            item.save(update_fields=["barrier"])
    duplicate.merged_into = survivor
    frm = duplicate.status
    duplicate.status = BarrierStatus.ARCHIVED
    duplicate.status_changed_at = timezone.now()
    duplicate.save(update_fields=["merged_into", "status", "status_changed_at", "updated_at"])
    if frm != BarrierStatus.ARCHIVED:
        _record_move(
            duplicate,
            frm,
            BarrierStatus.ARCHIVED,
            actor,
            f"merged into #{survivor.pk}: {reason}",
            duplicate.status_changed_at,
        )
    audit.record(actor, "update", duplicate, before=before, after=audit.snapshot(duplicate), reason=reason)
    return survivor


@transaction.atomic
def subscribe(
    actor: Actor, *, country: Economy | str | None = None, category: str = "", email: bool = True
) -> BarrierSubscription:
    """Follow barriers of a country and/or category; following the same scope again changes nothing."""
    _require_signed_in(actor, _("sign in to follow barriers"))
    assert actor is not None
    if isinstance(country, str):
        found = Economy.objects.filter(iso3=country.upper()).first() if country else None
        if country and found is None:
            raise BarrierError(_("country: no economy with ISO3 code %(code)s") % {"code": repr(country)})
        country = found
    if category and category not in BarrierCategory.values:
        raise BarrierError(_("category: unknown barrier category %(code)s") % {"code": repr(category)})
    if country is None and not category:
        raise BarrierError(_("follow a country, a category, or both"))
    sub, created = BarrierSubscription.objects.get_or_create(
        user_id=int(actor.pk or 0), country=country, category=category or "", defaults={"email": email}
    )
    if not created and sub.email != email:
        before = audit.snapshot(sub)
        sub.email = email
        sub.save(update_fields=["email"])
        audit.record(actor, "update", sub, before=before, after=audit.snapshot(sub))
    elif created:
        audit.record(actor, "create", sub, after=audit.snapshot(sub))
    return sub


@transaction.atomic
def unsubscribe(actor: Actor, subscription_id: int) -> None:
    _require_signed_in(actor, _("sign in to stop following barriers"))
    assert actor is not None
    sub = BarrierSubscription.objects.get(pk=subscription_id)
    if sub.user_id != actor.pk and not is_secretariat(actor):
        raise PermissionDenied(_("you may remove only your own subscriptions"))
    audit.record(actor, "delete", sub, before=audit.snapshot(sub))
    sub.delete()


def mark_read(actor: Actor, notification_ids: list[int] | None = None) -> int:
    """Mark the actor's notifications read (all when no ids are given). Not audited: personal state."""
    _require_signed_in(actor, _("sign in to read notifications"))
    assert actor is not None
    qs = BarrierNotification.objects.filter(user_id=int(actor.pk or 0), read_at__isnull=True)
    if notification_ids is not None:
        qs = qs.filter(pk__in=notification_ids)
    return qs.update(read_at=timezone.now())


def system_move(
    barrier: Barrier, to: Status, reason: str, *, batch: list[int] | None = None
) -> BarrierStatusChange:
    """A move made by a data job (no user); callers hold the transaction. Used by derived barriers."""
    frm = barrier.status
    check_move(frm, to.value)
    before = audit.snapshot(barrier)
    barrier.status = to.value
    barrier.status_changed_at = timezone.now()
    barrier.save(update_fields=["status", "status_changed_at", "updated_at"])
    change = _record_move(barrier, frm, to.value, None, reason, barrier.status_changed_at, batch=batch)
    audit.record(None, "transition", barrier, before=before, after=audit.snapshot(barrier), reason=reason)
    return change


#: The focus area and kind of support a barrier of each category most likely needs, when it names none.
NEED_DEFAULTS: dict[str, tuple[str, str]] = {
    BarrierCategory.DATA_FLOWS: ("data-regulation", "policy-advice"),
    BarrierCategory.E_PAYMENTS: ("digital-payments", "policy-advice"),
    BarrierCategory.CUSTOMS: ("trade-facilitation", "technical-assistance"),
    BarrierCategory.DIGITAL_TAXATION: ("digital-taxation", "policy-advice"),
    BarrierCategory.LICENSING: ("ecommerce-sme", "policy-advice"),
    BarrierCategory.CONNECTIVITY: ("connectivity-infrastructure", "technical-assistance"),
    BarrierCategory.E_TRANSACTIONS: ("ecommerce-sme", "policy-advice"),
    BarrierCategory.CONSUMER_PROTECTION: ("ecommerce-sme", "policy-advice"),
    BarrierCategory.DATA_PROTECTION: ("data-regulation", "policy-advice"),
    BarrierCategory.CYBERSECURITY: ("emerging-technology", "policy-advice"),
    BarrierCategory.INTELLECTUAL_PROPERTY: ("research-innovation", "policy-advice"),
    BarrierCategory.STANDARDS: ("trade-facilitation", "technical-assistance"),
    BarrierCategory.SKILLS: ("digital-skills", "training"),
}


@transaction.atomic
def raise_as_need(
    actor: Actor, barrier_id: int, *, country: str | None = None, **need_fields: Any
) -> BarrierLink:
    """Raise a barrier as a need for assistance (a draft need of its country, in the needs app) and link it.

    The need starts from the barrier's title, description, language, focus areas and priority; any need
    field given overrides them. A barrier of a group of countries needs `country` (an ISO3 member of the
    group). Whoever may create needs for that country may do this (its focal points, the secretariat,
    the requesting organization's editors); the needs app checks it and records the need's history.
    """
    from gapbridge.needs import services as needs

    _require_signed_in(actor, _("sign in to raise a barrier as a need"))
    barrier = Barrier.objects.select_related("country", "group").get(pk=barrier_id)
    if barrier.country is not None:
        economy = barrier.country
        if country and country.upper() != economy.iso3:
            raise BarrierError(
                _("country: barrier #%(id)s concerns %(iso3)s, not %(given)s")
                % {"id": barrier.pk, "iso3": economy.iso3, "given": country.upper()}
            )
    else:
        if not country:
            raise BarrierError(
                _("country: this barrier concerns a group; say for which member country to raise a need")
            )
        found = Economy.objects.filter(iso3=country.upper()).first()
        members = barrier.group.members_on(timezone.localdate()) if barrier.group else Economy.objects.none()
        if found is None or not members.filter(pk=found.pk).exists():
            raise BarrierError(
                _("country: %(code)s is not a member of %(group)s")
                % {"code": repr(country), "group": barrier.where}
            )
        economy = found
    area, kind = NEED_DEFAULTS.get(barrier.category, ("data-regulation", "technical-assistance"))
    fields: dict[str, Any] = {
        "title": barrier.title,
        "description": (
            f"{barrier.description}\n\n"
            f"Raised from barrier #{barrier.pk} of the GapBridge barrier register "
            f"({barrier.get_category_display()})."
        ),
        "language": barrier.language,
        "focus_areas": list(barrier.focus_areas) or [area],
        "kinds": [kind],
        "priority": barrier.priority,
    }
    fields.update({k: v for k, v in need_fields.items() if v not in (None, "", [])})
    try:
        need = needs.create_need(actor, economy, **fields)
    except needs.NeedError as exc:
        raise BarrierError(_("the need could not be created: %(error)s") % {"error": exc}) from None
    created = BarrierLink.objects.create(
        barrier=barrier,
        kind=LinkKind.NEED,
        object_id=str(need.pk),
        label=need.title[:300],
        note="raised from this barrier",
        created_by=_user_or_none(actor),
    )
    audit.record(actor, "create", created, after=audit.snapshot(created), reason="raised as a need")
    return created

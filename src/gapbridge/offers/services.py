"""Writes on offers. Each function: one transaction, a permission check first, an audit record.

Who may do what: an organization's editors create and change its offers and move them along the
lifecycle; the secretariat may do all of it for any provider. Seeding from open data runs with
``actor=None`` (the command line, a trusted operator) or as the secretariat.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.db import transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _

from gapbridge.accounts.permissions import Actor, PermissionDenied, can_edit, require_edit
from gapbridge.api import limits
from gapbridge.audit import services as audit
from gapbridge.countries.models import CountryGroup, Economy
from gapbridge.offers.choices import (
    ChoiceError,
    FocusArea,
    Language,
    Modality,
    RequesterType,
    SupportKind,
    clean_list,
)
from gapbridge.offers.lifecycle import TransitionError, check_move
from gapbridge.offers.models import Offer, OfferOrigin, OfferStatus, OfferStatusChange
from gapbridge.offers.queries import taken
from gapbridge.organizations.models import Organization


class OfferError(ValueError):
    """An offer change that cannot be made; the message names the field or the rule."""


SCALAR_FIELDS = frozenset(
    {
        "title",
        "description",
        "language",
        "translations",
        "kind",
        "focus_areas",
        "eligible_regions",
        "requester_types",
        "languages",
        "modality",
        "capacity",
        "budget_usd",
        "opens",
        "closes",
        "contact_name",
        "contact_email",
        "contact_url",
    }
)
RELATION_FIELDS = frozenset({"eligible_countries", "eligible_groups"})
EDITABLE = SCALAR_FIELDS | RELATION_FIELDS


def user_or_none(actor: Actor) -> Any:
    return actor if actor is not None and actor.is_authenticated else None


def _date(field: str, value: Any) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise OfferError(
            _("%(field)s must be a date YYYY-MM-DD; got %(value)s") % {"field": field, "value": repr(value)}
        ) from None


def clean_fields(data: dict[str, Any]) -> tuple[dict[str, Any], dict[str, list[Any]]]:
    """Validated scalar fields and relations (countries by ISO3, groups by code) from user input."""
    unknown = sorted(set(data) - EDITABLE)
    if unknown:
        raise OfferError(
            _("unknown field(s): %(fields)s; editable: %(editable)s")
            % {"fields": ", ".join(unknown), "editable": ", ".join(sorted(EDITABLE))}
        )
    fields: dict[str, Any] = {}
    relations: dict[str, list[Any]] = {}
    try:
        for key, value in data.items():
            if key == "focus_areas":
                fields[key] = clean_list(key, value, FocusArea)
            elif key == "requester_types":
                fields[key] = clean_list(key, value, RequesterType)
            elif key == "languages":
                fields[key] = clean_list(key, value, Language)
            elif key == "kind":
                fields[key] = clean_list(key, [value], SupportKind)[0] if value else ""
            elif key == "modality":
                fields[key] = clean_list(key, [value], Modality)[0] if value else ""
            elif key == "language":
                fields[key] = clean_list(key, [value or "en"], Language)[0]
            elif key in {"opens", "closes"}:
                fields[key] = _date(key, value)
            elif key == "capacity":
                fields[key] = _positive_int(key, value)
            elif key == "budget_usd":
                fields[key] = _money(key, value)
            elif key == "eligible_regions":
                fields[key] = _regions(value)
            elif key == "translations":
                fields[key] = _translations(value)
            elif key == "eligible_countries":
                relations[key] = _countries(value)
            elif key == "eligible_groups":
                relations[key] = _groups(value)
            else:
                fields[key] = "" if value is None else str(value).strip()
    except ChoiceError as exc:
        raise OfferError(str(exc)) from None
    return fields, relations


def _positive_int(field: str, value: Any) -> int | None:
    if value in (None, ""):
        return None
    try:
        number = int(value)
    except (TypeError, ValueError, OverflowError):
        raise OfferError(
            _("%(field)s must be a whole number; got %(value)s") % {"field": field, "value": repr(value)}
        ) from None
    if number < 0:
        raise OfferError(_("%(field)s must be 0 or more; got %(value)s") % {"field": field, "value": number})
    low, high = limits.integer_range(Offer, field)
    try:
        return limits.check_integer(field, number, high, low)
    except limits.OutOfRange as exc:
        raise OfferError(str(exc)) from None


def _money(field: str, value: Any, model: type[Model] = Offer) -> Decimal | None:
    """An amount for ``model.field`` (needs share it: their budgets have the same column)."""
    if value in (None, ""):
        return None
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        raise OfferError(
            _("%(field)s must be an amount; got %(value)s") % {"field": field, "value": repr(value)}
        ) from None
    if amount.is_finite() and amount < 0:
        raise OfferError(_("%(field)s must be 0 or more; got %(value)s") % {"field": field, "value": amount})
    try:
        return limits.check_amount(field, amount, limits.decimal_limit(model, field))
    except limits.OutOfRange as exc:
        raise OfferError(str(exc)) from None


def _as_list(value: Any) -> list[str]:
    if value in (None, ""):
        return []
    if isinstance(value, str):
        return [v.strip() for v in value.replace(";", ",").split(",") if v.strip()]
    return [str(v).strip() for v in value if str(v).strip()]


def _regions(value: Any) -> list[str]:
    regions = _as_list(value)
    known = set(Economy.objects.exclude(sub_region="").values_list("sub_region", flat=True))
    wrong = [r for r in regions if r not in known]
    if wrong:
        raise OfferError(
            _(
                "eligible_regions: unknown region(s) %(regions)s; "
                "expected UN M49 sub-regions such as %(examples)s"
            )
            % {"regions": ", ".join(wrong), "examples": ", ".join(sorted(known)[:3])}
        )
    return sorted(set(regions))


def _countries(value: Any) -> list[Economy]:
    codes = [c.upper() for c in _as_list(value)]
    found = {e.iso3: e for e in Economy.objects.filter(iso3__in=codes)}
    missing = [c for c in codes if c not in found]
    if missing:
        raise OfferError(
            _("eligible_countries: no economy with ISO3 code(s) %(codes)s") % {"codes": ", ".join(missing)}
        )
    return [found[c] for c in codes]


def _groups(value: Any) -> list[CountryGroup]:
    codes = _as_list(value)
    found = {g.code: g for g in CountryGroup.objects.filter(code__in=codes)}
    missing = [c for c in codes if c not in found]
    if missing:
        known = ", ".join(CountryGroup.objects.values_list("code", flat=True))
        raise OfferError(
            _("eligible_groups: unknown group(s) %(groups)s; known: %(known)s")
            % {"groups": ", ".join(missing), "known": known}
        )
    return [found[c] for c in codes]


def _translations(value: Any) -> dict[str, dict[str, str]]:
    return clean_translations(value)


def clean_translations(value: Any) -> dict[str, dict[str, str]]:
    """``{language: {"title", "description"}}`` checked (offers and needs); OfferError names the problem."""
    if value in (None, ""):
        return {}
    if not isinstance(value, dict):
        raise OfferError(_("translations must be an object {language: {title, description}}"))
    out: dict[str, dict[str, str]] = {}
    for lang, content in value.items():
        if lang not in Language.values:
            raise OfferError(
                _("translations: unknown language %(language)s; expected one of %(expected)s")
                % {"language": repr(lang), "expected": ", ".join(Language.values)}
            )
        if not isinstance(content, dict):
            raise OfferError(
                _("translations.%(language)s must be an object with title and description")
                % {"language": lang}
            )
        out[lang] = {k: str(content.get(k, "")).strip() for k in ("title", "description")}
    return out


def _validate(offer: Offer) -> None:
    if not offer.title.strip():
        raise OfferError(_("title is required"))
    if not offer.description.strip():
        raise OfferError(_("description is required"))
    if offer.kind not in SupportKind.values:
        raise OfferError(
            _("kind is required; expected one of %(expected)s") % {"expected": ", ".join(SupportKind.values)}
        )
    if not offer.focus_areas:
        raise OfferError(_("at least one focus area is required"))
    if offer.contact_url:
        try:
            URLValidator(schemes=["http", "https"])(offer.contact_url)
        except ValidationError:
            raise OfferError(
                _("contact_url: %(value)s is not a web address (http:// or https://)")
                % {"value": repr(offer.contact_url[:100])}
            ) from None
    if offer.contact_email:
        try:
            validate_email(offer.contact_email)
        except ValidationError:
            raise OfferError(
                _("contact_email: %(value)s is not an e-mail address")
                % {"value": repr(offer.contact_email[:100])}
            ) from None
    if offer.opens and offer.closes and offer.opens > offer.closes:
        raise OfferError(
            _("applications cannot close (%(closes)s) before they open (%(opens)s)")
            % {"closes": offer.closes, "opens": offer.opens}
        )


def _changed() -> None:
    """The matcher cached in this process is out of date (other processes notice within seconds)."""
    from gapbridge.matches import engine

    engine.invalidate()


def record_move(offer: Offer, frm: str, to: str, actor: Actor, reason: str) -> OfferStatusChange:
    _changed()
    return OfferStatusChange.objects.create(
        offer=offer,
        from_status=frm,
        to_status=to,
        at=offer.status_changed_at or timezone.now(),
        actor=user_or_none(actor),
        actor_label=audit.actor_label(actor),
        reason=reason,
    )


def _apply_relations(offer: Offer, relations: dict[str, list[Any]]) -> None:
    if "eligible_countries" in relations:
        offer.eligible_countries.set(relations["eligible_countries"])
    if "eligible_groups" in relations:
        offer.eligible_groups.set(relations["eligible_groups"])


@transaction.atomic
def create_offer(actor: Actor, provider: Organization, **data: Any) -> Offer:
    """A new draft offer of ``provider``."""
    if actor is not None and not can_edit(actor, provider):
        raise PermissionDenied(
            _("%(actor)s may not create offers for %(provider)s")
            % {"actor": audit.actor_label(actor), "provider": provider}
        )
    fields, relations = clean_fields(data)
    offer = Offer(provider=provider, created_by=user_or_none(actor), status=OfferStatus.DRAFT, **fields)
    offer.status_changed_at = timezone.now()
    _validate(offer)
    offer.save()
    _apply_relations(offer, relations)
    record_move(offer, "", OfferStatus.DRAFT, actor, "created")
    audit.record(actor, "create", offer, after=audit.snapshot(offer))
    return offer


@transaction.atomic
def update_offer(actor: Actor, offer_id: int, reason: str = "", **data: Any) -> Offer:
    offer = Offer.objects.select_for_update().get(pk=offer_id)
    if actor is not None:
        require_edit(actor, offer)
    before = audit.snapshot(offer)
    fields, relations = clean_fields(data)
    if fields.get("capacity") is not None and fields["capacity"] != offer.capacity:
        places = taken(offer)
        if fields["capacity"] < places:
            raise OfferError(
                _("capacity: %(places)s places are already taken; the capacity cannot be less")
                % {"places": places}
            )
    for key, value in fields.items():
        setattr(offer, key, value)
    _validate(offer)
    offer.save()
    _apply_relations(offer, relations)
    audit.record(actor, "update", offer, before=before, after=audit.snapshot(offer), reason=reason)
    _changed()
    return offer


@transaction.atomic
def change_status(actor: Actor, offer_id: int, target: str, reason: str) -> Offer:
    """Move an offer along its lifecycle; publishing announces it to matching saved searches."""
    offer = Offer.objects.select_for_update().get(pk=offer_id)
    if actor is not None:
        require_edit(actor, offer)
    if not reason.strip():
        raise OfferError(_("a reason is required for every change of status"))
    try:
        frm, to = check_move(offer.status, target)
    except TransitionError as exc:
        raise OfferError(str(exc)) from None
    if to.value == OfferStatus.PUBLISHED:
        _validate(offer)
    before = audit.snapshot(offer)
    offer.status = to.value
    offer.status_changed_at = timezone.now()
    offer.save(update_fields=["status", "status_changed_at", "updated_at"])
    record_move(offer, frm.value, to.value, actor, reason)
    audit.record(actor, "transition", offer, before=before, after=audit.snapshot(offer), reason=reason)
    if to.value == OfferStatus.PUBLISHED:
        from gapbridge.matches import alerts

        transaction.on_commit(lambda: alerts.on_offer_published(offer.pk))
    return offer


@transaction.atomic
def upsert_seeded(
    actor: Actor,
    *,
    source_key: str,
    provider: Organization,
    origin: OfferOrigin,
    source_url: str,
    source_note: str,
    data: dict[str, Any],
) -> tuple[Offer, str]:
    """Create or refresh an offer seeded from open data (identified by ``source_key``): published at once.

    Returns the offer and "created", "updated" or "unchanged". Fields a provider edited later are kept:
    only seeded offers still in their seeded state (not edited through the services) are refreshed.
    """
    if actor is not None and not can_edit(actor, provider):
        raise PermissionDenied(
            _("%(actor)s may not seed offers for %(provider)s")
            % {"actor": audit.actor_label(actor), "provider": provider}
        )
    fields, relations = clean_fields(data)
    offer = Offer.objects.select_for_update().filter(source_key=source_key).first()
    if offer is None:
        offer = Offer(
            provider=provider,
            origin=origin,
            source_key=source_key,
            source_url=source_url,
            source_note=source_note,
            status=OfferStatus.PUBLISHED,
            status_changed_at=timezone.now(),
            **fields,
        )
        _validate(offer)
        offer.save()
        _apply_relations(offer, relations)
        record_move(offer, "", OfferStatus.PUBLISHED, actor, f"seeded from {origin.label}: {source_url}")
        audit.record(actor, "import", offer, after=audit.snapshot(offer), reason=source_note)
        offer_id = offer.pk
        transaction.on_commit(lambda: _announce(offer_id))
        return offer, "created"
    before = audit.snapshot(offer)
    changed = [k for k, v in fields.items() if getattr(offer, k) != v]
    for key in changed:
        setattr(offer, key, fields[key])
    if offer.provider_id != provider.pk:
        offer.provider = provider
        changed.append("provider")
    if offer.source_url != source_url or offer.source_note != source_note:
        offer.source_url, offer.source_note = source_url, source_note
        changed.append("source")
    if not changed:
        return offer, "unchanged"
    _validate(offer)
    offer.save()
    _apply_relations(offer, relations)
    audit.record(actor, "import", offer, before=before, after=audit.snapshot(offer), reason=source_note)
    _changed()
    return offer, "updated"


def _announce(offer_id: int) -> None:
    from gapbridge.matches import alerts

    alerts.on_offer_published(offer_id)

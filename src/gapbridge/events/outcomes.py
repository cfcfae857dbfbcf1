"""From a meeting's outcome to the need, match or project it creates or advances (guarded adapter).

This is the one place where the events app touches the needs and matches apps (issue 4). When their
services are there (`gapbridge.needs.services.create_need`, `gapbridge.matches.services.change_status` and
`contact`, `gapbridge.matches.queries.ranked_offers`), an outcome goes through them, so their permission
checks, lifecycles, histories and audit apply:

- "follow-up agreed" advances the match between the delegation's country's needs and the provider's offers
  to *contacted*; "support agreed" to *accepted* (moving the need to *matched* by their rules). Without a
  match yet, the best-ranked pair (an open requested need of the country, a published offer of the
  provider) is contacted, which creates the match.
- "a need was identified" creates a draft need of the delegation's country, from the note.

If those services are missing, refuse (a rule or a permission of theirs), or find nothing to link, the
outcome is kept with a generic link (kind + id, checked against their table when it exists) or none, and
`link_for` says why in a warning (in the reader's language) that the page shows. A need takes the event's
focus areas, else those of the participants, else those of the provider's published offers. The chain
meeting → need → match → project (the match's IATI activity) is drawn from the link.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _

from gapbridge.accounts.permissions import Actor, PermissionDenied
from gapbridge.events.models import LinkKind, Meeting, OutcomeKind, label_of

log = logging.getLogger(__name__)

#: (kind, id, label, method): method is "service" (created or advanced through the other app's services),
#: "checked" (an existing object, verified) or "unverified" (the other app has no such table yet).
Link = tuple[str, str, str, str]

TARGETS: dict[str, tuple[str, tuple[str, ...]]] = {
    LinkKind.NEED: ("needs", ("Need",)),
    LinkKind.MATCH: ("matches", ("Match",)),
    LinkKind.PROJECT: ("projects", ("Activity", "Project")),
}
#: The match status an outcome moves a match to (issue 4's match lifecycle), and the statuses at or past it.
MATCH_TARGET: dict[str, str] = {OutcomeKind.FOLLOW_UP: "contacted", OutcomeKind.MATCH: "accepted"}
AT_OR_PAST: dict[str, frozenset[str]] = {
    "contacted": frozenset({"contacted", "accepted", "project_started", "completed"}),
    "accepted": frozenset({"accepted", "project_started", "completed"}),
}
OPEN_NEED = ("validated", "matching", "matched")
LIVE_MATCH = ("suggested", "contacted", "accepted", "project_started", "completed", "declined")


class LinkError(ValueError):
    """The link cannot be made: unknown kind, or no such object."""


@dataclass(frozen=True)
class Linking:
    """What `link_for` made: the link (or None) and, when nothing was linked or advanced, why and what
    to do."""

    link: Link | None
    warning: str = ""


class _Unlinked(Exception):
    """Nothing can be linked; the message says why, for the person who records the outcome."""


def model_for(kind: str) -> type[models.Model] | None:
    if kind not in TARGETS:
        raise LinkError(
            _("link_kind: expected one of %(choices)s, got %(kind)s")
            % {"choices": ", ".join(TARGETS), "kind": repr(kind)}
        )
    app_label, names = TARGETS[kind]
    for name in names:
        try:
            return apps.get_model(app_label, name)
        except LookupError:
            continue
    return None


def _match_label(match: Any) -> str:
    """A match as people read it: "the need's title ↔ the offer's title" (not "match #1: need #181 ↔ …")."""
    return f"{_title(match.need)} ↔ {_title(match.offer)}"[:300]


def _title(obj: Any) -> str:
    for attr in ("title", "name"):
        value = getattr(obj, attr, None)
        if isinstance(value, str) and value:
            return value[:300]
    return str(obj)[:300]


def _find(kind: str, object_id: str) -> models.Model | None:
    model = model_for(kind)
    if model is None:
        return None
    try:
        pk = model._meta.pk.to_python(object_id) if model._meta.pk is not None else object_id
    except ValidationError:
        raise LinkError(
            # Translators: %(kind)s is "Need for assistance", "Match" or "Project".
            _("link_id: %(id)s is not a valid number (%(kind)s)")
            % {"id": object_id, "kind": label_of(LinkKind, kind)}
        ) from None
    obj = model._default_manager.filter(pk=pk).first()
    if obj is None:
        raise LinkError(
            # Translators: %(kind)s is "Need for assistance", "Match" or "Project".
            _("link_id: %(kind)s number %(id)s does not exist")
            % {"kind": label_of(LinkKind, kind), "id": object_id}
        )
    return obj


def manual(kind: str, object_id: str) -> Link:
    object_id = str(object_id).strip()
    if not object_id:
        raise LinkError(_("link_id: give the id of the need, match or project"))
    obj = _find(kind, object_id)
    if obj is None:
        return kind, object_id, "", "unverified"
    return kind, str(obj.pk), _title(obj), "checked"


def _module(name: str) -> ModuleType | None:
    try:
        return importlib.import_module(name)
    except ImportError:
        return None


def _function(module: ModuleType | None, name: str) -> Callable[..., Any] | None:
    fn: Callable[..., Any] | None = getattr(module, name, None)
    return fn if callable(fn) else None


@dataclass(frozen=True)
class Parties:
    economy_id: int | None
    organization_id: int | None


def parties(meeting: Meeting) -> Parties:
    sides = (meeting.request.requester, meeting.request.recipient)
    economy = next((p.economy_id for p in sides if p.economy_id is not None), None)
    org = next((p.organization_id for p in sides if p.organization_id is not None), None)
    return Parties(economy, org)


def _existing_match(who: Parties) -> models.Model | None:
    model = model_for(LinkKind.MATCH)
    if model is None or who.economy_id is None or who.organization_id is None:
        return None
    return (
        model._default_manager.filter(
            need__country_id=who.economy_id, offer__provider_id=who.organization_id, status__in=LIVE_MATCH
        )
        .order_by("-updated_at", "-pk")
        .first()
    )


def _best_pair(who: Parties) -> tuple[int, int] | None:
    """The best-ranked (need, offer) between the country's open requested needs and the provider's offers."""
    need_model = model_for(LinkKind.NEED)
    ranked_offers = _function(_module("gapbridge.matches.queries"), "ranked_offers")
    if need_model is None or ranked_offers is None or who.economy_id is None:
        return None
    best: tuple[float, int, int] | None = None
    needs = need_model._default_manager.filter(
        country_id=who.economy_id, origin="requested", status__in=OPEN_NEED
    )
    for need in needs:
        for ranked in ranked_offers(need, limit=50):
            if ranked.offer.provider_id == who.organization_id:
                score = float(ranked.suggestion.score)
                if best is None or score > best[0]:
                    best = (score, need.pk, ranked.offer.pk)
    return None if best is None else (best[1], best[2])


def _no_pair_reason(who: Parties, country: str, provider: str) -> str:
    """Why no (need, offer) pair was found, and what to do about it."""
    need_model = model_for(LinkKind.NEED)
    if need_model is not None:
        needs = need_model._default_manager.filter(country_id=who.economy_id, origin="requested")
        if not needs.filter(status__in=OPEN_NEED).exists():
            # submitted needs are public; drafts stay with their country and are never named here
            waiting = [_title(n) for n in needs.filter(status="submitted").order_by("pk")[:3]]
            if waiting:
                return _(
                    "Not linked to a match: %(country)s has no validated need for assistance yet (waiting: "
                    "%(needs)s). Once one is validated, record the outcome again, or give the number of an "
                    "existing match."
                ) % {"country": country, "needs": "; ".join(waiting)}
            return _(
                "Not linked to a match: %(country)s has no validated need for assistance. Once it has one, "
                "record the outcome again, or give the number of an existing match."
            ) % {"country": country}
    if apps.is_installed("gapbridge.offers"):
        offers = apps.get_model("offers", "Offer")._default_manager
        if not offers.filter(provider_id=who.organization_id, status="published").exists():
            return _(
                "Not linked to a match: %(provider)s has no published offer. Once it publishes one, record "
                "the outcome again, or give the number of an existing match."
            ) % {"provider": provider}
    return _(
        "Not linked to a match: no validated need of %(country)s fits a published offer of %(provider)s. "
        "Give the number of an existing match to link one."
    ) % {"country": country, "provider": provider}


def _names(meeting: Meeting) -> tuple[str, str]:
    """The delegation's country and the provider as people read them."""
    sides = (meeting.request.requester, meeting.request.recipient)
    country = next((p.name for p in sides if p.economy_id is not None), "")
    provider = next((p.name for p in sides if p.organization_id is not None), "")
    return country, provider


def _advance_match(actor: Actor, meeting: Meeting, outcome: str, note: str) -> Linking:
    services = _module("gapbridge.matches.services")
    change_status = _function(services, "change_status")
    contact = _function(services, "contact")
    if change_status is None:
        raise _Unlinked(_no_service())
    who = parties(meeting)
    if who.economy_id is None or who.organization_id is None:
        raise _Unlinked(
            _(
                "Not linked to a match: a match joins a delegation's need and a provider's offer, and this "
                "meeting is not between a delegation and a provider. Give the number of an existing need, "
                "match or project to link one."
            )
        )
    country, provider = _names(meeting)
    target = MATCH_TARGET[outcome]
    reason = f"meeting {meeting.ref} at {meeting.event.title}" + (f": {note}" if note else "")
    match = _existing_match(who)
    if match is None and contact is not None:
        pair = _best_pair(who)
        if pair is None:
            raise _Unlinked(_no_pair_reason(who, country, provider))
        try:
            match = contact(actor, pair[0], pair[1], reason, **_event_origin())
        except (PermissionDenied, ValueError) as exc:
            raise _Unlinked(_("Not linked to a match: %(reason)s.") % {"reason": _sentence(exc)}) from None
    if match is None:
        raise _Unlinked(_no_pair_reason(who, country, provider))
    status = str(getattr(match, "status", ""))
    warning = ""
    if status not in AT_OR_PAST[target]:
        try:
            if target == "accepted" and status == "declined":
                match = change_status(actor, match.pk, "contacted", reason)
            match = change_status(actor, match.pk, target, reason)
        except (PermissionDenied, ValueError) as exc:  # linked, not advanced: their rules say why
            log.info("match %s of meeting %s not moved to %s: %s", match.pk, meeting.ref, target, exc)
            shown = getattr(match, "get_status_display", None)
            warning = _("Linked to the match, which stays %(status)s: %(reason)s.") % {
                "status": str(shown() if callable(shown) else status).lower(),
                "reason": _sentence(exc),
            }
    return Linking((LinkKind.MATCH, str(match.pk), _match_label(match), "service"), warning)


def _event_origin() -> dict[str, str]:
    """The match origin for matches made by a meeting outcome, when the matches app has it."""
    choices = getattr(_module("gapbridge.matches.models"), "MatchOrigin", None)
    value = getattr(choices, "EVENT_MEETING", None)
    return {"origin": str(value)} if value is not None else {}


def _sentence(exc: Exception) -> str:
    """Another service's message inside one of ours: without its closing full stop."""
    return str(exc).strip().rstrip(".")


def _no_service() -> str:
    return _("Not linked: give the number of an existing need, match or project to link one.")


def need_focus_areas(meeting: Meeting) -> list[str]:
    """The focus areas of a need identified at a meeting: the event's, else the participants' (both sides'),
    else those of the provider's published offers; only areas the needs app knows, in its order."""
    choices = getattr(_module("gapbridge.offers.choices"), "FocusArea", None)
    known: list[str] = [str(v) for v in getattr(choices, "values", [])]
    sides = (meeting.request.requester, meeting.request.recipient)
    candidates: list[list[str]] = [list(meeting.event.focus_areas or [])]
    candidates.append([a for p in sides for a in (p.focus_areas or [])])
    org = parties(meeting).organization_id
    if org is not None and apps.is_installed("gapbridge.offers"):
        offers = apps.get_model("offers", "Offer")._default_manager.filter(
            provider_id=org, status="published"
        )
        candidates.append([a for areas in offers.values_list("focus_areas", flat=True) for a in areas or []])
    for areas in candidates:
        chosen = [a for a in known if a in set(areas)] if known else list(dict.fromkeys(areas))
        if chosen:
            return chosen
    return []


def _create_need(actor: Actor, meeting: Meeting, note: str) -> Linking:
    create_need = _function(_module("gapbridge.needs.services"), "create_need")
    who = parties(meeting)
    if create_need is None:
        raise _Unlinked(_no_service())
    if who.economy_id is None:
        raise _Unlinked(
            _(
                "Not linked to a need: neither side of this meeting is a country delegation. Give the number "
                "of an existing need, match or project to link one."
            )
        )
    from gapbridge.countries.models import Economy

    country = Economy.objects.get(pk=who.economy_id)
    areas = need_focus_areas(meeting)
    if not areas:
        raise _Unlinked(
            _(
                "Not linked to a need: no focus area to give it (the event, the participants and the "
                "provider's offers name none). Create the need on the needs page, then give its number here."
            )
        )
    first = note.strip().splitlines()[0] if note.strip() else ""
    title = (first or f"Follow-up of meeting {meeting.ref} at {meeting.event.title}")[:300]
    try:
        need = create_need(actor, country, title=title, description=note.strip() or title, focus_areas=areas)
    except PermissionDenied as exc:
        raise _Unlinked(
            _(
                "Not linked to a need: %(reason)s. A focal point of %(country)s or the secretariat can "
                "record this outcome again to create the need, or give the number of an existing need."
            )
            % {"reason": _sentence(exc), "country": country.name}
        ) from None
    except ValueError as exc:
        raise _Unlinked(_("Not linked to a need: %(reason)s.") % {"reason": _sentence(exc)}) from None
    return Linking((LinkKind.NEED, str(need.pk), _title(need), "service"))


def link_for(
    actor: Actor, meeting: Meeting, outcome: str, *, note: str = "", link_kind: str = "", link_id: str = ""
) -> Linking:
    """The link an outcome gets: the one given, else one made through the needs/matches services, else None
    with a warning saying why and what to do.

    A refusal by their services (a rule or a permission) leaves the outcome unlinked rather than failing it.
    """
    if link_kind or link_id:
        return Linking(manual(link_kind, link_id))
    try:
        if outcome in MATCH_TARGET:
            return _advance_match(actor, meeting, outcome, note)
        if outcome == OutcomeKind.NEED:
            return _create_need(actor, meeting, note)
    except _Unlinked as exc:
        log.info("outcome of meeting %s not linked: %s", meeting.ref, exc)
        return Linking(None, str(exc))
    except (PermissionDenied, ValueError, LookupError, TypeError) as exc:
        log.info("outcome of meeting %s not linked: %s", meeting.ref, exc)
        return Linking(None, _("Not linked: %(reason)s.") % {"reason": _sentence(exc)})
    return Linking(None)


@dataclass(frozen=True)
class Step:
    kind: str
    label: str
    object_id: str
    url: str
    exists: bool


def _url(obj: models.Model) -> str:
    getter = getattr(obj, "get_absolute_url", None)
    if callable(getter):
        try:
            return str(getter())
        except Exception:  # a broken URL must not break the meeting page
            return ""
    return ""


def _step(kind: str, obj: models.Model) -> Step:
    return Step(
        kind, _title(obj) if kind != LinkKind.MATCH else _match_label(obj), str(obj.pk), _url(obj), True
    )


def _project_of(match: models.Model) -> Step | None:
    identifier = str(getattr(match, "iati_identifier", "") or "")
    if not identifier:
        return None
    model = model_for(LinkKind.PROJECT)
    activity = (
        model._default_manager.filter(iati_identifier=identifier).first() if model is not None else None
    )
    if activity is None:
        return Step(LinkKind.PROJECT, identifier, identifier, "", False)
    return _step(LinkKind.PROJECT, activity)


def chain(link_kind: str, link_id: str, link_label: str) -> list[Step]:
    """What the meeting led to: need → match → project (the match's IATI activity), as far as it goes."""
    if not link_kind:
        return []
    try:
        obj = _find(link_kind, link_id)
    except LinkError:
        obj = None
    if obj is None:
        return [Step(link_kind, link_label or link_id, link_id, "", False)]
    steps: list[Step] = []
    match: models.Model | None = None
    if link_kind == LinkKind.MATCH:
        need = getattr(obj, "need", None)
        if isinstance(need, models.Model):
            steps.append(_step(LinkKind.NEED, need))
        match = obj
    elif link_kind == LinkKind.NEED:
        steps.append(_step(LinkKind.NEED, obj))
        related = getattr(obj, "matches", None)
        if related is not None:
            match = related.exclude(status="declined").order_by("-updated_at").first()
    else:
        return [_step(link_kind, obj)]
    if match is not None:
        steps.append(_step(LinkKind.MATCH, match))
        project = _project_of(match)
        if project is not None:
            steps.append(project)
    return steps

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
outcome is kept with a generic link (kind + id, checked against their table when it exists) or none, and the
meeting's page says so. The chain meeting → need → match → project (the match's IATI activity) is drawn
from the link.
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
LIVE_MATCH = ("suggested", "contacted", "accepted", "project_started", "completed", "declined")


class LinkError(ValueError):
    """The link cannot be made: unknown kind, or no such object."""


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
        country_id=who.economy_id, origin="requested", status__in=("validated", "matching", "matched")
    )
    for need in needs:
        for ranked in ranked_offers(need, limit=50):
            if ranked.offer.provider_id == who.organization_id:
                score = float(ranked.suggestion.score)
                if best is None or score > best[0]:
                    best = (score, need.pk, ranked.offer.pk)
    return None if best is None else (best[1], best[2])


def _advance_match(actor: Actor, meeting: Meeting, outcome: str, note: str) -> Link | None:
    services = _module("gapbridge.matches.services")
    change_status = _function(services, "change_status")
    contact = _function(services, "contact")
    if change_status is None:
        return None
    who = parties(meeting)
    target = MATCH_TARGET[outcome]
    reason = f"meeting {meeting.ref} at {meeting.event.title}" + (f": {note}" if note else "")
    match = _existing_match(who)
    if match is None and contact is not None:
        pair = _best_pair(who)
        if pair is not None:
            match = contact(actor, pair[0], pair[1], reason)
    if match is None:
        return None
    status = str(getattr(match, "status", ""))
    if status not in AT_OR_PAST[target]:
        try:
            if target == "accepted" and status == "declined":
                match = change_status(actor, match.pk, "contacted", reason)
            match = change_status(actor, match.pk, target, reason)
        except (PermissionDenied, ValueError) as exc:  # linked, not advanced: their rules say why
            log.info("match %s of meeting %s not moved to %s: %s", match.pk, meeting.ref, target, exc)
    return LinkKind.MATCH, str(match.pk), _match_label(match), "service"


def _create_need(actor: Actor, meeting: Meeting, note: str) -> Link | None:
    create_need = _function(_module("gapbridge.needs.services"), "create_need")
    who = parties(meeting)
    if create_need is None or who.economy_id is None:
        return None
    from gapbridge.countries.models import Economy

    first = note.strip().splitlines()[0] if note.strip() else ""
    title = (first or f"Follow-up of meeting {meeting.ref} at {meeting.event.title}")[:300]
    need = create_need(
        actor,
        Economy.objects.get(pk=who.economy_id),
        title=title,
        description=note.strip() or title,
        focus_areas=list(meeting.event.focus_areas),
    )
    return LinkKind.NEED, str(need.pk), _title(need), "service"


def link_for(
    actor: Actor, meeting: Meeting, outcome: str, *, note: str = "", link_kind: str = "", link_id: str = ""
) -> Link | None:
    """The link an outcome gets: the one given, else one made through the needs/matches services, else None.

    A refusal by their services (a rule or a permission) leaves the outcome unlinked rather than failing it.
    """
    if link_kind or link_id:
        return manual(link_kind, link_id)
    try:
        if outcome in MATCH_TARGET:
            return _advance_match(actor, meeting, outcome, note)
        if outcome == OutcomeKind.NEED:
            return _create_need(actor, meeting, note)
    except (PermissionDenied, ValueError, LookupError, TypeError) as exc:
        log.info("outcome of meeting %s not linked: %s", meeting.ref, exc)
    return None


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
